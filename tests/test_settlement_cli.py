"""`machinery-network settle` end to end against a database of its own: exit codes 0/1/2, idempotent."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from machinery_network import clock
from machinery_network.settlement import service as settlement
from machinery_network.settlement import settling
from tests.conftest import build_world
from tests.test_cli import cli_database, run_cli  # noqa: F401 - the fixture is used by name
from tests.test_settlement import small_month


async def test_cli_settles_every_municipality_once_and_reports_errors(cli_database, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 5, 11, 0, tzinfo=UTC))
    assert await asyncio.to_thread(run_cli, ["migrate"]) == 0
    engine = create_async_engine(cli_database)
    maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    try:
        async with maker() as session:
            world = await build_world(session)
            await small_month(session, world)
        capsys.readouterr()

        assert await asyncio.to_thread(run_cli, ["settle", "--month", "2026-09"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert len(out) == 2 and all("created" in line for line in out)
        assert any("5 entries, 2 farmers, net 25922 cents" in line for line in out)
        assert any("2 entries, 2 farmers, net 6500 cents" in line for line in out)

        assert await asyncio.to_thread(run_cli, ["settle", "--month", "2026-09", "--municipality",
                                                 str(world.north.id)]) == 0
        assert "unchanged, 5 entries" in capsys.readouterr().out

        assert await asyncio.to_thread(run_cli, ["settle", "--month", "2026-11"]) == 2  # not ended
        err = capsys.readouterr().err.strip()
        assert "not ended" in err and "\n" not in err
        assert await asyncio.to_thread(run_cli, ["settle", "--month", "2026-10", "--municipality", "999999"]) == 1
        assert capsys.readouterr().err.strip()

        async with maker() as session:
            s = await settlement.find_settlement(session, world.north.id, date(2026, 9, 1))
            assert s.total_net_cents == 25922 and s.run_by is None and s.run_by_label == "system"
            assert await settlement.find_settlement(session, world.north.id, date(2026, 10, 1)) is None
    finally:
        await engine.dispose()


async def test_cli_settle_fails_one_municipality_alone_and_holds_two_locks_at_most(
    cli_database, capsys, monkeypatch  # noqa: F811
):
    """Each municipality in its own transaction with a run record (the scheduler's settle_one): a failure
    in one neither rolls back nor holds the others, and the advisory locks held at once do not grow with
    the number of municipalities."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 5, 11, 0, tzinfo=UTC))
    assert await asyncio.to_thread(run_cli, ["migrate"]) == 0
    engine = create_async_engine(cli_database)
    maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    try:
        async with maker() as session:
            world = await build_world(session)
            await small_month(session, world)
            extra = [(await build_world(session)).north.id for _ in range(3)]  # more municipalities
        capsys.readouterr()

        locks_held: list[int] = []
        real_freeze = settling._freeze

        async def freeze(session, params):
            locks_held.append(await session.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")))
            if params["m"] == world.north.id:
                raise RuntimeError("disk full")
            return await real_freeze(session, params)

        monkeypatch.setattr(settling, "_freeze", freeze)
        assert await asyncio.to_thread(run_cli, ["settle", "--month", "2026-09"]) == 1
        captured = capsys.readouterr()
        assert "disk full" in captured.err and f"municipality {world.north.id}" in captured.err
        assert len(captured.out.splitlines()) == 1 + 2 * len(extra)  # every other municipality is settled
        assert len(locks_held) >= 2 + 2 * len(extra) and max(locks_held) == 2

        async with maker() as session:
            assert await settlement.find_settlement(session, world.north.id, date(2026, 9, 1)) is None
            south = await settlement.find_settlement(session, world.south.id, date(2026, 9, 1))
            assert south is not None and south.total_net_cents == 6500
            runs = (await session.execute(text(
                "SELECT municipality_id, trigger, error, finished_at IS NOT NULL AS done FROM settlement_runs"
            ))).all()
            assert {r.trigger for r in runs} == {"cli"} and all(r.done for r in runs)
            assert [r.municipality_id for r in runs if r.error] == [world.north.id]
            assert len(runs) == 2 + 2 * len(extra)
    finally:
        await engine.dispose()
