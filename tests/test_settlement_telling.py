"""The monthly run freezes every municipality first and tells the farmers afterwards, a settlement a
transaction; a settlement frozen but not told (the process stopped in between, or a mail template
failed) is told by the next run, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from machinery_network import scheduler
from machinery_network.config import get_settings
from machinery_network.notifications.models import Notice
from machinery_network.settlement import notices as statement_notices
from machinery_network.settlement.models import Settlement
from tests.test_scheduler import _world_with_entries, freeze

OCTOBER_RUN = datetime(2026, 10, 1, 0, 5, tzinfo=UTC)  # 1 October, 02:05 in Berlin: September is settled


async def _told(sessionmaker) -> list[tuple[int, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(Notice.user_id, Notice.dedupe_key)
                                     .where(Notice.kind == "settlement_ready").order_by(Notice.user_id))
        return [tuple(r) for r in rows]


async def _tellings(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text("SELECT count(*) FROM settlement_tellings")) or 0)


async def test_the_monthly_run_freezes_every_municipality_before_telling_and_tells_once(
    committed_sessionmaker, monkeypatch
):
    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, OCTOBER_RUN)
    frozen_when_telling: list[int] = []
    real_tell = statement_notices.tell_statements

    async def tell(session, settlement, settings, tz=None):
        frozen_when_telling.append(int(await session.scalar(
            select(func.count()).select_from(Settlement).where(Settlement.frozen)) or 0))
        return await real_tell(session, settlement, settings, tz)

    monkeypatch.setattr(statement_notices, "tell_statements", tell)
    outcomes = await scheduler.run_monthly(committed_sessionmaker, settings=get_settings())
    assert sorted(o.status for o in outcomes) == ["created", "created"]
    assert frozen_when_telling == [2, 2]  # both municipalities frozen before the first telling
    # north: farmer 1,000 (July, missed) and farmer2 -250; south: farmer 777
    told = await _told(committed_sessionmaker)
    assert sorted(user for user, _ in told) == sorted([w.farmer.id, w.farmer2.id, w.farmer.id])
    assert len(set(told)) == 3 and await _tellings(committed_sessionmaker) == 2

    again = await scheduler.run_monthly(committed_sessionmaker, settings=get_settings())
    assert sorted(o.status for o in again) == ["unchanged", "unchanged"]
    assert len(await _told(committed_sessionmaker)) == 3  # nothing told twice
    assert await scheduler.tell_networks(committed_sessionmaker, get_settings()) == 0


async def test_a_settlement_frozen_but_not_told_is_told_by_the_next_run(committed_sessionmaker, monkeypatch):
    w = await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, OCTOBER_RUN)
    # the process stops between freezing and telling: the settlement is frozen, nobody told
    outcome = await scheduler.settle_one(committed_sessionmaker, w.south.id, datetime(2026, 9, 1).date(), "scheduler",
                                         settings=get_settings())
    assert outcome.status == "created"
    assert await _told(committed_sessionmaker) == [] and await _tellings(committed_sessionmaker) == 0
    async with committed_sessionmaker() as session:
        assert await statement_notices.untold(session) == [outcome.settlement_id]

    # the start-up catch-up settles the north (July, August without entries, September) and tells all four
    await scheduler.catch_up(committed_sessionmaker, settings=get_settings())
    told = await _told(committed_sessionmaker)
    assert (w.farmer.id, f"settlement:{outcome.settlement_id}") in told
    assert len(told) == 3 and await _tellings(committed_sessionmaker) == 4
    async with committed_sessionmaker() as session:
        assert await statement_notices.untold(session) == []


async def test_a_telling_that_fails_keeps_the_books_and_is_tried_again(committed_sessionmaker, monkeypatch):
    await _world_with_entries(committed_sessionmaker)
    freeze(monkeypatch, OCTOBER_RUN)
    real_render = statement_notices.MAILS.render

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(statement_notices.MAILS, "render", broken)
    outcomes = await scheduler.run_monthly(committed_sessionmaker, settings=get_settings())
    assert sorted(o.status for o in outcomes) == ["created", "created"]  # the books are frozen regardless
    assert await _told(committed_sessionmaker) == [] and await _tellings(committed_sessionmaker) == 0

    monkeypatch.setattr(statement_notices.MAILS, "render", real_render)
    assert await scheduler.tell_networks(committed_sessionmaker, get_settings()) == 3
    assert len(await _told(committed_sessionmaker)) == 3 and await _tellings(committed_sessionmaker) == 2
