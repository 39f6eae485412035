"""The monthly job: catch-up with a frozen clock, concurrent runs, failures recorded, the cron trigger."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from machinery_network import clock, scheduler
from machinery_network.config import Settings, get_settings
from machinery_network.settlement import service as settlement
from machinery_network.settlement import settling
from machinery_network.settlement.models import Settlement, SettlementRun
from tests.conftest import build_world
from tests.test_settlement import adjust, charge, credit


def freeze(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: when)


async def _world_with_entries(sessionmaker):
    async with sessionmaker() as session:
        w = await build_world(session)
        await charge(session, w.farmer, w.north, date(2026, 7, 31), 1, 1000)  # July
        await credit(session, w.farmer2, w.north, date(2026, 9, 3), 10, 25)  # September, -250
        await adjust(session, w.finance_south, w.farmer, w.south, date(2026, 9, 30), 777)
        await charge(session, w.farmer, w.north, date(2026, 11, 2), 1, 5000)  # not ended yet
        await session.commit()
        return w


async def _settled(sessionmaker):
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Settlement.municipality_id, Settlement.month, Settlement.entry_count, Settlement.total_net_cents)
            .where(Settlement.frozen).order_by(Settlement.month, Settlement.municipality_id)
        )
        return [tuple(r) for r in rows]


async def test_catch_up_settles_every_missed_month_once(committed_sessionmaker, monkeypatch):
    w = await _world_with_entries(committed_sessionmaker)
    # The service was down from July until 1 November 2026, 00:30 in Berlin (October has just ended).
    freeze(monkeypatch, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    outcomes = await scheduler.catch_up(committed_sessionmaker, settings=get_settings())
    n, s = w.north.id, w.south.id
    assert [(o.municipality_id, o.month, o.status) for o in outcomes] == [
        (n, date(2026, 7, 1), "created"),
        (n, date(2026, 8, 1), "created"),
        (n, date(2026, 9, 1), "created"),
        (s, date(2026, 9, 1), "created"),
        (n, date(2026, 10, 1), "created"),
        (s, date(2026, 10, 1), "created"),
    ]
    assert await _settled(committed_sessionmaker) == [
        (n, date(2026, 7, 1), 1, 1000),
        (n, date(2026, 8, 1), 0, 0),
        (n, date(2026, 9, 1), 1, -250),
        (s, date(2026, 9, 1), 1, 777),
        (n, date(2026, 10, 1), 0, 0),
        (s, date(2026, 10, 1), 0, 0),
    ]
    async with committed_sessionmaker() as session:
        runs = (await session.scalars(select(SettlementRun).order_by(SettlementRun.id))).all()
    assert len(runs) == 6
    assert all(r.trigger == "catch-up" and r.finished_at and r.created and r.error is None for r in runs)
    assert [r.entries for r in runs] == [1, 0, 1, 1, 0, 0]

    # Restarted again the same night: nothing left to do.
    assert await scheduler.catch_up(committed_sessionmaker, settings=get_settings()) == []
    # A day before the end of the month nothing had ended yet beyond September.
    freeze(monkeypatch, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # 02:00 in Berlin: November has ended
    outcomes = await scheduler.catch_up(committed_sessionmaker, settings=get_settings())
    assert [(o.municipality_id, o.month, o.entries) for o in outcomes] == [
        (n, date(2026, 11, 1), 1), (s, date(2026, 11, 1), 0)]


async def test_catch_up_in_the_time_zone_of_the_network(committed_sessionmaker, monkeypatch):
    await _world_with_entries(committed_sessionmaker)
    # 31 October 2026, 22:30 UTC is still October in Berlin (UTC+1): October has not ended.
    freeze(monkeypatch, datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
    outcomes = await scheduler.catch_up(committed_sessionmaker, settings=get_settings())
    assert {o.month for o in outcomes} == {date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)}


async def test_two_concurrent_monthly_runs_settle_each_month_once(committed_sessionmaker, monkeypatch):
    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, datetime(2026, 10, 1, 0, 5, tzinfo=UTC))  # 1 October, 02:05 in Berlin
    first, second = await asyncio.gather(
        scheduler.run_monthly(committed_sessionmaker, settings=get_settings()),
        scheduler.run_monthly(committed_sessionmaker, settings=get_settings()),
    )
    for municipality in (w.north, w.south):
        statuses = sorted(o.status for o in first + second if o.municipality_id == municipality.id)
        assert statuses in (["created", "skipped"], ["created", "unchanged"]), statuses
    # July's and September's entries of the north are all in the one September settlement (July was missed)
    assert await _settled(committed_sessionmaker) == [
        (w.north.id, date(2026, 9, 1), 2, 750), (w.south.id, date(2026, 9, 1), 1, 777)]
    async with committed_sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SettlementRun)) == 4


async def test_a_failed_settlement_is_recorded_and_rolled_back(committed_sessionmaker, monkeypatch):
    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, datetime(2026, 10, 1, 0, 5, tzinfo=UTC))
    real_insert_lines = settling._insert_lines

    async def failing(session, params):
        if params["m"] == w.north.id:
            raise RuntimeError("lines insert failed")
        await real_insert_lines(session, params)

    monkeypatch.setattr(settling, "_insert_lines", failing)
    outcomes = await scheduler.run_monthly(committed_sessionmaker, settings=get_settings())
    assert [(o.municipality_id, o.status) for o in outcomes] == [(w.north.id, "failed"), (w.south.id, "created")]
    async with committed_sessionmaker() as session:
        runs = {r.municipality_id: r for r in (await session.scalars(select(SettlementRun))).all()}
        assert "lines insert failed" in runs[w.north.id].error and runs[w.north.id].finished_at
        assert runs[w.north.id].settlement_id is None and runs[w.north.id].created is None
        assert runs[w.south.id].error is None and runs[w.south.id].created
        assert await settlement.find_settlement(session, w.north.id, date(2026, 9, 1)) is None

    monkeypatch.setattr(settling, "_insert_lines", real_insert_lines)
    outcomes = await scheduler.catch_up(committed_sessionmaker, settings=get_settings())
    # the north has no settlement yet: it starts from its earliest entry (July)
    assert [(o.municipality_id, o.month, o.status, o.entries) for o in outcomes] == [
        (w.north.id, date(2026, 7, 1), "created", 1), (w.north.id, date(2026, 8, 1), "created", 0),
        (w.north.id, date(2026, 9, 1), "created", 1)]


async def test_scheduler_has_the_monthly_cron_job_in_the_network_time_zone(committed_sessionmaker, monkeypatch):
    settings = Settings(MN_TIMEZONE="Europe/Berlin", MN_SECRET_KEY="x")
    job_scheduler = await scheduler.start_scheduler(committed_sessionmaker, settings)
    try:
        job = job_scheduler.get_job("monthly-settlement")
        fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 21, 12, tzinfo=UTC))
        assert fire.isoformat() == "2026-12-01T02:00:00+01:00"
        summer = job.trigger.get_next_fire_time(None, datetime(2026, 6, 15, tzinfo=UTC))
        assert summer.isoformat() == "2026-07-01T02:00:00+02:00"
        await asyncio.sleep(0.2)  # let the start-up catch-up (nothing to do) run
    finally:
        job_scheduler.shutdown(wait=False)


@pytest.mark.parametrize("today, expected", [(date(2026, 1, 1), date(2025, 12, 1)), (date(2026, 3, 31), date(2026, 2, 1))])
def test_previous_month(today, expected):
    assert settlement.previous_month(today) == expected


async def test_the_app_with_scheduler_catches_up_at_start_up(committed_sessionmaker, monkeypatch, settings):
    import httpx

    from machinery_network.app import create_app

    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, datetime(2026, 8, 10, 8, 0, tzinfo=UTC))  # only July has ended
    app = create_app(settings, committed_sessionmaker, scheduler=True)
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                 base_url="http://testserver.local") as client:
        assert (await client.get("/health")).status_code == 200
        for _ in range(300):  # up to 30 s on a loaded machine
            if await _settled(committed_sessionmaker):
                break
            await asyncio.sleep(0.1)
    assert await _settled(committed_sessionmaker) == [(w.north.id, date(2026, 7, 1), 1, 1000)]


async def test_two_concurrent_catch_ups_settle_every_month_exactly_once(committed_sessionmaker, monkeypatch):
    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    first, second = await asyncio.gather(scheduler.catch_up(committed_sessionmaker, settings=get_settings()),
                                         scheduler.catch_up(committed_sessionmaker, settings=get_settings()))
    created = sorted((o.municipality_id, o.month) for o in first + second if o.status == "created")
    n, s = w.north.id, w.south.id
    assert created == sorted([(n, date(2026, 7, 1)), (n, date(2026, 8, 1)), (n, date(2026, 9, 1)),
                              (n, date(2026, 10, 1)), (s, date(2026, 9, 1)), (s, date(2026, 10, 1))])
    assert [row[:3] for row in await _settled(committed_sessionmaker)] == [
        (n, date(2026, 7, 1), 1), (n, date(2026, 8, 1), 0), (n, date(2026, 9, 1), 1), (s, date(2026, 9, 1), 1),
        (n, date(2026, 10, 1), 0), (s, date(2026, 10, 1), 0)]


def test_the_monthly_run_takes_at_most_half_the_pool():
    assert scheduler.settle_workers(10) == scheduler.SETTLE_WORKERS == 4  # the default pool of 10
    assert scheduler.settle_workers(4) == 2
    assert scheduler.settle_workers(1) == 1  # one connection: one at a time, never none
