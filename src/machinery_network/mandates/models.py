"""Tables: partners (farmer × municipality) and SEPA mandates (farmer × municipality as creditor)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, ts


class PartnerHow(StrEnum):
    registered = "registered"  # staff registered him
    booking = "booking"  # the municipality approved a booking of his
    assignment = "assignment"  # the municipality assigned him a section
    existing = "existing"  # migrated: he already had bookings, assignments or entries there


class Partner(SQLModel, table=True):
    """A farmer is a contract partner of a municipality; only partners can be charged or credited
    by it (``ledger_entries`` has a foreign key to this table). Rows are added by the database when a
    booking is approved or a section assigned (triggers, migration 0005), or by staff."""

    __tablename__ = "partners"

    municipality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("municipalities.id"), primary_key=True, nullable=False)
    )
    farmer_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id"), primary_key=True, nullable=False,
                                            index=True))
    since: datetime = created_at()
    how: str = Field(default=PartnerHow.registered, max_length=20)


class MandateState(StrEnum):
    active = "active"
    revoked = "revoked"


class Mandate(SQLModel, table=True):
    """A SEPA Core direct-debit mandate: one farmer (debtor) authorises one municipality (creditor).

    Recorded by the municipality's finance office from the signed paper form. ``iban`` is the account
    debited; when the farmer changes his IBAN the database amends every active mandate of his
    (trigger, migration 0006): ``original_iban`` keeps the account the bank knows until a debit file
    has carried the amendment (``amendment_settlement_id``: the settlement whose file carried it)."""

    __tablename__ = "mandates"
    __table_args__ = (UniqueConstraint("municipality_id", "reference", name="uq_mandates_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    farmer_id: int = fk("users.id")
    municipality_id: int = fk("municipalities.id")
    reference: str = Field(max_length=35)
    signed_on: date = Field(sa_column=Column(Date, nullable=False))
    iban: str = Field(max_length=34)
    state: str = Field(default=MandateState.active, max_length=10)
    original_iban: str | None = Field(default=None, max_length=34)
    amended_at: datetime | None = ts(nullable=True)
    amendment_settlement_id: int | None = fk("settlements.id", nullable=True, index=False)
    scan_path: str | None = Field(default=None, max_length=300)
    revoked_at: datetime | None = ts(nullable=True)
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
