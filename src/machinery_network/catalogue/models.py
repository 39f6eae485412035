"""Tables of the catalogue domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, Numeric, text
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
    # Offered to the farmers of networks with an active agreement with this item's network.
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = created_at()
