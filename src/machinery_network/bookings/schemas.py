"""Request and response shapes of the bookings domain (the same schemas validate JSON and forms)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    series_id: int | None = None  # the repeating booking this is an occurrence of
    in_draw: bool = False  # a request for a contested day, decided by the draw
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
            series_id=booking.series_id, in_draw=bool(booking.in_draw),
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



# --- repeating bookings and the fair draw ------------------------------------------------------------

Day = date
Weekday = Annotated[int, Field(ge=1, le=7)]  # ISO: 1 = Monday … 7 = Sunday


class SeriesCreate(Input):
    """``POST /booking-series``: every ``weekdays`` from ``from`` to ``until`` (both included), each day
    from ``start_time`` to ``end_time`` (local time)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    item_id: Id
    weekdays: Annotated[list[Weekday], Field(max_length=7)]  # none: 422 series.weekdays
    start_time: time
    end_time: time
    from_: date = Field(alias="from")
    until: date
    with_operator: bool = False
    expected_quantity: Quantity | None = None
    note: Note | None = None

    @field_validator("weekdays", mode="before")
    @classmethod
    def _one_weekday(cls, value: object) -> object:
        return [value] if isinstance(value, int | str) else value


class SeriesDay(BaseModel):
    date: Day
    start: datetime
    end: datetime
    rule: str | None = None
    message: str
    conflict: dict[str, Any] | None = None


class SeriesPublic(BaseModel):
    id: int
    item_id: int
    farmer_id: int
    weekdays: list[int]
    start_time: time
    end_time: time
    first_day: date
    last_day: date
    with_operator: bool
    note: str | None
    created_at: datetime
    cancelled_at: datetime | None
    bookings: list[BookingPublic]
    conflicts: list[SeriesDay] | None = None
    refused: list[SeriesDay] | None = None

    @classmethod
    def of(cls, result: Any) -> SeriesPublic:
        s = result.series
        return cls(id=s.id, item_id=s.item_id, farmer_id=s.farmer_id, weekdays=list(s.weekdays),
                   start_time=s.start_time, end_time=s.end_time, first_day=s.first_day, last_day=s.last_day,
                   with_operator=s.with_operator, note=s.note, created_at=s.created_at, cancelled_at=s.cancelled_at,
                   bookings=[BookingPublic.of(b) for b in result.bookings],
                   conflicts=[SeriesDay(**c) for c in result.conflicts] if result.conflicts is not None else None,
                   refused=[SeriesDay(**r) for r in result.refused] if result.refused is not None else None)


class SeasonCreate(Input):
    """``POST /items/{id}/contested``: contested from ``first_day`` to ``last_day``; requests for a week
    are collected until ``deadline_weekday`` (ISO) at ``deadline_time`` (local) of the week before."""

    first_day: date
    last_day: date
    deadline_weekday: Weekday = 4
    deadline_time: time = time(12, 0)


class SeasonPublic(BaseModel):
    id: int
    item_id: int
    first_day: date
    last_day: date
    deadline_weekday: int
    deadline_time: time
    created_at: datetime


class DrawEntryPublic(BaseModel):
    position: int
    booking_id: int
    farmer_id: int | None  # None for a farmer looking at other farmers' entries
    farmer: str
    start: datetime
    end: datetime
    season_hours: DecimalOut
    won: bool
    reason: str
    reason_text: str
    against_booking_id: int | None


class DrawPublic(BaseModel):
    id: int
    item_id: int
    season_id: int
    period_start: date
    period_end: date
    seed: str  # a 63-bit number: a string, so no JSON reader rounds it
    trigger: str
    ran_at: datetime
    occupied: list[list[str]]
    entries: list[DrawEntryPublic] | None = None
    replays: bool | None = None
