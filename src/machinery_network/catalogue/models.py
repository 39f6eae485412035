"""Tables of the catalogue domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Integer, Numeric, text
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, network_col


class ItemKind(StrEnum):
    machine = "machine"
    service = "service"


class ItemUnit(StrEnum):
    hour = "hour"
    day = "day"
    hectare = "hectare"
    km = "km"
    flat = "flat"


class MeterKind(StrEnum):
    hours = "hours"  # Betriebsstunden
    km = "km"  # Kilometerstand


class Item(SQLModel, table=True):
    __tablename__ = "items"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = fk("municipalities.id")
    network_id: int | None = network_col()
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    kind: str = Field(max_length=20)
    unit: str = Field(max_length=20)
    rate_cents: int
    operator_rate_cents: int | None = None
    vat_percent: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(5, 2), nullable=False, server_default=text("0"))
    )
    active: bool = Field(default=True)
    # Caps of a completion (migration 0008): quantity for hectare/km/flat (else twice the expected
    # quantity, else 1,000), operator hours (else what the booked period allows).
    max_quantity: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 3), nullable=True))
    max_operator_hours: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 3), nullable=True))
    # Set-up and travel time after each booking or block (migration 0009): the exclusion constraint
    # compares the padded periods, so two occupancies of the item lie at least this far apart.
    buffer_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    # Posted from a return in one step (migration 0009), when set.
    fuel_surcharge_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cleaning_surcharge_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Booking rules (migration 0014, ``bookings/rules.py``): unset = no limit.
    min_notice_hours: int | None = None
    max_lead_days: int | None = None
    max_hours_per_farmer_week: int | None = None
    max_hours_per_farmer_season: int | None = None
    max_open_requests_per_farmer: int | None = None
    # What the meter at the machine counts (migration 0022): operating hours or kilometres.
    meter_kind: str = Field(default="hours", max_length=10, sa_column_kwargs={"server_default": "hours"})
    # Offered to the farmers of networks with an active agreement with this item's network.
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = created_at()


class ItemRate(SQLModel, table=True):
    """The rate history of an item: each change of its rates with the day it takes effect. A booking
    keeps the rates it was approved at (``Booking.approved_*``), whatever changes later."""

    __tablename__ = "item_rates"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id", index=False, ondelete="CASCADE")
    valid_from: date
    rate_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    operator_rate_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    vat_percent: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
