"""Request and response shapes of the ledger."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from machinery_network.ledger.queries import Account, EntryView
from machinery_network.schemas import DecimalOut, Id, Input, Reason, SignedCents


class AdjustmentCreate(Input):
    municipality_id: Id
    value_date: date
    amount_cents: SignedCents  # ≠ 0 (checked by the service); positive: the farmer owes
    reason: Reason


class ReversalCreate(Input):
    value_date: date
    reason: Reason


class EntryPublic(BaseModel):
    id: int
    farmer_id: int
    municipality_id: int
    value_date: date
    kind: str
    amount_cents: int
    net_cents: int
    vat_cents: int
    vat_percent: DecimalOut
    quantity: DecimalOut | None
    unit: str | None
    rate_cents: int | None
    text: str
    reason: str | None
    booking_id: int | None
    care_log_id: int | None
    reverses_entry_id: int | None
    settlement_id: int | None  # set once the entry's settlement is frozen
    created_at: datetime

    @classmethod
    def of(cls, entry: EntryView) -> EntryPublic:
        return cls.model_validate(entry, from_attributes=True)


class BalancePublic(BaseModel):
    """One farmer's account at one municipality in the balances list (``GET /accounts``)."""

    farmer_id: int
    municipality_id: int
    name: str
    balance_cents: int
    entry_count: int


class AccountPublic(BaseModel):
    farmer_id: int
    municipality_id: int | None
    balance_cents: int
    unsettled_cents: int
    entries: list[EntryPublic]

    @classmethod
    def of(cls, account: Account) -> AccountPublic:
        return cls(
            farmer_id=account.farmer_id, municipality_id=account.municipality_id,
            balance_cents=account.balance_cents, unsettled_cents=account.unsettled_cents,
            entries=[EntryPublic.of(e) for e in account.entries],
        )
