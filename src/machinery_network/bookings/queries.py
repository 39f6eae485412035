"""Reading the bookings domain: overlap lookups, lists, conflict flags, blocks and availability.

``occupying`` writes the overlap test exactly as the exclusion constraint ``ex_occupancies_no_overlap``
compares periods, so every lookup here (and the driver statements in ``statements``) uses its GiST index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, DateTime, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor
from machinery_network.bookings.models import Block, Booking, BookingEvent, BookingStatus, Occupancy
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.paging import Page, PageRequest, finish, keyset

OCCUPANCY_LOCK_CLASS = 7301  # first key of pg_advisory_xact_lock(int, int): the occupancies of one item
MAX_WINDOW_DAYS = 400


class Occupying(Protocol):
    """What ``overlap_error`` reads: an ``Occupancy`` or a driver row with the same fields."""

    @property
    def start_at(self) -> datetime: ...
    @property
    def end_at(self) -> datetime: ...
    @property
    def booking_id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class OccupiedPeriod:
    """An occupancy as plain data (read by a driver statement)."""

    start_at: datetime
    end_at: datetime
    booking_id: int | None

_HALF_OPEN = literal_column("'[)'")  # a literal, not a parameter: the index expression must match


def padded_end(end: Any, buffer_minutes: Any) -> ColumnElement[datetime]:
    """``end`` plus the item's buffer, by the function the exclusion constraint uses (migration 0009)."""
    return func.mn_padded_end(end, buffer_minutes, type_=DateTime(timezone=True))


def occupying(start: Any, end: Any, buffer_minutes: Any = 0) -> ColumnElement[bool]:
    """Occupancies whose padded period [start_at, end_at + buffer) overlaps the half-open
    [start, end + buffer_minutes), written as the exclusion constraint compares them, so that
    PostgreSQL finds them in the constraint's GiST index (item, period) instead of reading every
    occupancy of the item. ``buffer_minutes`` is the item's buffer (a column or a value)."""
    return func.tstzrange(Occupancy.start_at, padded_end(Occupancy.end_at, Occupancy.buffer_minutes), _HALF_OPEN).op("&&")(
        func.tstzrange(start, padded_end(end, buffer_minutes), _HALF_OPEN)
    )


def item_buffer(item_id: Any) -> ColumnElement[int]:
    """The item's buffer in minutes, as a scalar subquery."""
    return select(Item.buffer_minutes).where(Item.id == item_id).scalar_subquery()


