"""Use cases of the bookings domain: request, estimate, decide, cancel, complete; blocks; availability.

The rule "no two approved bookings or blocks of one item overlap" lives in the database: every
approved (or completed) booking and every block has one row in ``occupancies``, whose exclusion
constraint ``ex_occupancies_no_overlap`` refuses an overlapping row even when two yard heads
approve at the same instant. The checks here only give the friendly answer first; the constraint's
error (SQLSTATE 23P01) is turned into the very same 409, naming the period that is in the way.

Lifecycle: requested → approved | rejected | cancelled; approved → completed | cancelled.
Every status change writes a ``BookingEvent`` (who, when, from, to).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import asyncpg
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.bookings.models import (
    Block,
    Booking,
    BookingData,
    BookingEvent,
    BookingStatus,
    Occupancy,
)
from machinery_network.bookings.schemas import BlockCreate, BookingCreate, CompleteInput
from machinery_network.catalogue.models import Item, ItemUnit
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import (
    EXCLUSION_VIOLATION,
    UNIQUE_VIOLATION,
    DriverStatement,
    driver,
    for_driver,
    sqlstate,
)
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.ledger import service as ledger
from machinery_network.money import LineAmounts, line_amounts
from machinery_network.notifications import service as notifications

OCCUPANCY_LOCK_CLASS = 7301  # first key of pg_advisory_xact_lock(int, int): the occupancies of one item
OPERATOR_HOURS_PER_DAY = Decimal(8)
MAX_WINDOW_DAYS = 400
_MICROS_PER_HOUR = Decimal(3_600_000_000)


# --- the estimate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """What the farmer will probably pay: None amounts when the unit needs an expected quantity."""

    unit: str
    quantity: Decimal | None
    operator_hours: Decimal | None
    amounts: LineAmounts | None

    @property
    def gross_cents(self) -> int | None:
        return self.amounts.gross_cents if self.amounts else None


def booked_hours(start: datetime, end: datetime) -> Decimal:
    """Elapsed hours of [start, end) (real time: a DST night has 23 or 25 hours)."""
    # In UTC: Python subtracts two times of the same tzinfo as wall-clock times, ignoring DST.
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    return Decimal(elapsed // timedelta(microseconds=1)) / _MICROS_PER_HOUR


def days_touched(start: datetime, end: datetime, settings: Settings) -> int:
    """Calendar days of the network's time zone that [start, end) touches (the end itself excluded)."""
    tz = settings.tz
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return (last - first).days + 1


def estimate(
    item: Item,
    start: datetime,
    end: datetime,
    *,
    with_operator: bool,
    expected_quantity: Decimal | None,
    settings: Settings,
) -> Estimate:
    """The contract's estimate rules per unit; VAT on top, rounded once (``money.line_amounts``)."""
    operator = with_operator and item.operator_rate_cents is not None
    operator_hours: Decimal | None = None
    if item.unit == ItemUnit.hour:
        quantity: Decimal | None = booked_hours(start, end)
        operator_hours = quantity if operator else None
    elif item.unit == ItemUnit.day:
        quantity = Decimal(days_touched(start, end, settings))
        operator_hours = quantity * OPERATOR_HOURS_PER_DAY if operator else None
    elif item.unit == ItemUnit.flat:
        quantity = Decimal(1)
    else:  # hectare, km: only the farmer knows how much
        quantity = expected_quantity
    if quantity is None:
        return Estimate(unit=item.unit, quantity=None, operator_hours=None, amounts=None)
    amounts = line_amounts(
        quantity, item.rate_cents, item.vat_percent,
        operator_hours=operator_hours or 0,
        operator_rate_cents=item.operator_rate_cents if operator else None,
    )
    return Estimate(unit=item.unit, quantity=quantity, operator_hours=operator_hours, amounts=amounts)


async def estimate_for(session: AsyncSession, settings: Settings, data: BookingCreate) -> Estimate:
    """The live estimate of the booking form / ``GET /bookings/estimate`` (no refusal but 404)."""
    item = await get_item(session, data.item_id)
    return estimate(item, data.start, data.end, with_operator=data.with_operator,
                    expected_quantity=data.expected_quantity, settings=settings)


# --- overlaps -----------------------------------------------------------------------------------

_HALF_OPEN = literal_column("'[)'")  # a literal, not a parameter: the index expression must match


