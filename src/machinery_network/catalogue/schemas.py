"""Request and response shapes of the catalogue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from machinery_network.catalogue.models import Item, ItemKind, ItemUnit
from machinery_network.schemas import Cents, DecimalOut, Id, Input, Name, Note, VatPercent


class ItemCreate(Input):
    municipality_id: Id
    name: Name
    kind: ItemKind
    unit: ItemUnit
    rate_cents: Cents
    operator_rate_cents: Cents | None = None
    vat_percent: VatPercent = Decimal(0)
    description: Note | None = None
    active: bool = True


class ItemUpdate(Input):
    name: Name | None = None
    kind: ItemKind | None = None
    unit: ItemUnit | None = None
    rate_cents: Cents | None = None
    operator_rate_cents: Cents | None = None
    vat_percent: VatPercent | None = None
    description: Note | None = None
    active: bool | None = None
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
    shared: bool = False
    created_at: datetime

    @classmethod
    def of(cls, item: Item) -> ItemPublic:
        return cls.model_validate(item, from_attributes=True)
