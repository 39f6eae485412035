"""Request and response shapes of the catalogue."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from machinery_network.catalogue.models import Item, ItemKind, ItemRate, ItemUnit, MeterKind
from machinery_network.schemas import Cents, Day, DecimalOut, Id, Input, Name, Note, VatPercent, WeekMinutes

# vat_percent: one of the network's rates (``MN_VAT_RATES``), which the service checks (it has the settings).
# Booking rules (``bookings/rules.py``); None = no limit.
NoticeHours = Annotated[int, Field(ge=0, le=8760)]
LeadDays = Annotated[int, Field(ge=1, le=3650)]
HourLimit = Annotated[int, Field(ge=1, le=8784)]
RequestLimit = Annotated[int, Field(ge=1, le=1000)]
Cap = Annotated[Decimal, Field(gt=0, le=Decimal("1000000"), max_digits=12, decimal_places=3)]
# Set-up and travel time before and after each booking, at most a week (the database's CHECK).
BufferMinutes = WeekMinutes
Surcharge = Annotated[Cents, Field(gt=0, le=10**8)]


class ItemLimits(Input):
    """The optional limits of an item, the same when it is created and when it is changed (None: none):
    quantity and operator hours per booking, surcharges, and the booking rules (``bookings/rules.py``)."""

    max_quantity: Cap | None = None
    max_operator_hours: Cap | None = None
    fuel_surcharge_cents: Surcharge | None = None
    cleaning_surcharge_cents: Surcharge | None = None
    min_notice_hours: NoticeHours | None = None
    max_lead_days: LeadDays | None = None
    max_hours_per_farmer_week: HourLimit | None = None
    max_hours_per_farmer_season: HourLimit | None = None
    max_open_requests_per_farmer: RequestLimit | None = None


class ItemCreate(ItemLimits):
    municipality_id: Id
    name: Name
    kind: ItemKind
    unit: ItemUnit
    rate_cents: Cents
    operator_rate_cents: Cents | None = None
    vat_percent: VatPercent = Decimal(0)
    description: Note | None = None
    active: bool = True
    buffer_minutes: BufferMinutes = 0
    meter_kind: MeterKind = MeterKind.hours


class ItemUpdate(ItemLimits):
    name: Name | None = None
    kind: ItemKind | None = None
    unit: ItemUnit | None = None
    rate_cents: Cents | None = None
    operator_rate_cents: Cents | None = None
    vat_percent: VatPercent | None = None
    description: Note | None = None
    active: bool | None = None
    buffer_minutes: BufferMinutes | None = None
    meter_kind: MeterKind | None = None
    # The day a change of rate_cents, operator_rate_cents or vat_percent takes effect (default: today;
    # not later, and not before the last change). Bookings approved before keep their rates.
    valid_from: Day | None = None
    shared: bool | None = None  # offered to the farmers of networks with an active agreement


class ItemPublic(BaseModel):
    id: int
    municipality_id: int
    network_id: int | None
    name: str
    description: str | None
    kind: str
    unit: str
    rate_cents: int
    operator_rate_cents: int | None
    vat_percent: DecimalOut
    active: bool
    max_quantity: DecimalOut | None = None
    max_operator_hours: DecimalOut | None = None
    buffer_minutes: int = 0
    fuel_surcharge_cents: int | None = None
    cleaning_surcharge_cents: int | None = None
    min_notice_hours: int | None = None
    max_lead_days: int | None = None
    max_hours_per_farmer_week: int | None = None
    max_hours_per_farmer_season: int | None = None
    max_open_requests_per_farmer: int | None = None
    meter_kind: str = "hours"
    shared: bool = False
    created_at: datetime

    @classmethod
    def of(cls, item: Item) -> ItemPublic:
        return cls.model_validate(item, from_attributes=True)


class ItemRatePublic(BaseModel):
    valid_from: date
    rate_cents: int
    operator_rate_cents: int | None
    vat_percent: DecimalOut
    created_by: int | None
    created_at: datetime

    @classmethod
    def of(cls, rate: ItemRate) -> ItemRatePublic:
        return cls.model_validate(rate, from_attributes=True)