def occupying(start: Any, end: Any) -> ColumnElement[bool]:
    """Occupancies overlapping the half-open [start, end), written as the exclusion constraint
    compares them, so that PostgreSQL finds them in the constraint's GiST index (item, period)
    instead of reading every occupancy of the item."""
    return func.tstzrange(Occupancy.start_at, Occupancy.end_at, _HALF_OPEN).op("&&")(
        func.tstzrange(start, end, _HALF_OPEN)
    )


async def find_overlap(
    session: AsyncSession, item_id: int, start: datetime, end: datetime
) -> Occupancy | None:
    """The first approved booking or block of the item overlapping the half-open [start, end)."""
    if end <= start:  # an empty or reversed period overlaps nothing (and is no range to PostgreSQL)
        return None
    return await session.scalar(
        select(Occupancy)
        .where(Occupancy.item_id == item_id, occupying(start, end))
        .order_by(Occupancy.start_at, Occupancy.id)
        .limit(1)
    )


def overlap_error(occupancy: Occupancy, settings: Settings) -> Conflict:
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


async def _lock_item(session: AsyncSession, item_id: int) -> None:
    """Serialize the occupancy inserts of one item (transaction-scoped advisory lock).

    Two transactions inserting overlapping rows at the same instant would each wait for the other
    inside the exclusion constraint's check, and PostgreSQL aborts one with a deadlock (40P01)
    instead of the exclusion error. Taking this lock first makes the later one wait and then fail
    cleanly with 23P01. The constraint stays the guarantee; the lock only shapes the failure.
    """
    await session.execute(select(func.pg_advisory_xact_lock(OCCUPANCY_LOCK_CLASS, item_id)))


# --- access --------------------------------------------------------------------------------------


def _can_see(actor: Actor, booking: Booking, item: Item) -> bool:
    if actor.is_admin:
        return True
    if actor.role == Role.farmer:
        return booking.farmer_id == actor.id
    return actor.role in (Role.yard_head, Role.finance) and actor.municipality_id == item.municipality_id


async def _load(session: AsyncSession, booking_id: int, *, lock: bool = False) -> tuple[Booking, Item]:
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
    booking, item = await _load(session, booking_id)
    if not _can_see(actor, booking, item):
        raise NotAllowed()
    events = list(
        await session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == booking_id).order_by(BookingEvent.at, BookingEvent.id)
        )
    )
    return booking, events


async def _record(
    session: AsyncSession, booking: Booking, actor: Actor, to_status: str, note: str | None = None
) -> None:
    """The audit trail: who moved the booking from which status to which, and when."""
    await session.execute(
        insert(BookingEvent).values(booking_id=booking.id, actor_id=actor.id, from_status=booking.status,
                                    to_status=to_status, note=note, at=clock.now())
    )
    booking.status = to_status


# --- the farmer's side ---------------------------------------------------------------------------


def _check_period(start: datetime, end: datetime, settings: Settings) -> None:
    if end <= start:
        raise Invalid("booking.end_before_start", field="end")
    now = clock.now()
    if start < now:
        raise Invalid("booking.start_in_past", field="start")
    horizon = now + timedelta(days=settings.booking_horizon_days)
    if start > horizon or end > horizon:
        raise Invalid("booking.beyond_horizon", field="end" if start <= horizon else "start",
                      days=settings.booking_horizon_days)


_BOOKING_VALUES = ("item_id", "farmer_id", "start_at", "end_at", "with_operator", "expected_quantity", "note",
                   "status", "estimated_cents", "created_at")


@functools.cache
def _request_lookup() -> DriverStatement:
    """The item and the first approved booking or block of it in the way of [start, end)."""
    start, end = bindparam("start", type_=DateTime(timezone=True)), bindparam("end", type_=DateTime(timezone=True))
    return for_driver(
        select(Item.id, Item.name, Item.municipality_id, Item.active, Item.unit, Item.rate_cents,
               Item.operator_rate_cents, Item.vat_percent, Occupancy.start_at, Occupancy.end_at,
               Occupancy.booking_id, Occupancy.block_id)
        .outerjoin(Occupancy, and_(Occupancy.item_id == Item.id, occupying(start, end)))
        .where(Item.id == bindparam("item_id", type_=Integer))
        .order_by(Occupancy.start_at, Occupancy.id)
        .limit(1)
    )


