"""Demo bookings: a few completed ones in the past months (with their charges), approved and
requested ones in the coming weeks (two competing for the same slot) and a maintenance block.

Called from ``machinery_network.demo.load_demo``; idempotent (skipped once demo bookings exist).
Upcoming bookings go through the same service functions as the routes; past ones cannot (a request
in the past is refused), so they are written as the service would have left them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import actor_of
from machinery_network.bookings import service
from machinery_network.bookings.models import (
    Block,
    Booking,
    BookingData,
    BookingEvent,
    BookingStatus,
    Occupancy,
)
from machinery_network.bookings.schemas import BlockCreate, BookingCreate
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.errors import DomainError
from machinery_network.ledger import service as ledger
from machinery_network.money import line_amounts

MARK = "[Demo] "

# item name, farmer index, days from today, start hour, hours (or days for day items), quantity at completion
PAST = [
    ("Traktor 120 PS mit Mulcher", 0, -52, 8, 4, Decimal("3.5")),
    ("Böschungsmäher (Auslegemäher)", 1, -33, 7, 6, Decimal("6")),
    ("Grabenfräse", 3, -20, 7, 2, Decimal("2")),
    ("Wiesenschleppe", 5, -12, 9, 5, Decimal("8.4")),
]
UPCOMING_APPROVED = [
    ("Kehrmaschine", 2, 6, 8, 3),
    ("Minibagger 3 t", 6, 10, 7, 2),
]
UPCOMING_REQUESTED = [
    ("Traktor 120 PS mit Mulcher", 4, 4, 8, 5),
    ("Traktor 120 PS mit Mulcher", 7, 4, 10, 4),  # competes with the one above: the yard head chooses
    ("Heckenschere am Ausleger", 8, 15, 9, 6),
]


def _at(day: date, hour: int, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


async def load_demo_bookings(session: AsyncSession, farmers: list[User], settings: Settings) -> None:
    if await session.scalar(select(col(Booking.id)).where(col(Booking.note).startswith(MARK)).limit(1)):
        return
    tz = settings.tz
    today = clock.today(tz)
    items = {item.name: item for item in await session.scalars(select(Item))}
    heads = {
        u.municipality_id: u
        for u in await session.scalars(select(User).where(col(User.role) == Role.yard_head).order_by(col(User.id)))
    }

    def span(item: Item, day: date, hour: int, length: int) -> tuple[datetime, datetime]:
        start = _at(day, hour, tz)
        if item.unit == "day":
            return start, _at(day + timedelta(days=length - 1), 17, tz)
        return start, start + timedelta(hours=length)

    for name, farmer_index, offset, hour, length, quantity in PAST:
        item = items.get(name)
        head = heads.get(item.municipality_id) if item else None
        if item is None or head is None:
            continue
        farmer = farmers[farmer_index]
        assert item.id is not None and farmer.id is not None
        start, end = span(item, today + timedelta(days=offset), hour, length)
        if await service.find_overlap(session, item.id, start, end) is not None:
            continue
        amounts = line_amounts(quantity, item.rate_cents, item.vat_percent)
        booking = Booking(item_id=item.id, farmer_id=farmer.id, start_at=start, end_at=end, with_operator=False,
                          note=MARK + "Pflege der Feldränder", status=BookingStatus.completed,
                          estimated_cents=service.estimate(item, start, end, with_operator=False,
                                                           expected_quantity=quantity, settings=settings).gross_cents,
                          quantity=quantity, charge_cents=amounts.gross_cents, decided_by=head.id,
                          decided_at=start - timedelta(days=3), created_at=start - timedelta(days=5))
        session.add(booking)
        await session.flush()
        assert booking.id is not None
        session.add(Occupancy(item_id=item.id, start_at=start, end_at=end, booking_id=booking.id))
        for from_status, to_status, actor_id, at in (
            (None, BookingStatus.requested, farmer.id, start - timedelta(days=5)),
            (BookingStatus.requested, BookingStatus.approved, head.id, start - timedelta(days=3)),
            (BookingStatus.approved, BookingStatus.completed, head.id, end + timedelta(hours=2)),
        ):
            session.add(BookingEvent(booking_id=booking.id, actor_id=actor_id, from_status=from_status,
                                     to_status=to_status, at=at))
        await ledger.post_charge(
            session, farmer_id=farmer.id, municipality_id=item.municipality_id, value_date=start.date(),
            amounts=amounts, vat_percent=item.vat_percent, item_name=item.name, quantity=quantity, unit=item.unit,
            rate_cents=item.rate_cents, booking_id=booking.id, actor=actor_of(head),
        )

    async def ask(name: str, farmer_index: int, offset: int, hour: int, length: int) -> BookingData | Booking | None:
        item = items.get(name)
        if item is None:
            return None
        assert item.id is not None
        start, end = span(item, today + timedelta(days=offset), hour, length)
        try:
            async with session.begin_nested():
                return await service.request(
                    session, actor_of(farmers[farmer_index]),
                    BookingCreate(item_id=item.id, start=start, end=end, note=MARK + "Bitte mit vollem Tank"),
                    settings,
                )
        except DomainError:
            return None

    for row in UPCOMING_APPROVED:
        asked = await ask(*row)
        if asked is not None:
            assert asked.id is not None
            head = heads.get(items[row[0]].municipality_id)
            if head is None:
                continue
            try:
                async with session.begin_nested():
                    await service.approve(session, actor_of(head), asked.id, settings)
            except DomainError:
                pass
    for row in UPCOMING_REQUESTED:
        await ask(*row)

    mower = items.get("Böschungsmäher (Auslegemäher)")
    if mower is not None and mower.id is not None and mower.municipality_id in heads:
        start = _at(today + timedelta(days=8), 6, tz)
        exists = await session.scalar(
            select(col(Block.id)).where(col(Block.item_id) == mower.id, col(Block.start_at) == start))
        if not exists:
            try:
                async with session.begin_nested():
                    await service.create_block(session, actor_of(heads[mower.municipality_id]), mower.id,
                                               BlockCreate(start=start, end=start + timedelta(hours=10),
                                                           reason="Wartung: Messerwechsel"), settings)
            except DomainError:
                pass
    await session.flush()
