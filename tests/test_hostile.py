"""Hostile input: generated requests against every documented route, CSRF on every form, session
fixation, one municipality's token on another's data, SQL-ish / oversized / NUL strings, broken dates.

What must hold: never a 5xx; refusals are the contract's 4xx; nothing is half written.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from machinery_network.app import API_PREFIX, create_app
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from tests.conftest import PASSWORD, build_world

# --- generated requests (schemathesis) on the app's own OpenAPI schema -------------------------------

EXAMPLES_PER_OPERATION = 12
FUZZ_BUDGET_S = 50.0


def _fuzz(app, tokens: dict[str, str]) -> tuple[list[str], int, int]:
    """Run generated cases for every operation, each with the token of a role drawn per case.

    Blocking (schemathesis' ASGI client runs the app in its own event-loop thread), so the async test
    calls it through a thread. Returns (server errors, operations, requests)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    counts = {"operations": 0, "requests": 0}
    deadline = time.monotonic() + FUZZ_BUDGET_S
    roles = sorted(tokens)

    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        if time.monotonic() > deadline:
            failures.append(f"budget of {FUZZ_BUDGET_S:.0f} s exhausted before {operation.label}")
            break

        @given(case=operation.as_strategy(), role=st.sampled_from(roles))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case, role):
            headers = dict(case.headers or {})
            headers["Authorization"] = f"Bearer {tokens[role]}"
            response = case.call(headers=headers)
            counts["requests"] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                    f"query={case.query!r} body={case.body!r:.300} → {response.text[:300]}"
                )

        run()
    return failures, counts["operations"], counts["requests"]


async def test_generated_requests_with_every_role_get_no_server_error(
    committed_sessionmaker, database_url, tmp_path
):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        # Something for generated ids to hit (ids restart at 1 after the truncation of the last run).
        session.add(Item(municipality_id=world.north.id, name="Traktor", kind="machine", unit="hour",
                         rate_cents=4800, operator_rate_cents=3900))
        await session.commit()
    tokens = {
        "admin": world.admin.token,
        "yard_head": world.yard_north.token,
        "finance": world.finance_north.token,
        "farmer": world.farmer.token,
    }
    # The app opens its own pool on the committed test database, in schemathesis' event-loop thread.
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="fuzz-secret",
                        MN_DB_POOL_SIZE=2)
    app = create_app(settings)
    failures, operations, requests = await asyncio.to_thread(_fuzz, app, tokens)
    print(f"fuzz: {operations} operations, {requests} requests, {len(failures)} server errors")
    assert operations >= 20, f"only {operations} operations in the schema"
    assert requests >= operations * 3
    assert not failures, "\n".join(failures[:20])
