"""Tables: partners (farmer × municipality) and SEPA mandates (farmer × municipality as creditor)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at


class PartnerHow(StrEnum):
    registered = "registered"  # staff registered him
    booking = "booking"  # the municipality approved a booking of his
    assignment = "assignment"  # the municipality assigned him a section
    existing = "existing"  # migrated: he already had bookings, assignments or entries there


class Partner(SQLModel, table=True):
    """A farmer is a contract partner of a municipality; only partners can be charged or credited
    by it (``ledger_entries`` has a foreign key to this table). Rows are added by the database when a
    booking is approved or a section assigned (triggers, migration 0004), or by staff."""

    __tablename__ = "partners"

    municipality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("municipalities.id"), primary_key=True, nullable=False)
    )
    farmer_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id"), primary_key=True, nullable=False,
                                            index=True))
    since: datetime = created_at()
    how: str = Field(default=PartnerHow.registered, max_length=20)
