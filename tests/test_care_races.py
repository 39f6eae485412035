"""Races on real separate connections: the database decides, the loser gets the same 409."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from machinery_network.care import service
from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.care.schemas import AssignmentCreate, CareLogCreate
from machinery_network.errors import Conflict
from machinery_network.ledger.models import LedgerEntry
from tests.conftest import build_world

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("frozen")


async def _setup(maker):
    async with maker() as session:
        world = await build_world(session)
        section = Section(municipality_id=world.north.id, name="K 21", kind="road", length_m=850,
                          task="verge_mowing", unit="metre", rate_cents=15)
        session.add(section)
        await session.commit()
        return world, section.id


async def _blocked(task: asyncio.Task) -> bool:
    """True when ``task`` is still waiting (on a lock of the other transaction) after a moment."""
    await asyncio.sleep(0.3)
    return not task.done()


async def test_concurrent_assignments_one_wins_the_exclusion_constraint_decides(committed_sessionmaker):
    world, section_id = await _setup(committed_sessionmaker)
    async with committed_sessionmaker() as first, committed_sessionmaker() as second:
        await service.assign(first, world.yard_north.actor, section_id,
                             AssignmentCreate(farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
        # The second transaction cannot see the first's uncommitted row: its pre-check passes and its
        # insert waits on the constraint until the first commits, then fails with 23P01.
        loser = asyncio.create_task(service.assign(
            second, world.yard_north.actor, section_id,
            AssignmentCreate(farmer_id=world.farmer2.id, valid_from=date(2026, 6, 1), valid_to=date(2026, 6, 30)),
        ))
        assert await _blocked(loser)
        await first.commit()
        with pytest.raises(Conflict) as caught:
            await loser
        await second.rollback()
    assert caught.value.key == "care.assignment_overlap"
    assert caught.value.extra["valid_from"] == "2026-01-01" and caught.value.extra["valid_to"] is None
    async with committed_sessionmaker() as check:
        farmers = list(await check.scalars(select(Assignment.farmer_id).where(Assignment.section_id == section_id)))
    assert farmers == [world.farmer.id]


async def test_concurrent_confirmations_post_one_credit(committed_sessionmaker, settings):
    world, section_id = await _setup(committed_sessionmaker)
    async with committed_sessionmaker() as session:
        await service.assign(session, world.yard_north.actor, section_id,
                             AssignmentCreate(farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
        log = await service.report(session, world.farmer.actor, CareLogCreate(
            section_id=section_id, performed_on=date(2026, 9, 14), quantity=850), settings=settings)
        await session.commit()
    async with committed_sessionmaker() as first, committed_sessionmaker() as second:
        await service.confirm(first, world.yard_north.actor, log.id, settings=settings)
        loser = asyncio.create_task(service.confirm(second, world.yard_north.actor, log.id, settings=settings))
        assert await _blocked(loser)  # waits on the row lock
        await first.commit()
        with pytest.raises(Conflict) as caught:
            await loser
        await second.rollback()
    assert caught.value.key == "care.not_reported"
    async with committed_sessionmaker() as check:
        amounts = list(await check.scalars(select(LedgerEntry.amount_cents).where(LedgerEntry.care_log_id == log.id)))
        status = await check.scalar(select(CareLog.status).where(CareLog.id == log.id))
        assert await check.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert amounts == [-12750] and status == "confirmed"
