"""The published OpenAPI document: valid 3.1, honest about errors, public routes, files and decimals;
and a schemathesis run with response-conformance checks as a farmer, a yard head and a finance officer."""

from __future__ import annotations

import asyncio
import time

from openapi_spec_validator import validate

from machinery_network.app import create_app
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from tests.conftest import build_world

EXAMPLES_PER_OPERATION = 8
BUDGET_S = 240.0


async def _document(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_document_validates_with_openapi_spec_validator(client):
    doc = await _document(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


async def test_errors_public_routes_patterns_files_and_decimals(client):
    doc = await _document(client)
    paths = doc["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            codes = set(operation["responses"])
            public = operation.get("security") == []
            expected = {"404", "409", "422", "429"} | (set() if public else {"401", "403"})
            assert expected <= codes, (method, path, codes)
    for public in ("/health", "/api/v1/auth/token"):
        for operation in paths[public].values():
            assert operation["security"] == [] and "403" not in operation["responses"]
    assert doc["security"] == [{"BearerToken": []}]
    month = next(p for p in paths["/api/v1/settlements/{month}"]["get"]["parameters"] if p["name"] == "month")
    assert month["schema"]["pattern"] == r"^\d{4}-\d{2}$"
    export = paths["/api/v1/settlements/{month}/export"]["get"]["responses"]["200"]
    assert {"text/csv", "application/pdf", "application/xml"} <= set(export["content"])
    assert "X-SEPA-Exceptions" in export["headers"]
    schemas = doc["components"]["schemas"]
    assert schemas["ItemPublic"]["properties"]["vat_percent"]["type"] == "number"
    create_vat = schemas["ItemCreate"]["properties"]["vat_percent"]
    assert create_vat["type"] == "number" and create_vat.get("default", 0) == 0


def _conformance(app, tokens: dict[str, str]) -> tuple[list[str], int, int]:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    counts = {"operations": 0, "requests": 0}
    deadline = time.monotonic() + BUDGET_S
    roles = sorted(tokens)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            counts["operations"] += 1
            if time.monotonic() > deadline:
                failures.append(f"budget of {BUDGET_S:.0f} s exhausted before {operation.label}")
                break

            @given(case=operation.as_strategy(), role=st.sampled_from(roles))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case, role):
                headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[role]}"}
                response = case.call(headers=headers)
                counts["requests"] += 1
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is reported
                    failures.append(f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                                    f"{str(exc)[:400]}")

            run()
    finally:
        from schemathesis.python import asgi

        asgi.shutdown_lifespans()
    return failures, counts["operations"], counts["requests"]


async def test_schemathesis_conformance_as_farmer_yard_head_and_finance(committed_sessionmaker, database_url,
                                                                        tmp_path):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        session.add(Item(municipality_id=world.north.id, name="Traktor", kind="machine", unit="hour",
                         rate_cents=4800, operator_rate_cents=3900))
        await session.commit()
    tokens = {"farmer": world.farmer.token, "yard_head": world.yard_north.token,
              "finance": world.finance_north.token}
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="conformance-secret",
                        MN_DB_POOL_SIZE=2)
    failures, operations, requests = await asyncio.to_thread(_conformance, create_app(settings), tokens)
    print(f"conformance: {operations} operations, {requests} requests, {len(failures)} failures")
    assert operations >= 20 and requests >= operations
    assert not failures, "\n".join(failures[:15])
