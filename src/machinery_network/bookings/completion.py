"""Completing a booking: the actual use recorded and the charge posted at the rates of its approval.

The quantity is bounded by what the booked period allows (``pricing.max_quantity``); the operator's
hours follow the estimate's rule (``pricing.operator_hours``) unless given.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import events
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.bookings.pricing import Rates, max_operator_hours, max_quantity
from machinery_network.bookings.pricing import operator_hours as operator_hours_of
from machinery_network.bookings.queries import load
from machinery_network.bookings.schemas import CompleteInput
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.db import UNIQUE_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid
from machinery_network.ledger import service as ledger
from machinery_network.machine.models import Handover
from machinery_network.money import format_decimal_de, line_amounts
from machinery_network.schemas import json_number


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
    proposed = await session.scalar(select(col(Handover.proposed_quantity)).where(col(Handover.booking_id) == booking.id))
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
                rate_cents=rates.rate_cents, booking_id=booking_id, actor=actor,
            )
    except IntegrityError as exc:  # one charge per booking (unique index): completed concurrently
        if sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict("booking.not_approved", status=BookingStatus.completed) from exc
        raise
    booking.quantity = data.quantity
    booking.operator_hours = operator_hours if operator_hours > 0 else None
    booking.charge_cents = amounts.gross_cents
    await events.record(session, booking, actor, BookingStatus.completed, note=note)
    await session.flush()
    return booking
