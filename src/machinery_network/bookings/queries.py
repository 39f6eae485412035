"""Reading the bookings domain: overlap lookups, lists, conflict flags, blocks and availability.

``occupying`` writes the overlap test exactly as the exclusion constraint ``ex_occupancies_no_overlap``
compares periods, so every lookup here (and the driver statements in ``statements``) uses its GiST index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnClause, ColumnElement, DateTime, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from machinery_network._sa import pk
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

_HALF_OPEN: ColumnClause[str] = literal_column("'[)'")  # a literal, not a parameter: the index expression must match


def padded_end(end: Any, buffer_minutes: Any) -> ColumnElement[datetime]:
    """``end`` plus the item's buffer, by the function the exclusion constraint uses (migration 0009)."""
    return func.mn_padded_end(end, buffer_minutes, type_=DateTime(timezone=True))


def occupying(start: Any, end: Any, buffer_minutes: Any = 0) -> ColumnElement[bool]:
    """Occupancies whose padded period [start_at, end_at + buffer) overlaps the half-open
    [start, end + buffer_minutes), written as the exclusion constraint compares them, so that
    PostgreSQL finds them in the constraint's GiST index (item, period) instead of reading every
    occupancy of the item. ``buffer_minutes`` is the item's buffer (a column or a value)."""
    padded = padded_end(col(Occupancy.end_at), col(Occupancy.buffer_minutes))
    return func.tstzrange(col(Occupancy.start_at), padded, _HALF_OPEN).op("&&")(
        func.tstzrange(start, padded_end(end, buffer_minutes), _HALF_OPEN)
    )


def item_buffer(item_id: Any) -> ColumnElement[int]:
    """The item's buffer in minutes, as a scalar subquery."""
    return select(col(Item.buffer_minutes)).where(col(Item.id) == item_id).scalar_subquery()


async def find_overlap(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> Occupancy | None:
    """The first approved booking or block of the item overlapping the half-open [start, end)."""
    if end <= start:  # an empty or reversed period overlaps nothing (and is no range to PostgreSQL)
        return None
    return await session.scalar(
        select(Occupancy)
        .where(col(Occupancy.item_id) == item_id, occupying(start, end, item_buffer(item_id)))
        .order_by(col(Occupancy.start_at), col(Occupancy.id))
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
        .join(Item, col(Item.id) == col(Booking.item_id))
        .where(col(Booking.id) == booking_id)
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
            select(BookingEvent).where(col(BookingEvent.booking_id) == booking_id)
            .order_by(col(BookingEvent.at), col(BookingEvent.id))
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
        .join(Item, col(Item.id) == col(Booking.item_id))
        .join(User, col(User.id) == col(Booking.farmer_id))
        .order_by(col(Booking.start_at), col(Booking.id))
        .limit(limit)
    )
    if actor.role == Role.farmer:
        stmt = stmt.where(col(Booking.farmer_id) == actor.id)
    elif actor.role in (Role.yard_head, Role.finance):
        stmt = stmt.where(col(Item.municipality_id) == actor.municipality_id)
    elif not actor.is_admin:
        raise NotAllowed()
    if status is not None:
        stmt = stmt.where(col(Booking.status) == status)
    if item_id is not None:
        stmt = stmt.where(col(Booking.item_id) == item_id)
    return [BookingRow(b, i, u) for b, i, u in (await session.execute(stmt)).all()]


async def conflict_flags(session: AsyncSession, booking_ids: list[int]) -> dict[int, str]:
    """For open requests: 'taken' when an approved booking/block is in the way, 'competing' when other
    open requests overlap (the yard head chooses)."""
    if not booking_ids:
        return {}
    flags: dict[int, str] = {}
    taken = await session.scalars(
        select(pk(Booking)).join(Item, col(Item.id) == col(Booking.item_id)).where(
            col(Booking.id).in_(booking_ids), col(Booking.status) == BookingStatus.requested,
            select(col(Occupancy.id)).where(
                col(Occupancy.item_id) == col(Booking.item_id),
                occupying(col(Booking.start_at), col(Booking.end_at), col(Item.buffer_minutes)),
            ).exists(),
        )
    )
    for booking_id in taken:
        flags[booking_id] = "taken"
    other = aliased(Booking)
    competing = await session.scalars(
        select(pk(Booking)).where(
            col(Booking.id).in_(booking_ids), col(Booking.status) == BookingStatus.requested,
            select(col(other.id)).where(
                col(other.item_id) == col(Booking.item_id), col(other.id) != col(Booking.id),
                col(other.status) == BookingStatus.requested,
                col(other.start_at) < col(Booking.end_at), col(other.end_at) > col(Booking.start_at),
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
        select(Occupancy, col(Block.reason))
        .outerjoin(Block, col(Block.id) == col(Occupancy.block_id))
        .where(col(Occupancy.item_id) == item_id, occupying(start, end))
        .order_by(col(Occupancy.start_at), col(Occupancy.id))
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
    stmt = select(Block).where(col(Block.item_id) == item_id).order_by(col(Block.start_at))
    if since is not None:
        stmt = stmt.where(col(Block.end_at) > since)
    return list(await session.scalars(stmt))


BLOCK_ORDER = "blocks:start,id"


async def page_blocks(session: AsyncSession, item_id: int, page: PageRequest) -> Page[Block]:
    """One page of an item's blocks by start, then id (index ``ix_blocks_item_start``)."""
    stmt = keyset(select(Block).where(col(Block.item_id) == item_id), (col(Block.start_at), col(Block.id)), page)
    return finish(list(await session.scalars(stmt)), page, lambda b: (b.start_at, b.id))


async def requests_overlapping(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> int:
    """How many open requests overlap [start, end): the booking form's hint."""
    rows = await session.scalars(
        select(col(Booking.id)).where(
            col(Booking.item_id) == item_id, col(Booking.status) == BookingStatus.requested,
            and_(col(Booking.start_at) < end, col(Booking.end_at) > start),
        )
    )
    return len(list(rows))


def public_interval(busy: Busy, settings: Settings) -> dict[str, Any]:
    tz = settings.tz
    return {"start": busy.start.astimezone(tz), "end": busy.end.astimezone(tz), "kind": busy.kind}

