"""Use cases of the bookings domain: request, decide (approve, reject), cancel, accept an offer.

The rule "no two approved bookings or blocks of one item overlap" lives in the database: every
approved (or completed) booking and every block has one row in ``occupancies``, whose exclusion
constraint ``ex_occupancies_no_overlap`` refuses an overlapping row even when two yard heads
approve at the same instant. The checks here only give the friendly answer first; the constraint's
error (SQLSTATE 23P01) is turned into the very same 409, naming the period that is in the way.

Lifecycle: requested → approved | rejected | cancelled; approved → completed | cancelled.
Every status change writes a ``BookingEvent`` (``events``).

Where the rest lives: ``completion`` (the actual use and its charge), ``blocks`` (the yard's own
use), ``pricing`` (estimate and the units' rules), ``queries`` (lists, overlap lookups,
availability), ``statements`` (what the busy routes send through the driver), ``notices`` (the
mails, texts in ``bookings/mail``). This module names them all for the web and API layers.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.bookings import draws, events, notices, waitlist
from machinery_network.bookings.blocks import create_block, remove_block
from machinery_network.bookings.completion import approved_rates, complete
from machinery_network.bookings.models import (
    Booking,
    BookingData,
    BookingStatus,
    Occupancy,
)
from machinery_network.bookings.pricing import Estimate, Rates, estimate
from machinery_network.bookings.queries import (
    BookingRow,
    Busy,
    OccupiedPeriod,
    availability,
    conflict_flags,
    find_overlap,
    get_booking,
    list_blocks,
    list_bookings,
    load,
    overlap_error,
    public_interval,
    requests_overlapping,
)
from machinery_network.bookings.rules import Broken, Period, Rules, Usage, usage_window
from machinery_network.bookings.rules import check as check_rules
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.bookings.statements import (
    APPROVED_RATES,
    BOOKING_COLUMNS,
    approval_lookup,
    approval_statement,
    owner_notice,
    request_lookup,
    request_statement,
    usage_lookup,
)
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import driver
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.money import format_decimal_de
from machinery_network.schemas import json_number

__all__ = [  # the reading side and the other use cases, used through this module by the web and API layers
    "BookingRow", "Busy", "Estimate", "approved_rates", "availability", "complete", "conflict_flags",
    "create_block", "estimate", "find_overlap", "get_booking", "get_item", "list_blocks", "list_bookings",
    "overlap_error", "public_interval", "remove_block", "requests_overlapping",
]


async def estimate_for(session: AsyncSession, settings: Settings, data: BookingCreate) -> Estimate:
    """The live estimate of the booking form / ``GET /bookings/estimate`` (no refusal but 404)."""
    item = await get_item(session, data.item_id)
    return estimate(item, data.start, data.end, with_operator=data.with_operator,
                    expected_quantity=data.expected_quantity, settings=settings)


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
    That one statement is atomic by itself. Both run in the transaction that ``db.use_network`` began
    with the network setting (row-level security needs it; BEGIN and the setting in one round trip), so
    they add no BEGIN or COMMIT round trip of their own.
    """
    return await request_on(await driver(session, begin=False), actor, data, settings, series_id=series_id,
                            wait=functools.partial(waitlist.wait, session, actor),
                            begin=functools.partial(driver, session))


async def request_on(
    conn: asyncpg.Connection, actor: Actor, data: BookingCreate, settings: Settings, *, series_id: int | None = None,
    wait: Callable[[dict[str, Any]], Awaitable[Booking]] | None = None,
    begin: Callable[[], Awaitable[asyncpg.Connection]] | None = None,
) -> BookingData | Booking:
    """``request`` on a driver connection, with no session (``api.lane``, inside its transaction).
    ``wait`` puts a request over a taken period on the waiting list (``waitlist.wait`` needs the
    session): a caller without it must not pass a request for the waiting list. ``begin`` begins the
    transaction that a request for a partner network's item needs for its two statements (``None``:
    ``conn`` is inside one already)."""
    require_role(actor, Role.farmer)
    data = data.model_copy(update={"start": data.start.astimezone(UTC), "end": data.end.astimezone(UTC)})
    _check_period(data.start, data.end, settings)
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
        if wait is None:
            raise RuntimeError("a request for the waiting list needs the session (bookings.service.request)")
        return await wait(values)
    networks = {"network_id": record["network_id"], "farmer_network_id": actor.network_id}
    if _across(actor, record["network_id"]):
        # A shared item of a partner network: its yard heads are told by the database, in a second
        # statement of the same transaction (it must see the request).
        if begin is not None:
            conn = await begin()
        elif not conn.is_in_transaction():
            raise RuntimeError("a request across networks needs a transaction (bookings.service.request)")
        booking_id = await request_statement(tell_yard_heads=False).fetchval(
            conn, {**values, **networks, "actor_id": actor.id, "now": now})
        await owner_notice().fetchval(conn, notices.owner_params(
            "requested", booking_id=booking_id, item_name=record["name"], farmer_name=actor.name,
            start=data.start, end=data.end, estimated_cents=estimated.gross_cents, note=values["note"], now=now,
            settings=settings,
        ))
        return BookingData(id=booking_id, **values)
    booking_id = await request_statement().fetchval(
        conn,
        {
            **values, "actor_id": actor.id, "now": now, "municipality_id": record["municipality_id"],
            **networks,
            **notices.request_params(
                item_name=record["name"], farmer_name=actor.name, start=data.start, end=data.end,
                estimated_cents=estimated.gross_cents, note=values["note"], settings=settings,
            ),
        },
    )
    return BookingData(id=booking_id, **values)


def _across(actor: Actor, item_network_id: int | None) -> bool:
    """Whether the farmer books an item of another network (shared with his under an agreement)."""
    return actor.network_id is not None and item_network_id is not None and item_network_id != actor.network_id



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
        await session.execute(delete(Occupancy).where(col(Occupancy.booking_id) == booking.id))
    across = _across(actor, item.network_id)
    await notices.notify(session, "cancelled", booking, item, settings, yard_heads=not across)
    await events.record(session, booking, actor, BookingStatus.cancelled)
    await session.flush()
    if across:  # the owning network's yard heads, told by the database once the booking is cancelled
        assert booking.id is not None
        await owner_notice().fetchval(await driver(session), notices.owner_params(
            "cancelled", booking_id=booking.id, item_name=item.name, farmer_name=actor.name,
            start=booking.start_at, end=booking.end_at, estimated_cents=booking.estimated_cents, note=None,
            now=clock.now(), settings=settings,
        ))
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
    await events.record(session, booking, actor, BookingStatus.rejected, note=reason)
    await notices.notify(session, "rejected", booking, item, settings, reason=reason)
    await session.flush()
    return booking