async def find_overlap(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> Occupancy | None:
    """The first approved booking or block of the item overlapping the half-open [start, end)."""
    if end <= start:  # an empty or reversed period overlaps nothing (and is no range to PostgreSQL)
        return None
    return await session.scalar(
        select(Occupancy)
        .where(Occupancy.item_id == item_id, occupying(start, end, item_buffer(item_id)))
        .order_by(Occupancy.start_at, Occupancy.id)
        .limit(1)
    )


def overlap_error(occupancy: Occupying, settings: Settings) -> Conflict:
    """409 naming the period in the way (ISO times in the API, local German times on the forms)."""
    tz = settings.tz
    kind = "booking" if occupancy.booking_id is not None else "block"
    start, end = occupancy.start_at.astimezone(tz), occupancy.end_at.astimezone(tz)
    return Conflict(
        f"booking.overlap_{kind}",
        start=start.isoformat(), end=end.isoformat(),
        start_de=f"{start:%d.%m.%Y %H:%M}", end_de=f"{end:%d.%m.%Y %H:%M}",
        extra={"conflict": {"start": start.isoformat(), "end": end.isoformat(), "kind": kind}},
    )


async def lock_item(session: AsyncSession, item_id: int) -> None:
    """Serialize the occupancy inserts of one item (transaction-scoped advisory lock).

    Two transactions inserting overlapping rows at the same instant would each wait for the other
    inside the exclusion constraint's check, and PostgreSQL aborts one with a deadlock (40P01)
    instead of the exclusion error. Taking this lock first makes the later one wait and then fail
    cleanly with 23P01. The constraint stays the guarantee; the lock only shapes the failure.
    """
    await session.execute(select(func.pg_advisory_xact_lock(OCCUPANCY_LOCK_CLASS, item_id)))


# --- access --------------------------------------------------------------------------------------


def can_see(actor: Actor, booking: Booking, item: Item) -> bool:
    if actor.is_admin:
        return True
    if actor.role == Role.farmer:
        return booking.farmer_id == actor.id
    return actor.role in (Role.yard_head, Role.finance) and actor.municipality_id == item.municipality_id


async def load(session: AsyncSession, booking_id: int, *, lock: bool = False) -> tuple[Booking, Item]:
    """The booking and its item in one round trip; ``lock`` takes the booking's row lock, so
    decisions on one booking happen one after the other and each sees the previous one committed."""
    stmt = (
        select(Booking, Item)
        .join(Item, Item.id == Booking.item_id)
        .where(Booking.id == booking_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(of=Booking)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise NotFound("booking.not_found", id=booking_id)
    return row[0], row[1]


async def get_booking(session: AsyncSession, actor: Actor, booking_id: int) -> tuple[Booking, list[BookingEvent]]:
    """A booking with its audit trail: the farmer his own, staff of the item's municipality, admin."""
    booking, item = await load(session, booking_id)
    if not can_see(actor, booking, item):
        raise NotAllowed()
    events = list(
        await session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == booking_id).order_by(BookingEvent.at, BookingEvent.id)
        )
    )
    return booking, events


# --- lists ---------------------------------------------------------------------------------------


@dataclass
class BookingRow:
    booking: Booking
    item: Item
    farmer: User


async def list_bookings(
    session: AsyncSession, actor: Actor, *, status: str | None = None, item_id: int | None = None,
    limit: int = 1000,
) -> list[BookingRow]:
    """Farmer: his own; yard head and finance: their municipality's; admin: all. Sorted by start."""
    if status is not None and status not in BookingStatus.__members__:
        raise Invalid("booking.bad_status", field="status")
    stmt = (
        select(Booking, Item, User)
        .join(Item, Item.id == Booking.item_id)
        .join(User, User.id == Booking.farmer_id)
        .order_by(Booking.start_at, Booking.id)
        .limit(limit)
    )
    if actor.role == Role.farmer:
        stmt = stmt.where(Booking.farmer_id == actor.id)
    elif actor.role in (Role.yard_head, Role.finance):
        stmt = stmt.where(Item.municipality_id == actor.municipality_id)
    elif not actor.is_admin:
        raise NotAllowed()
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    if item_id is not None:
        stmt = stmt.where(Booking.item_id == item_id)
    return [BookingRow(b, i, u) for b, i, u in (await session.execute(stmt)).all()]


async def conflict_flags(session: AsyncSession, booking_ids: list[int]) -> dict[int, str]:
    """For open requests: 'taken' when an approved booking/block is in the way, 'competing' when other
    open requests overlap (the yard head chooses)."""
    if not booking_ids:
        return {}
    flags: dict[int, str] = {}
    taken = await session.scalars(
        select(Booking.id).join(Item, Item.id == Booking.item_id).where(
            Booking.id.in_(booking_ids), Booking.status == BookingStatus.requested,
            select(Occupancy.id).where(
                Occupancy.item_id == Booking.item_id,
                occupying(Booking.start_at, Booking.end_at, Item.buffer_minutes),
            ).exists(),
        )
    )
    for booking_id in taken:
        flags[booking_id] = "taken"
    other = aliased(Booking)
    competing = await session.scalars(
        select(Booking.id).where(
            Booking.id.in_(booking_ids), Booking.status == BookingStatus.requested,
            select(other.id).where(
                other.item_id == Booking.item_id, other.id != Booking.id,
                other.status == BookingStatus.requested,
                other.start_at < Booking.end_at, other.end_at > Booking.start_at,
            ).exists(),
        )
    )
    for booking_id in competing:
        flags.setdefault(booking_id, "competing")
    return flags


# --- blocks and availability ---------------------------------------------------------------------


@dataclass
class Busy:
    start: datetime
    end: datetime
    kind: str  # booking | block | buffer (set-up and travel time before and after a booking)
    booking_id: int | None
    block_id: int | None
    reason: str | None


async def availability(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> list[Busy]:
    """Approved/completed bookings and blocks of the item overlapping [start, end), one per row."""
    if end <= start or end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise Invalid("booking.window", field="to", days=MAX_WINDOW_DAYS)
    await get_item(session, item_id)
    rows = await session.execute(
        select(Occupancy, Block.reason)
        .outerjoin(Block, Block.id == Occupancy.block_id)
        .where(Occupancy.item_id == item_id, occupying(start, end))
        .order_by(Occupancy.start_at, Occupancy.id)
    )
    busy: list[Busy] = []
    for o, reason in rows.all():
        kind = "booking" if o.booking_id is not None else "block"
        period = Busy(start=o.start_at, end=o.end_at, kind=kind, booking_id=o.booking_id, block_id=o.block_id,
                      reason=reason)
        if o.buffer_minutes and kind == "booking":
            # The item's set-up and travel time: no other booking may start or end within it.
            pad = timedelta(minutes=o.buffer_minutes)
            busy.append(Busy(start=o.start_at - pad, end=o.start_at, kind="buffer", booking_id=o.booking_id,
                             block_id=None, reason=None))
            busy.append(period)
            busy.append(Busy(start=o.end_at, end=o.end_at + pad, kind="buffer", booking_id=o.booking_id,
                             block_id=None, reason=None))
        else:
            busy.append(period)
    return [b for b in busy if b.end > start and b.start < end]


async def list_blocks(session: AsyncSession, item_id: int, *, since: datetime | None = None) -> list[Block]:
    stmt = select(Block).where(Block.item_id == item_id).order_by(Block.start_at)
    if since is not None:
        stmt = stmt.where(Block.end_at > since)
    return list(await session.scalars(stmt))


BLOCK_ORDER = "blocks:start,id"


async def page_blocks(session: AsyncSession, item_id: int, page: PageRequest) -> Page[Block]:
    """One page of an item's blocks by start, then id (index ``ix_blocks_item_start``)."""
    stmt = keyset(select(Block).where(Block.item_id == item_id), (Block.start_at, Block.id), page)
    return finish(list(await session.scalars(stmt)), page, lambda b: (b.start_at, b.id))


async def requests_overlapping(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> int:
    """How many open requests overlap [start, end): the booking form's hint."""
    rows = await session.scalars(
        select(Booking.id).where(
            Booking.item_id == item_id, Booking.status == BookingStatus.requested,
            and_(Booking.start_at < end, Booking.end_at > start),
        )
    )
    return len(list(rows))


def public_interval(busy: Busy, settings: Settings) -> dict[str, Any]:
    tz = settings.tz
    return {"start": busy.start.astimezone(tz), "end": busy.end.astimezone(tz), "kind": busy.kind}

