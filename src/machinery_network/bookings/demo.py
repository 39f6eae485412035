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


# --- a contested machine: the fair draw -----------------------------------------------------------

CONTESTED = "Böschungsmäher (Auslegemäher)"
DRAW_SEED = 20260817  # the demo's past draw, published like any seed: the same result on every load
DEADLINE_WEEKDAY, DEADLINE_TIME = 4, time(12, 0)  # Thursday 12:00 for the following week
# farmer index, weekday (0 = Monday), start hour, hours: last week's requests, drawn at its deadline (farmers
# the browser tests do not book for, so that their lists stay theirs)
PAST_DRAW = [(4, 1, 7, 5), (3, 1, 9, 4), (5, 1, 8, 3), (3, 2, 7, 4), (9, 2, 10, 4), (4, 3, 12, 4)]
# the requests collected for the next week still open for requests
NEXT_WEEK = [(4, 1, 7, 5), (5, 1, 8, 4), (9, 1, 13, 3), (3, 3, 7, 6), (6, 3, 9, 4)]


async def load_demo_draws(session: AsyncSession, farmers: list[User], settings: Settings) -> None:
    """The mower is contested: last week was drawn at its deadline (a result to look at, some requests
    on the waiting list), and the current contested season collects requests for the next open week.
    Idempotent: skipped once the mower has a contested season."""
    from machinery_network.auth import SYSTEM
    from machinery_network.bookings import draws
    from machinery_network.bookings.draw_models import ContestedSeason

    item = await session.scalar(select(Item).where(col(Item.name) == CONTESTED))
    if item is None or item.id is None:
        return
    if await session.scalar(select(col(ContestedSeason.id)).where(col(ContestedSeason.item_id) == item.id).limit(1)):
        return
    head = await session.scalar(select(User).where(col(User.role) == Role.yard_head,
                                                   col(User.municipality_id) == item.municipality_id))
    if head is None:
        return
    tz, now = settings.tz, clock.now()
    this_week = draws.week_start(now.astimezone(tz).date())
    past_week, open_week = this_week - timedelta(days=7), this_week + timedelta(days=7)

    async def contest(first_day: date, last_day: date) -> ContestedSeason:
        season = await draws.mark_contested(session, actor_of(head), item.id or 0, draws.SeasonInput(
            first_day, last_day, DEADLINE_WEEKDAY, DEADLINE_TIME))
        season.created_at = datetime.combine(first_day - timedelta(days=14), time(9), tz)
        return season

    # Last week: contested, its requests written as the request route leaves them, drawn at the deadline.
    past = await contest(past_week, past_week + timedelta(days=6))
    deadline = draws.deadline_of(past_week, past, settings)
    for n, (farmer_index, weekday, hour, hours) in enumerate(PAST_DRAW):
        start = _at(past_week + timedelta(days=weekday), hour, tz)
        end, asked = start + timedelta(hours=hours), deadline - timedelta(days=2, hours=-n)
        farmer = farmers[farmer_index]
        assert farmer.id is not None
        booking = Booking(item_id=item.id, farmer_id=farmer.id, start_at=start, end_at=end, with_operator=False,
                          note=MARK + "Böschungen vor der Ernte", status=BookingStatus.requested, in_draw=True,
                          estimated_cents=service.estimate(item, start, end, with_operator=False,
                                                           expected_quantity=None, settings=settings).gross_cents,
                          created_at=asked)
        session.add(booking)
        await session.flush()
        assert booking.id is not None
        session.add(BookingEvent(booking_id=booking.id, actor_id=farmer.id, from_status=None,
                                 to_status=BookingStatus.requested, at=asked))
    await session.flush()
    due = draws.DueWeek(item.id, past.id or 0, past.first_day, past_week)
    await draws.draw_weeks(session, SYSTEM, [(due, item)], settings, trigger="scheduler",
                           seeds={item.id: DRAW_SEED}, now=deadline + timedelta(minutes=3))

    # The current season, from the next week still open for requests, eight weeks long.
    if draws.deadline_of(open_week, past, settings) <= now:
        open_week += timedelta(days=7)
    await contest(open_week, open_week + timedelta(days=8 * 7 - 1))
    for farmer_index, weekday, hour, hours in NEXT_WEEK:
        start = _at(open_week + timedelta(days=weekday), hour, tz)
        try:
            async with session.begin_nested():
                await service.request(session, actor_of(farmers[farmer_index]), BookingCreate(
                    item_id=item.id, start=start, end=start + timedelta(hours=hours),
                    note=MARK + "Böschungen vor der Ernte"), settings)
        except DomainError:
            continue
    await session.flush()