@functools.cache
def _request_statement() -> DriverStatement:
    """One statement writes a new request, its first event and the yard heads' notification."""
    inserted = (
        insert(Booking.__table__)
        .values({name: bindparam(name, type_=Booking.__table__.c[name].type) for name in _BOOKING_VALUES})
        .returning(Booking.__table__.c.id)
        .cte("inserted")
    )
    event = (
        insert(BookingEvent.__table__)
        .from_select(
            ["booking_id", "actor_id", "from_status", "to_status", "at"],
            select(inserted.c.id, bindparam("actor_id", type_=Integer), null(),
                   literal(BookingStatus.requested.value), bindparam("now", type_=DateTime(timezone=True))),
        )
        .cte("event")
    )
    return for_driver(select(inserted.c.id).add_cte(event, notifications.request_notice(inserted)))


async def request(session: AsyncSession, actor: Actor, data: BookingCreate, settings: Settings) -> BookingData:
    """A farmer asks for an item; it may overlap other requests but no approved booking or block.

    The busiest route, so it sends two prepared statements through the driver (``db.driver``) and
    builds no unit of work: one reads the item and the first approved booking/block in the way; one
    writes the booking, its first event and an outbox row for each yard head of the item's municipality.
    That one statement is atomic by itself, so no transaction is begun for them (no BEGIN and COMMIT
    round trips); inside a transaction the caller began, they are part of it.
    """
    require_role(actor, Role.farmer)
    data = data.model_copy(update={"start": data.start.astimezone(UTC), "end": data.end.astimezone(UTC)})
    _check_period(data.start, data.end, settings)
    conn = await driver(session, begin=False)
    record = await _request_lookup().fetchrow(conn, {"item_id": data.item_id, "start": data.start, "end": data.end})
    if record is None:
        raise NotFound("item.not_found", id=data.item_id)
    row = SimpleNamespace(**record)  # carries the attributes ``estimate`` and ``overlap_error`` read
    if not row.active:
        raise Invalid("booking.item_inactive", field="item_id")
    if data.with_operator and row.operator_rate_cents is None:
        raise Invalid("booking.no_operator", field="with_operator")
    if row.start_at is not None:
        raise overlap_error(row, settings)
    estimated = estimate(row, data.start, data.end, with_operator=data.with_operator,
                         expected_quantity=data.expected_quantity, settings=settings)
    now = clock.now()
    values = {
        "item_id": row.id, "farmer_id": actor.id, "start_at": data.start, "end_at": data.end,
        "with_operator": data.with_operator, "expected_quantity": data.expected_quantity,
        "note": (data.note or "").strip() or None, "status": BookingStatus.requested.value,
        "estimated_cents": estimated.gross_cents, "created_at": now,
    }
    booking_id = await _request_statement().fetchval(
        conn,
        {
            **values, "actor_id": actor.id, "now": now, "municipality_id": row.municipality_id,
            **notifications.request_notice_params(
                item_name=row.name, farmer_name=actor.name, start=data.start, end=data.end,
                estimated_cents=estimated.gross_cents, note=values["note"],
            ),
        },
    )
    return BookingData(id=booking_id, **values)


async def cancel(session: AsyncSession, actor: Actor, booking_id: int) -> Booking:
    """The farmer withdraws a request or an approved booking before it starts."""
    require_role(actor, Role.farmer)
    booking, item = await _load(session, booking_id, lock=True)
    if booking.farmer_id != actor.id:
        raise NotAllowed()
    if booking.status not in (BookingStatus.requested, BookingStatus.approved):
        raise Conflict("booking.not_cancellable", status=booking.status)
    if clock.now() >= booking.start_at:
        raise Conflict("booking.already_started")
    if booking.status == BookingStatus.approved:
        await session.execute(delete(Occupancy).where(Occupancy.booking_id == booking.id))
    await notifications.notify_booking(session, "cancelled", booking, item)
    await _record(session, booking, actor, BookingStatus.cancelled)
    await session.flush()
    return booking


# --- the yard head's side ------------------------------------------------------------------------


_BOOKING_COLUMNS = tuple(column.name for column in Booking.__table__.c)


@functools.cache
def _approval_lookup() -> DriverStatement:
    """The booking (row-locked) with what an approval needs of its item, after taking the item's
    occupancy lock (``_lock_item``): approvals of one item happen one after the other."""
    bookings = Booking.__table__
    return for_driver(
        select(bookings, Item.municipality_id.label("item_municipality_id"), Item.name.label("item_name"),
               func.pg_advisory_xact_lock(OCCUPANCY_LOCK_CLASS, bookings.c.item_id).label("locked"))
        .join(Item, Item.id == bookings.c.item_id)
        .where(bookings.c.id == bindparam("booking_id", type_=Integer))
        .with_for_update(of=bookings)
    )


