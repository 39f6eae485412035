"""Use cases of the bookings domain: request, estimate, decide, cancel, complete; blocks.

The rule "no two approved bookings or blocks of one item overlap" lives in the database: every
approved (or completed) booking and every block has one row in ``occupancies``, whose exclusion
constraint ``ex_occupancies_no_overlap`` refuses an overlapping row even when two yard heads
approve at the same instant. The checks here only give the friendly answer first; the constraint's
error (SQLSTATE 23P01) is turned into the very same 409, naming the period that is in the way.

Lifecycle: requested → approved | rejected | cancelled; approved → completed | cancelled.
Every status change writes a ``BookingEvent`` (who, when, from, to).

Where the rest lives: ``pricing`` (estimate and the units' rules), ``queries`` (lists, overlap
lookups, availability), ``statements`` (what the busy routes send through the driver), ``notices``
(the mails, texts in ``bookings/mail``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.bookings import draws, notices, waitlist
from machinery_network.bookings.models import (
    Block,
    Booking,
    BookingData,
    BookingEvent,
    BookingStatus,
    Occupancy,
)
from machinery_network.bookings.pricing import Estimate, Rates, estimate, max_operator_hours, max_quantity
from machinery_network.bookings.pricing import operator_hours as operator_hours_of
from machinery_network.bookings.queries import (
    BookingRow,
    Busy,
    OccupiedPeriod,
    availability,
    can_see,
    conflict_flags,
    find_overlap,
    list_blocks,
    list_bookings,
    load,
    lock_item,
    overlap_error,
    public_interval,
    requests_overlapping,
)
from machinery_network.bookings.rules import Broken, Period, Rules, Usage, usage_window
from machinery_network.bookings.rules import check as check_rules
from machinery_network.bookings.schemas import BlockCreate, BookingCreate, CompleteInput
from machinery_network.bookings.statements import (
    APPROVED_RATES,
    BOOKING_COLUMNS,
    approval_lookup,
    approval_statement,
    request_lookup,
    request_statement,
    usage_lookup,
)
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, UNIQUE_VIOLATION, driver, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.ledger import service as ledger
from machinery_network.machine.models import Handover
from machinery_network.money import format_decimal_de, line_amounts
from machinery_network.schemas import json_number

__all__ = [  # the reading side, used through this module by the web and API layers
    "BookingRow", "Busy", "Estimate", "availability", "conflict_flags", "estimate", "find_overlap", "get_item",
    "list_blocks", "list_bookings", "overlap_error", "public_interval", "requests_overlapping",
]


async def estimate_for(session: AsyncSession, settings: Settings, data: BookingCreate) -> Estimate:
    """The live estimate of the booking form / ``GET /bookings/estimate`` (no refusal but 404)."""
    item = await get_item(session, data.item_id)
    return estimate(item, data.start, data.end, with_operator=data.with_operator,
                    expected_quantity=data.expected_quantity, settings=settings)


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


async def _check_rules(
    conn: asyncpg.Connection, actor: Actor, item: Mapping[str, Any], period: Period, settings: Settings
) -> None:
    """422 naming the first of the item's booking rules the request breaks (``rules``). The farmer's
    usage is read only if the item has a usage rule, and only as much as its rules need."""
    item_rules = Rules.of(item)
    usage = None
    if item_rules.needs_usage:
        window = usage_window(item_rules, period, settings.tz)
        rows = await usage_lookup(item_rules.needs_hours, item_rules.max_open_requests_per_farmer is not None).fetch(
            conn, {"farmer_id": actor.id, "item_id": item["id"],
                   "window_start": window.start if window else None, "window_end": window.end if window else None},
        )
        usage = Usage([Period(row["start_at"], row["end_at"]) for row in rows], sum(1 for row in rows if row["open"]))
    broken = check_rules(item_rules, period, clock.now(), usage, settings.tz)
    if broken is not None:
        raise rule_error(broken)


def rule_error(broken: Broken) -> Invalid:
    """The 422 of a broken booking rule: ``extra.rule`` names it, ``extra.message`` says it in German."""
    params: dict[str, Any] = {"limit": broken.limit}
    extra: dict[str, Any] = {"rule": broken.rule, "limit": broken.limit}
    if broken.hours is not None:
        shown = broken.hours.quantize(Decimal("0.01"))
        params.update(hours=json_number(shown), hours_de=format_decimal_de(shown))
        extra["hours"] = json_number(shown)
    error = Invalid(f"booking.rule.{broken.rule}", field="start", extra=extra, **params)
    extra["field"] = "start"
    extra["message"] = error.message("de")
    return error


async def request(
    session: AsyncSession, actor: Actor, data: BookingCreate, settings: Settings, *, series_id: int | None = None
) -> BookingData | Booking:
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
    record = await request_lookup().fetchrow(
        conn, {"item_id": data.item_id, "start": data.start, "end": data.end, "tz": settings.timezone})
    if record is None:
        raise NotFound("item.not_found", id=data.item_id)
    if not record["active"]:
        raise Invalid("booking.item_inactive", field="item_id")
    rates = Rates(unit=record["unit"], rate_cents=record["rate_cents"],
                  operator_rate_cents=record["operator_rate_cents"], vat_percent=record["vat_percent"])
    if data.with_operator and rates.operator_rate_cents is None:
        raise Invalid("booking.no_operator", field="with_operator")
    await _check_rules(conn, actor, record, Period(data.start, data.end), settings)
    if record["start_at"] is not None and not data.waitlist:
        raise overlap_error(OccupiedPeriod(record["start_at"], record["end_at"], record["booking_id"]), settings)
    estimated = estimate(rates, data.start, data.end, with_operator=data.with_operator,
                         expected_quantity=data.expected_quantity, settings=settings)
    now = clock.now()
    values = {
        "item_id": record["id"], "farmer_id": actor.id, "start_at": data.start, "end_at": data.end,
        "with_operator": data.with_operator, "expected_quantity": data.expected_quantity,
        "note": (data.note or "").strip() or None, "status": BookingStatus.requested.value,
        "estimated_cents": estimated.gross_cents, "created_at": now, "series_id": series_id,
        "in_draw": bool(record["in_draw"]),
    }
    if record["start_at"] is not None:  # taken, and the farmer wants to wait for it
        return await waitlist.wait(session, actor, values)
    booking_id = await request_statement().fetchval(
        conn,
        {
            **values, "actor_id": actor.id, "now": now, "municipality_id": record["municipality_id"],
            **notices.request_params(
                item_name=record["name"], farmer_name=actor.name, start=data.start, end=data.end,
                estimated_cents=estimated.gross_cents, note=values["note"], settings=settings,
            ),
        },
    )
    return BookingData(id=booking_id, **values)



async def cancel(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings) -> Booking:
    """The farmer withdraws a request or an approved booking before it starts."""
    require_role(actor, Role.farmer)
    booking, item = await load(session, booking_id, lock=True)
    if booking.farmer_id != actor.id:
        raise NotAllowed()
    if booking.status not in (BookingStatus.requested, BookingStatus.approved, BookingStatus.waiting,
                              BookingStatus.offered):
        raise Conflict("booking.not_cancellable", status=booking.status)
    if clock.now() >= booking.start_at:
        raise Conflict("booking.already_started")
    freed = booking.status in (BookingStatus.approved, BookingStatus.offered)
    if freed:
        await session.execute(delete(Occupancy).where(Occupancy.booking_id == booking.id))
    await notices.notify(session, "cancelled", booking, item, settings)
    await _record(session, booking, actor, BookingStatus.cancelled)
    await session.flush()
    if freed:  # the period is free again: the waiting list moves up
        await waitlist.offer_next(session, item, settings)
    return booking


async def accept_offer(session: AsyncSession, actor: Actor, booking_id: int) -> Booking:
    return await waitlist.accept_offer(session, actor, booking_id)



# --- the yard head's side ------------------------------------------------------------------------


async def approve(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings) -> BookingData:
    """The yard head of the item's municipality approves a request, unless the period is taken.

    A busy route: two prepared statements through the driver. The period check here (under the
    item's lock) gives the 409 naming the period in the way; the exclusion constraint on
    ``occupancies`` stays the guarantee. When the constraint refuses, the session is rolled back.
    """
    conn = await driver(session)
    record = await approval_lookup().fetchrow(conn, {"booking_id": booking_id})
    if record is None:
        raise NotFound("booking.not_found", id=booking_id)
    require_for_municipality(actor, record["item_municipality_id"], Role.yard_head)
    booking = BookingData(**{name: record[name] for name in BOOKING_COLUMNS})
    if booking.status != BookingStatus.requested:
        raise Conflict("booking.not_requested", status=booking.status)
    if booking.in_draw and await draws.pending_draw(session, booking, settings):
        raise Conflict("booking.in_draw")
    now = clock.now()
    try:
        approved = await approval_statement().fetchrow(conn, {
            "item_id": booking.item_id, "booking_id": booking.id, "start": booking.start_at, "end": booking.end_at,
            "actor_id": actor.id, "now": now,
            **notices.decision_params(
                "approved", farmer_id=booking.farmer_id, municipality_id=record["item_municipality_id"],
                item_name=record["item_name"], start=booking.start_at, end=booking.end_at,
                estimated_cents=booking.estimated_cents, now=now, settings=settings,
            ),
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
    for name in APPROVED_RATES:
        setattr(booking, name, approved[name])
    return booking


async def reject(session: AsyncSession, actor: Actor, booking_id: int, reason: str, settings: Settings) -> Booking:
    booking, item = await load(session, booking_id, lock=True)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if booking.status != BookingStatus.requested:
        raise Conflict("booking.not_requested", status=booking.status)
    booking.reject_reason = reason
    booking.decided_by = actor.id
    booking.decided_at = clock.now()
    await _record(session, booking, actor, BookingStatus.rejected, note=reason)
    await notices.notify(session, "rejected", booking, item, settings, reason=reason)
    await session.flush()
    return booking


def approved_rates(booking: Booking, item: Item) -> Rates:
    """The rates the booking was approved at (its item's current ones only for a booking approved
    before approvals fixed them)."""
    if booking.approved_rate_cents is None or booking.approved_vat_percent is None:
        return Rates(unit=item.unit, rate_cents=item.rate_cents, operator_rate_cents=item.operator_rate_cents,
                     vat_percent=item.vat_percent)
    return Rates(unit=item.unit, rate_cents=booking.approved_rate_cents,
                 operator_rate_cents=booking.approved_operator_rate_cents, vat_percent=booking.approved_vat_percent)


async def complete(
    session: AsyncSession, actor: Actor, booking_id: int, data: CompleteInput, settings: Settings,
    *, require_reason: bool = False,
) -> Booking:
    """Record the actual use and post the charge (value date: the booking's start day).

    After a return the proposed quantity stays in the hand-over; a different quantity is a
    correction whose reason goes into the completion's event with the proposal (both kept). The
    forms insist on the reason (``require_reason``)."""
    booking, item = await load(session, booking_id, lock=True)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if booking.status != BookingStatus.approved:
        raise Conflict("booking.not_approved", status=booking.status)
    if clock.now() < booking.start_at:
        raise Conflict("booking.not_started")
    if data.quantity <= 0:
        raise Invalid("booking.quantity_positive", field="quantity")
    note = (data.reason or "").strip() or None
    proposed = await session.scalar(select(Handover.proposed_quantity).where(Handover.booking_id == booking.id))
    if proposed is not None and data.quantity != proposed:
        shown = format_decimal_de(proposed)
        if note is None and require_reason:
            raise Invalid("machine.correction_needs_reason", field="reason", proposed=shown)
        note = f"Vorschlag {shown}, erfasst {format_decimal_de(data.quantity)}" + (f": {note}" if note else "")
    rates = approved_rates(booking, item)
    limit = max_quantity(item.unit, booking.start_at, booking.end_at, expected_quantity=booking.expected_quantity,
                         item_max_quantity=item.max_quantity, settings=settings)
    if data.quantity > limit:
        raise Invalid("booking.quantity_over_limit", field="quantity", limit=json_number(limit),
                      extra={"field": "quantity", "limit": json_number(limit), "unit": item.unit})
    operator_hours = data.with_operator_hours
    if operator_hours is None:
        # Not given for a booking with operator: the estimate's rule applied to the actual use
        # (the operator works the machine's hours, 8 hours a day), so his time is never lost.
        operator_hours = Decimal(0)
        if booking.with_operator and rates.operator_rate_cents is not None:
            operator_hours = operator_hours_of(item.unit, data.quantity) or Decimal(0)
    if operator_hours > 0 and rates.operator_rate_cents is None:
        raise Invalid("booking.operator_hours_without_rate", field="with_operator_hours")
    hours_limit = max_operator_hours(item.unit, booking.start_at, booking.end_at, limit,
                                     item_max_operator_hours=item.max_operator_hours)
    if operator_hours > hours_limit:
        raise Invalid("booking.operator_hours_over_limit", field="with_operator_hours", limit=json_number(hours_limit),
                      extra={"field": "with_operator_hours", "limit": json_number(hours_limit)})
    amounts = line_amounts(
        data.quantity, rates.rate_cents, rates.vat_percent,
        operator_hours=operator_hours, operator_rate_cents=rates.operator_rate_cents,
    )
    try:
        async with session.begin_nested():
            await ledger.post_charge(
                session, farmer_id=booking.farmer_id, municipality_id=item.municipality_id,
                value_date=booking.start_at.astimezone(settings.tz).date(), amounts=amounts,
                vat_percent=rates.vat_percent, item_name=item.name, quantity=data.quantity, unit=item.unit,
                rate_cents=rates.rate_cents, booking_id=booking.id, actor=actor,
            )
    except IntegrityError as exc:  # one charge per booking (unique index): completed concurrently
        if sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict("booking.not_approved", status=BookingStatus.completed) from exc
        raise
    booking.quantity = data.quantity
    booking.operator_hours = operator_hours if operator_hours > 0 else None
    booking.charge_cents = amounts.gross_cents
    await _record(session, booking, actor, BookingStatus.completed, note=note)
    await session.flush()
    return booking


# --- blocks ----------------------------------------------------------------------------------------


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
    await lock_item(session, item.id)
    try:
        async with session.begin_nested():
            session.add(block)
            await session.flush()
            session.add(Occupancy(item_id=item.id, start_at=data.start, end_at=data.end, block_id=block.id,
                                  buffer_minutes=item.buffer_minutes))
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            other = await find_overlap(session, item.id, data.start, data.end)
            if other is not None:
                raise overlap_error(other, settings) from exc
            raise Conflict("booking.overlap_gone") from exc
        raise
    return block


async def remove_block(session: AsyncSession, actor: Actor, block_id: int, settings: Settings) -> None:
    block = await session.get(Block, block_id)
    if block is None:
        raise NotFound("block.not_found", id=block_id)
    item = await get_item(session, block.item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    await session.delete(block)  # its occupancy goes with it (ON DELETE CASCADE)
    await session.flush()
    await waitlist.offer_next(session, item, settings)


