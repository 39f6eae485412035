"""Request and response shapes of the bookings domain (the same schemas validate JSON and forms)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from machinery_network.bookings.models import Block, Booking, BookingData, BookingEvent
from machinery_network.catalogue.models import Item
from machinery_network.schemas import DecimalOut, Id, Input, Instant, Note, Quantity, Reason


class BookingCreate(Input):
    item_id: Id
    start: Instant
    end: Instant
    with_operator: bool = False
    expected_quantity: Quantity | None = None
    note: Note | None = None
    # Over a taken period: wait for it (status "waiting") instead of the 409.
    waitlist: bool = False


class RejectInput(Input):
    reason: Reason


class CompleteInput(Input):
    quantity: Quantity
    with_operator_hours: Quantity | None = None
    # Why the quantity differs from the one the return proposed (kept in the completion's event).
    reason: Note | None = None


class BlockCreate(Input):
    start: Instant
    end: Instant
    reason: Reason


class EventPublic(BaseModel):
    at: datetime
    actor_id: int | None
    from_status: str | None
    to_status: str
    note: str | None

    @classmethod
    def of(cls, event: BookingEvent) -> EventPublic:
        return cls(at=event.at, actor_id=event.actor_id, from_status=event.from_status,
                   to_status=event.to_status, note=event.note)


class RatesPublic(BaseModel):
    rate_cents: int
    operator_rate_cents: int | None
    vat_percent: DecimalOut


class BookingPublic(BaseModel):
    id: int
    item_id: int
    farmer_id: int
    start: datetime
    end: datetime
    with_operator: bool
    expected_quantity: DecimalOut | None
    note: str | None
    status: str
    estimated_cents: int | None
    reject_reason: str | None
    quantity: DecimalOut | None
    operator_hours: DecimalOut | None
    charge_cents: int | None
    decided_by: int | None
    decided_at: datetime | None
    offer_expires_at: datetime | None = None
    created_at: datetime
    approved_rate_cents: int | None = None
    approved_operator_rate_cents: int | None = None
    approved_vat_percent: DecimalOut | None = None
    # The item's rates of now, given only when they differ from the approved ones (the yard head sees both).
    current_rates: RatesPublic | None = None
    events: list[EventPublic] | None = None

    @classmethod
    def of(
        cls, booking: Booking | BookingData, events: list[BookingEvent] | None = None, item: Item | None = None
    ) -> BookingPublic:
        current = None
        if item is not None and booking.approved_rate_cents is not None and (
            (item.rate_cents, item.operator_rate_cents, item.vat_percent)
            != (booking.approved_rate_cents, booking.approved_operator_rate_cents, booking.approved_vat_percent)
        ):
            current = RatesPublic(rate_cents=item.rate_cents, operator_rate_cents=item.operator_rate_cents,
                                  vat_percent=item.vat_percent)
        return cls(
            approved_rate_cents=booking.approved_rate_cents,
            approved_operator_rate_cents=booking.approved_operator_rate_cents,
            approved_vat_percent=booking.approved_vat_percent, current_rates=current,
            id=booking.id, item_id=booking.item_id, farmer_id=booking.farmer_id, start=booking.start_at,
            end=booking.end_at, with_operator=booking.with_operator, expected_quantity=booking.expected_quantity,
            note=booking.note, status=booking.status, estimated_cents=booking.estimated_cents,
            reject_reason=booking.reject_reason, quantity=booking.quantity, operator_hours=booking.operator_hours,
            charge_cents=booking.charge_cents, decided_by=booking.decided_by, decided_at=booking.decided_at,
            created_at=booking.created_at, offer_expires_at=booking.offer_expires_at,
            events=[EventPublic.of(e) for e in events] if events is not None else None,
        )


class BlockPublic(BaseModel):
    id: int
    item_id: int
    start: datetime
    end: datetime
    reason: str
    created_by: int | None

    @classmethod
    def of(cls, block: Block) -> BlockPublic:
        return cls(id=block.id, item_id=block.item_id, start=block.start_at, end=block.end_at,
                   reason=block.reason, created_by=block.created_by)


class Interval(BaseModel):
    start: datetime
    end: datetime
    kind: str


class EstimatePublic(BaseModel):
    estimated_cents: int | None
    net_cents: int | None
    vat_cents: int | None
    quantity: DecimalOut | None
    unit: str
    operator_hours: DecimalOut | None