@functools.cache
def _approval_statement(pre_check: bool = True) -> DriverStatement:
    """Occupy the period unless an approved booking or block is in the way, and only then mark the
    booking approved and write its event and the farmer's notification: one statement; it returns
    the booking id, or nothing.

    ``pre_check=False`` leaves out the look for an occupancy in the way, so that tests can show the
    exclusion constraint deciding alone."""
    occupancies, bookings, events = Occupancy.__table__, Booking.__table__, BookingEvent.__table__
    item_id, booking_id = bindparam("item_id", type_=Integer), bindparam("booking_id", type_=Integer)
    start, end = bindparam("start", type_=DateTime(timezone=True)), bindparam("end", type_=DateTime(timezone=True))
    actor_id, now = bindparam("actor_id", type_=Integer), bindparam("now", type_=DateTime(timezone=True))
    in_the_way = (
        select(occupancies.c.id)
        .where(occupancies.c.item_id == item_id, occupying(start, end))
        .exists()
    )
    occupied = (
        insert(occupancies)
        .from_select(["item_id", "start_at", "end_at", "booking_id"],
                     select(item_id, start, end, booking_id).where(~in_the_way if pre_check else true()))
        .returning(occupancies.c.booking_id)
        .cte("occupied")
    )
    approved = (
        update(bookings)
        .where(bookings.c.id.in_(select(occupied.c.booking_id)))
        .values(status=BookingStatus.approved.value, decided_by=actor_id, decided_at=now)
        .returning(bookings.c.id)
        .cte("approved")
    )
    event = (
        insert(events)
        .from_select(["booking_id", "actor_id", "from_status", "to_status", "at"],
                     select(approved.c.id, actor_id, literal(BookingStatus.requested.value),
                            literal(BookingStatus.approved.value), now))
        .cte("event")
    )
    notice = notifications.decision_notice("approved", after=approved).cte("notice")
    return for_driver(select(approved.c.id).add_cte(occupied, event, notice))


async def approve(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings) -> BookingData:
    """The yard head of the item's municipality approves a request, unless the period is taken.

    A busy route: two prepared statements through the driver. The period check here (under the
    item's lock) gives the 409 naming the period in the way; the exclusion constraint on
    ``occupancies`` stays the guarantee. When the constraint refuses, the session is rolled back.
    """
    conn = await driver(session)
    record = await _approval_lookup().fetchrow(conn, {"booking_id": booking_id})
    if record is None:
        raise NotFound("booking.not_found", id=booking_id)
    require_for_municipality(actor, record["item_municipality_id"], Role.yard_head)
    booking = BookingData(**{name: record[name] for name in _BOOKING_COLUMNS})
    if booking.status != BookingStatus.requested:
        raise Conflict("booking.not_requested", status=booking.status)
    now = clock.now()
    try:
        approved = await _approval_statement().fetchval(conn, {
            "item_id": booking.item_id, "booking_id": booking.id, "start": booking.start_at, "end": booking.end_at,
            "actor_id": actor.id, "now": now,
            **notifications.decision_params("approved", booking, record["item_name"], record["item_municipality_id"],
                                            now),
        })
    except asyncpg.ExclusionViolationError as exc:
        # The constraint decided (the check above cannot see what it missed), and the transaction is
        # lost. In a request's own session: roll it back and look up the period in the way in a
        # fresh one. Inside a caller's savepoint, rolling back is the caller's to do.
        if session.in_nested_transaction():
            raise Conflict("booking.overlap_gone") from exc
        await session.rollback()
        approved = None
    if approved is None:
        other = await find_overlap(session, booking.item_id, booking.start_at, booking.end_at)
        raise overlap_error(other, settings) if other is not None else Conflict("booking.overlap_gone")
    booking.status, booking.decided_by, booking.decided_at = BookingStatus.approved.value, actor.id, now
    return booking


async def reject(session: AsyncSession, actor: Actor, booking_id: int, reason: str) -> Booking:
    booking, item = await _load(session, booking_id, lock=True)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if booking.status != BookingStatus.requested:
        raise Conflict("booking.not_requested", status=booking.status)
    booking.reject_reason = reason
    booking.decided_by = actor.id
    booking.decided_at = clock.now()
    await _record(session, booking, actor, BookingStatus.rejected, note=reason)
    await notifications.notify_booking(session, "rejected", booking, item, reason=reason)
    await session.flush()
    return booking


