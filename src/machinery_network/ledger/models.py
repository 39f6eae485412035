"""Tables of the ledger domain.

Signs: what the farmer owes is positive (charges), what he earned is negative (credits). The
database refuses DELETE of any entry and any change of an entry except moving it between pending
settlements (triggers in migrations 0001 and 0002).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Date
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, decimal_col, fk


class EntryKind(StrEnum):
    charge = "charge"  # a completed booking
    credit = "credit"  # a confirmed care log
    reversal = "reversal"  # undoes (part of) an earlier entry
    adjustment = "adjustment"  # a manual charge or credit (damage, fuel, goodwill)


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entries"

    id: int | None = Field(default=None, primary_key=True)
    farmer_id: int = fk("users.id", index=False)  # ix_ledger_entries_account (farmer, municipality, date, id)
    municipality_id: int = fk("municipalities.id")
    value_date: date = Field(sa_column=Column(Date, nullable=False, index=True))
    kind: str = Field(max_length=20)
    # 64-bit (migration 0004): one entry is at most 10 million euros, but sums of them must not overflow
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))  # gross, signed
    net_cents: int = Field(sa_column=Column(BigInteger, nullable=False))  # signed like amount_cents
    vat_cents: int = Field(sa_column=Column(BigInteger, nullable=False))  # signed like amount_cents
    vat_percent: Decimal = decimal_col(5, 2)
    quantity: Decimal | None = decimal_col(nullable=True)
    unit: str | None = Field(default=None, max_length=20)
    rate_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    text: str = Field(max_length=500)
    reason: str | None = Field(default=None, max_length=2000)
    booking_id: int | None = fk("bookings.id", nullable=True)
    care_log_id: int | None = fk("care_logs.id", nullable=True)
    reverses_entry_id: int | None = fk("ledger_entries.id", nullable=True, index=False)
    created_by: int | None = fk("users.id", nullable=True, index=False)
    # Set by the database when the entry is posted: the pending settlement of the first month at or after
    # value_date that is not settled yet (migration 0002). The entry is settled once that row is frozen.
    settlement_id: int | None = fk("settlements.id", nullable=False)
    created_at: datetime = created_at()
