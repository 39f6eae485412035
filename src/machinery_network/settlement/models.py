"""Tables of the settlement domain. Settlements and their lines are immutable once frozen (triggers)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, UniqueConstraint
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, ts


class Settlement(SQLModel, table=True):
    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("municipality_id", "month", name="uq_settlements_municipality_month"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = fk("municipalities.id")
    month: date = Field(sa_column=Column(Date, nullable=False))  # first day of the month
    cutoff: date = Field(sa_column=Column(Date, nullable=False))  # last day of the month
    entry_count: int = 0
    farmer_count: int = 0
    total_charges_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_credits_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_net_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    run_by: int | None = fk("users.id", nullable=True, index=False)
    run_by_label: str = Field(default="scheduler", max_length=200)
    # False while the month is pending: posted entries are attached to it (migration 0002); settling
    # fills in the totals and sets it; from then on the row, its lines and its entries are immutable.
    # Only frozen rows are settlements in the sense of the API, the pages and the exports.
    frozen: bool = Field(default=False)
    created_at: datetime = created_at()


class SettlementLine(SQLModel, table=True):
    __tablename__ = "settlement_lines"
    __table_args__ = (UniqueConstraint("settlement_id", "farmer_id", name="uq_settlement_lines_farmer"),)

    id: int | None = Field(default=None, primary_key=True)
    # Both references are checked once per INSERT statement by a trigger (migration 0002_settlement_lines),
    # not by per-row foreign keys; a settlement is never deleted and a farmer with lines keeps his entries.
    settlement_id: int = Field(nullable=False)
    farmer_id: int = Field(nullable=False, index=True)
    charges_cents: int = Field(sa_column=Column(BigInteger, nullable=False))  # 64-bit (migration 0004)
    credits_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    net_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_count: int


class SettlementRun(SQLModel, table=True):
    """A record of each scheduler or manual run: started, finished, entries, error."""

    __tablename__ = "settlement_runs"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(sa_column=Column(Date, nullable=False))
    municipality_id: int | None = fk("municipalities.id", nullable=True)
    trigger: str = Field(max_length=20)  # scheduler | catch-up | cli | api | web
    started_at: datetime = created_at()
    finished_at: datetime | None = ts(nullable=True)
    settlement_id: int | None = fk("settlements.id", nullable=True, index=False)
    entries: int | None = None
    created: bool | None = None
    error: str | None = Field(default=None, max_length=2000)
