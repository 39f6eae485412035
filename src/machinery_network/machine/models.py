"""Tables of hand-over, return, defects and repairs (migration 0009 holds their constraints)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, LargeBinary, Numeric, SmallInteger, String
from sqlmodel import Field, SQLModel

from machinery_network._sa import fk, ts


class Condition(StrEnum):
    ok = "ok"
    remarks = "remarks"
    defect = "defect"


class DefectAction(StrEnum):
    moved = "moved"
    kept = "kept"
    cancelled = "cancelled"


class Handover(SQLModel, table=True):
    """One row per booking: the hand-over, later completed by the return. The database refuses a
    return meter below the hand-over's (``ck_handovers_meter_forward``)."""

    __tablename__ = "handovers"

    booking_id: int = Field(sa_column=Column(Integer, ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True))
    item_id: int = fk("items.id", index=False)
    checkout_meter: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    checkout_fuel_percent: int = Field(sa_column=Column(SmallInteger, nullable=False))
    checkout_condition: str = Field(max_length=20)
    checkout_remarks: str | None = Field(default=None, max_length=2000)
    checkout_by: int | None = fk("users.id", nullable=True, index=False)
    checkout_at: datetime = ts()
    checkout_signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    checkout_signed_at: datetime | None = ts(nullable=True)
    checkin_meter: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    checkin_fuel_percent: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    checkin_condition: str | None = Field(default=None, max_length=20)
    checkin_remarks: str | None = Field(default=None, max_length=2000)
    checkin_usable: bool | None = None
    checkin_by: int | None = fk("users.id", nullable=True, index=False)
    checkin_at: datetime | None = ts(nullable=True)
    checkin_signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    checkin_signed_at: datetime | None = ts(nullable=True)
    proposed_quantity: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 3), nullable=True))


class HandoverPhoto(SQLModel, table=True):
    """A photo taken at the hand-over or the return (the file lies in the upload directory)."""

    __tablename__ = "handover_photos"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = fk("handovers.booking_id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    path: str = Field(max_length=500)
    content_type: str = Field(max_length=100)
    created_at: datetime = ts()


class HandoverSurcharge(SQLModel, table=True):
    """A fuel or cleaning surcharge posted from a return: the ledger entry with the return as source."""

    __tablename__ = "handover_surcharges"

    booking_id: int = Field(sa_column=Column(Integer, ForeignKey("handovers.booking_id", ondelete="CASCADE"),
                                             primary_key=True))
    kind: str = Field(sa_column=Column(String(20), primary_key=True))
    entry_id: int = fk("ledger_entries.id", index=False)


class Repair(SQLModel, table=True):
    __tablename__ = "repairs"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id", index=False)
    description: str = Field(max_length=2000)
    cost_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    repaired_at: datetime = ts()
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = ts()


class Defect(SQLModel, table=True):
    """A defect reported at a return; ``usable=False`` blocks the item (``block_id``) until a repair."""

    __tablename__ = "defects"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id", index=False)
    booking_id: int | None = fk("bookings.id", nullable=True, index=False, ondelete="SET NULL")
    description: str = Field(max_length=2000)
    usable: bool
    block_id: int | None = fk("blocks.id", nullable=True, index=False, ondelete="SET NULL")
    repair_id: int | None = fk("repairs.id", nullable=True, index=False)
    charge_entry_id: int | None = fk("ledger_entries.id", nullable=True, index=False)
    reported_by: int | None = fk("users.id", nullable=True, index=False)
    reported_at: datetime = ts()


class DefectBooking(SQLModel, table=True):
    """An approved booking inside a defect's block: told at once, then moved, kept or cancelled."""

    __tablename__ = "defect_bookings"

    defect_id: int = Field(sa_column=Column(Integer, ForeignKey("defects.id", ondelete="CASCADE"), primary_key=True))
    booking_id: int = Field(sa_column=Column(Integer, ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True))
    action: str | None = Field(default=None, max_length=20)
    decided_by: int | None = fk("users.id", nullable=True, index=False)
    decided_at: datetime | None = ts(nullable=True)


class MaintenanceInterval(SQLModel, table=True):
    """Service or inspection every N operating hours and/or every M months."""

    __tablename__ = "maintenance_intervals"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    every_hours: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    every_months: int | None = None
    last_done_at: datetime = ts()
    last_done_meter: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    created_at: datetime = ts()