async def complete(
    session: AsyncSession, actor: Actor, booking_id: int, data: CompleteInput, settings: Settings
) -> Booking:
    """Record the actual use and post the charge (value date: the booking's start day)."""
    booking, item = await _load(session, booking_id, lock=True)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if booking.status != BookingStatus.approved:
        raise Conflict("booking.not_approved", status=booking.status)
    if clock.now() < booking.start_at:
        raise Conflict("booking.not_started")
    if data.quantity <= 0:
        raise Invalid("booking.quantity_positive", field="quantity")
    operator_hours = data.with_operator_hours
    if operator_hours is None:
        # Not given for a booking with operator: the estimate's rule applied to the actual use
        # (the operator works the machine's hours, 8 hours a day), so his time is never lost.
        operator_hours = Decimal(0)
        if booking.with_operator and item.operator_rate_cents is not None:
            if item.unit == ItemUnit.hour:
                operator_hours = data.quantity
            elif item.unit == ItemUnit.day:
                operator_hours = data.quantity * OPERATOR_HOURS_PER_DAY
    if operator_hours > 0 and item.operator_rate_cents is None:
        raise Invalid("booking.operator_hours_without_rate", field="with_operator_hours")
    amounts = line_amounts(
        data.quantity, item.rate_cents, item.vat_percent,
        operator_hours=operator_hours, operator_rate_cents=item.operator_rate_cents,
    )
    try:
        async with session.begin_nested():
            await ledger.post_charge(
                session, farmer_id=booking.farmer_id, municipality_id=item.municipality_id,
                value_date=booking.start_at.astimezone(settings.tz).date(), amounts=amounts,
                vat_percent=item.vat_percent, item_name=item.name, quantity=data.quantity, unit=item.unit,
                rate_cents=item.rate_cents, booking_id=booking.id, actor=actor,
            )
    except IntegrityError as exc:  # one charge per booking (unique index): completed concurrently
        if sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict("booking.not_approved", status=BookingStatus.completed) from exc
        raise
    booking.quantity = data.quantity
    booking.operator_hours = operator_hours if operator_hours > 0 else None
    booking.charge_cents = amounts.gross_cents
    await _record(session, booking, actor, BookingStatus.completed)
    await session.flush()
    return booking


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
        select(Booking.id).where(
            Booking.id.in_(booking_ids), Booking.status == BookingStatus.requested,
            select(Occupancy.id).where(
                Occupancy.item_id == Booking.item_id, occupying(Booking.start_at, Booking.end_at),
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


async def create_block(
    session: AsyncSession, actor: Actor, item_id: int, data: BlockCreate, settings: Settings
) -> Block:
    """Maintenance or own use by the building yard: 409 when an approved booking or block is in the way."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    data = data.model_copy(update={"start": data.start.astimezone(UTC), "end": data.end.astimezone(UTC)})
    if data.end <= data.start:
        raise Invalid("booking.end_before_start", field="end")
    other = await find_overlap(session, item.id, data.start, data.end)
    if other is not None:
        raise overlap_error(other, settings)
    block = Block(item_id=item.id, start_at=data.start, end_at=data.end, reason=data.reason,
                  created_by=actor.id, created_at=clock.now())
    await _lock_item(session, item.id)
    try:
        async with session.begin_nested():
            session.add(block)
            await session.flush()
            session.add(Occupancy(item_id=item.id, start_at=data.start, end_at=data.end, block_id=block.id))
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            other = await find_overlap(session, item.id, data.start, data.end)
            if other is not None:
                raise overlap_error(other, settings) from exc
            raise Conflict("booking.overlap_gone") from exc
        raise
    return block


async def remove_block(session: AsyncSession, actor: Actor, block_id: int) -> None:
    block = await session.get(Block, block_id)
    if block is None:
        raise NotFound("block.not_found", id=block_id)
    item = await get_item(session, block.item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    await session.delete(block)  # its occupancy goes with it (ON DELETE CASCADE)
    await session.flush()


@dataclass
class Busy:
    start: datetime
    end: datetime
    kind: str  # booking | block
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
    return [
        Busy(start=o.start_at, end=o.end_at, kind="booking" if o.booking_id is not None else "block",
             booking_id=o.booking_id, block_id=o.block_id, reason=reason)
        for o, reason in rows.all()
    ]


async def list_blocks(session: AsyncSession, item_id: int, *, since: datetime | None = None) -> list[Block]:
    stmt = select(Block).where(Block.item_id == item_id).order_by(Block.start_at)
    if since is not None:
        stmt = stmt.where(Block.end_at > since)
    return list(await session.scalars(stmt))


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

