"""Request and response shapes at the machine: hand-over, return, repair."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from machinery_network.machine.models import Defect, Handover, Repair
from machinery_network.schemas import Cents, DecimalOut, Id, Input, Instant, Name, Note, Reason, json_number

Meter = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), max_digits=12, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100, strict=True)]
# Through the JSON API: up to 5 photos as base64 text (or data URLs), re-encoded like care photos
# (``machine.photos``), and the drawn signature as a PNG data URL. Their length is checked there.
Photos = Annotated[list[str], Field(max_length=5)]
Signature = Annotated[str, Field(max_length=410_000)]


class CheckoutInput(Input):
    meter: Meter
    fuel_percent: Percent
    condition: Literal["ok", "remarks"]
    remarks: Note | None = None
    photos: Photos | None = None
    signature: Signature | None = None


class CheckinInput(Input):
    meter: Meter
    fuel_percent: Percent
    condition: Literal["ok", "remarks", "defect"]
    usable: bool | None = None
    description: Note | None = None
    remarks: Note | None = None
    # Posted from the return in one step (the item's amounts; by its yard head only).
    surcharges: list[Literal["fuel", "cleaning"]] = Field(default_factory=list, max_length=2)
    photos: Photos | None = None
    signature: Signature | None = None


class RepairInput(Input):
    description: Reason
    cost_cents: Cents | None = None


class IntervalCreate(Input):
    name: Name
    every_hours: Annotated[Decimal, Field(gt=0, le=Decimal("100000"), max_digits=12, decimal_places=2)] | None = None
    every_months: Annotated[int, Field(gt=0, le=240, strict=True)] | None = None
    last_done_at: Instant | None = None
    last_done_meter: Meter | None = None

    @model_validator(mode="after")
    def _some_interval(self) -> IntervalCreate:
        if self.every_hours is None and self.every_months is None:
            raise ValueError("every_hours or every_months is required")
        return self


class IntervalPublic(BaseModel):
    id: int
    item_id: int
    name: str
    every_hours: DecimalOut | None
    every_months: int | None
    last_done_at: datetime
    last_done_meter: DecimalOut | None
    next_at: datetime | None
    next_meter: DecimalOut | None
    meter: DecimalOut | None
    due: bool
    overdue: bool


class DamageChargeInput(Input):
    amount_cents: Annotated[Cents, Field(gt=0)]
    reason: Reason | None = None


class DecisionInput(Input):
    """The yard head's decision on a booking in a defect's way."""

    action: Literal["move", "keep", "cancel"]
    item_id: Id | None = None


ACTIONS = {"move": "moved", "keep": "kept", "cancel": "cancelled"}


class AffectedPublic(BaseModel):
    defect_id: int
    booking_id: int
    item_id: int
    farmer_id: int
    start: datetime
    end: datetime
    action: str | None
    alternative_item_ids: list[int]


class HandoverPublic(BaseModel):
    """One side of a booking's hand-over: ``kind`` checkout or checkin."""

    booking_id: int
    item_id: int
    kind: str
    meter: DecimalOut
    fuel_percent: int
    condition: str
    remarks: str | None
    usable: bool | None = None
    description: str | None = None
    at: datetime
    by: int | None
    signed_at: datetime | None
    checkout_meter: DecimalOut | None = None
    meter_difference: DecimalOut | None = None
    proposed_quantity: DecimalOut | None = None
    defect_id: int | None = None
    blocked: bool = False
    affected_booking_ids: list[int] = []
    surcharge_entry_ids: list[int] = []
    meter_kind: str = "hours"  # what ``meter`` counts: hours (Betriebsstunden) or km (Kilometerstand)
    photo_ids: list[int] = []  # this side's photos: GET /handover-photos/{id}

    @classmethod
    def checkout(cls, handover: Handover) -> HandoverPublic:
        return cls(booking_id=handover.booking_id, item_id=handover.item_id, kind="checkout",
                   meter=handover.checkout_meter, fuel_percent=handover.checkout_fuel_percent,
                   condition=handover.checkout_condition, remarks=handover.checkout_remarks,
                   at=handover.checkout_at, by=handover.checkout_by, signed_at=handover.checkout_signed_at)

    @classmethod
    def checkin(cls, handover: Handover, defect: Defect | None = None,
                affected: list[int] | None = None, entries: list[int] | None = None) -> HandoverPublic:
        assert handover.checkin_meter is not None and handover.checkin_at is not None
        assert handover.checkin_fuel_percent is not None and handover.checkin_condition is not None
        return cls(booking_id=handover.booking_id, item_id=handover.item_id, kind="checkin",
                   meter=handover.checkin_meter, fuel_percent=handover.checkin_fuel_percent,
                   condition=handover.checkin_condition, remarks=handover.checkin_remarks,
                   usable=handover.checkin_usable,
                   description=handover.checkin_remarks if handover.checkin_condition == "defect" else None,
                   at=handover.checkin_at, by=handover.checkin_by, signed_at=handover.checkin_signed_at,
                   checkout_meter=handover.checkout_meter,
                   meter_difference=handover.checkin_meter - handover.checkout_meter,
                   proposed_quantity=handover.proposed_quantity,
                   defect_id=defect.id if defect else None, blocked=bool(defect and defect.block_id),
                   affected_booking_ids=affected or [], surcharge_entry_ids=entries or [])


class PhotoPublic(BaseModel):
    id: int
    kind: str
    content_type: str
    created_at: datetime


class RepairPublic(BaseModel):
    id: int
    item_id: int
    description: str
    cost_cents: int | None
    repaired_at: datetime
    created_by: int | None
    defect_ids: list[int] = []

    @classmethod
    def of(cls, repair: Repair, defect_ids: list[int]) -> RepairPublic:
        assert repair.id is not None
        return cls(id=repair.id, item_id=repair.item_id, description=repair.description,
                   cost_cents=repair.cost_cents, repaired_at=repair.repaired_at, created_by=repair.created_by,
                   defect_ids=defect_ids)


__all__ = ["ACTIONS", "IntervalCreate", "IntervalPublic", "DamageChargeInput", "AffectedPublic", "DecisionInput", "CheckinInput", "CheckoutInput", "HandoverPublic", "PhotoPublic", "RepairInput", "RepairPublic", "json_number"]
