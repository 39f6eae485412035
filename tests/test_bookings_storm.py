"""A storm: 50 concurrent approvals and requests on overlapping slots, each in its own connection.

Whatever the interleaving, the database ends without two overlapping occupancies of one item, and
every loser got a Conflict (the 409), never an unhandled error.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from machinery_network import clock
from machinery_network.bookings import service
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.catalogue import service as catalogue
from machinery_network.catalogue.schemas import ItemCreate
from machinery_network.errors import Conflict
from tests.conftest import build_world

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
BASE = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)

OVERLAPS = text("""
    SELECT count(*) FROM occupancies a JOIN occupancies b
      ON a.item_id = b.item_id AND a.id < b.id
     AND tstzrange(a.start_at, a.end_at, '[)') && tstzrange(b.start_at, b.end_at, '[)')
""")
APPROVED_OVERLAPS = text("""
    SELECT count(*) FROM bookings a JOIN bookings b
      ON a.item_id = b.item_id AND a.id < b.id
     AND a.status IN ('approved','completed') AND b.status IN ('approved','completed')
     AND a.start_at < b.end_at AND b.start_at < a.end_at
""")


async def test_storm_of_approvals_and_requests_leaves_no_overlap(committed_sessionmaker, settings, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    rng = random.Random(4)
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        items = []
        for name in ("Mulcher", "Kehrmaschine"):
            items.append(await catalogue.create_item(
                session, world.yard_north.actor,
                ItemCreate(municipality_id=world.north.id, name=name, kind="machine", unit="hour",
                           rate_cents=4800, vat_percent=Decimal(19)),
                settings,
            ))
        # 40 open requests on two items, all within 8 hours, so most pairs overlap.
        requests = []
        for n in range(40):
            start = BASE + timedelta(minutes=30 * rng.randrange(12))
            farmer = world.farmer if n % 2 else world.farmer2
            requests.append(await service.request(
                session, farmer.actor,
                BookingCreate(item_id=items[n % 2].id, start=start, end=start + timedelta(hours=rng.choice([1, 2, 3]))),
                settings,
            ))
        await session.commit()

    async def approve(booking_id: int) -> str:
        async with committed_sessionmaker() as session:
            try:
                await service.approve(session, world.yard_north.actor, booking_id, settings)
                await session.commit()
                return "approved"
            except Conflict:
                await session.rollback()
                return "conflict"

    async def new_request(n: int) -> str:
        start = BASE + timedelta(minutes=30 * rng.randrange(12))
        async with committed_sessionmaker() as session:
            try:
                await service.request(
                    session, world.farmer.actor,
                    BookingCreate(item_id=items[n % 2].id, start=start, end=start + timedelta(hours=1)), settings,
                )
                await session.commit()
                return "requested"
            except Conflict:
                await session.rollback()
                return "conflict"

    # 40 approvals racing each other plus 10 new requests racing the approvals.
    tasks = [approve(r.id) for r in requests] + [new_request(n) for n in range(10)]
    rng.shuffle(tasks)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    approved = outcomes.count("approved")
    conflicts = outcomes.count("conflict")
    assert approved >= 2 and conflicts >= 10
    assert approved + conflicts + outcomes.count("requested") == 50

    async with committed_sessionmaker() as session:
        assert await session.scalar(OVERLAPS) == 0
        assert await session.scalar(APPROVED_OVERLAPS) == 0
        occupancies = await session.scalar(text("SELECT count(*) FROM occupancies"))
        approved_rows = await session.scalar(text("SELECT count(*) FROM bookings WHERE status = 'approved'"))
        assert occupancies == approved_rows == approved
        # Every loser of an approval is still an open request (nothing half-written).
        assert await session.scalar(text("SELECT count(*) FROM bookings WHERE status = 'requested'")) == (
            40 - approved + outcomes.count("requested")
        )
        events = await session.scalar(text("SELECT count(*) FROM booking_events WHERE to_status = 'approved'"))
        assert events == approved


async def test_two_yard_heads_approving_the_same_overlap_at_once(committed_sessionmaker, settings, monkeypatch):
    """Without the friendly check, the exclusion constraint lets exactly one through."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        item = await catalogue.create_item(
            session, world.yard_north.actor,
            ItemCreate(municipality_id=world.north.id, name="Radlader", kind="machine", unit="hour",
                       rate_cents=6000),
            settings,
        )
        a = await service.request(session, world.farmer.actor,
                                  BookingCreate(item_id=item.id, start=BASE, end=BASE + timedelta(hours=4)), settings)
        b = await service.request(session, world.farmer2.actor,
                                  BookingCreate(item_id=item.id, start=BASE + timedelta(hours=2),
                                                end=BASE + timedelta(hours=6)), settings)
        await session.commit()

    # Leave the friendly check out of the approval statement, so the second approval reaches the
    # INSERT although the first is committed: the constraint must decide, and the 409 still names
    # the booking in the way.
    unchecked = service.approval_statement(pre_check=False)
    monkeypatch.setattr(service, "approval_statement", lambda: unchecked)

    async def approve(booking_id: int):
        async with committed_sessionmaker() as session:
            try:
                await service.approve(session, world.yard_north.actor, booking_id, settings)
                await session.commit()
                return "approved"
            except Conflict as exc:
                await session.rollback()
                return exc

    results = await asyncio.wait_for(asyncio.gather(approve(a.id), approve(b.id)), timeout=30)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"]
    loser = next(r for r in results if isinstance(r, Conflict))
    assert loser.key == "booking.overlap_booking" and loser.extra["conflict"]["kind"] == "booking"
    async with committed_sessionmaker() as session:
        assert await session.scalar(OVERLAPS) == 0
        assert await session.scalar(text("SELECT count(*) FROM occupancies")) == 1
