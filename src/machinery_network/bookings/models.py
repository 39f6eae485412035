"""Tables of the bookings domain.

``occupancies`` holds one row per approved (or completed) booking and per block; its exclusion
constraint (migration 0001) is what makes a double booking impossible, whatever the application does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Column, Integer, Numeric, text
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, decimal_col, fk, ts


class BookingStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"
    completed = "completed"
    # The waiting list (``waitlist``): waiting for a taken period; offered (the period held for the
    # farmer until ``offer_expires_at``); expired (the offer was not taken in time).
    waiting = "waiting"
    offered = "offered"
    expired = "expired"


class Booking(SQLModel, table=True):
    __tablename__ = "bookings"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    farmer_id: int = fk("users.id")
    start_at: datetime = ts()
    end_at: datetime = ts()
    with_operator: bool = Field(default=False)
    expected_quantity: Decimal | None = decimal_col(nullable=True)
    note: str | None = Field(default=None, max_length=2000)
    status: str = Field(default=BookingStatus.requested, max_length=20, index=True)
    estimated_cents: int | None = None
    reject_reason: str | None = Field(default=None, max_length=2000)
    quantity: Decimal | None = decimal_col(nullable=True)
    operator_hours: Decimal | None = decimal_col(nullable=True)
    charge_cents: int | None = None
    # The item's rates when the booking was approved (set by the approval statement): the charge
    # uses these, whatever the item's rates are at completion.
    approved_rate_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    approved_operator_rate_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    approved_vat_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))
    offer_expires_at: datetime | None = ts(nullable=True)
    decided_by: int | None = fk("users.id", nullable=True, index=False)
    decided_at: datetime | None = ts(nullable=True)
    created_at: datetime = created_at()
    # The repeating booking this is one occurrence of (``series``), if any.
    series_id: int | None = fk("booking_series.id", nullable=True, index=False)
    # A request for a contested day, collected for the draw (``draw``): decided by the draw, not by hand.
    in_draw: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))


@dataclass(slots=True, kw_only=True)
class BookingData:
    """A booking's columns as plain data (the same names and types as ``Booking``; a test keeps them equal).
    The busy routes (``service.request``, ``service.approve``) return this instead of a ``Booking``:
    building a SQLModel table instance costs about as much CPU as one of their statements."""

    id: int
    item_id: int
    farmer_id: int
    start_at: datetime
    end_at: datetime
    with_operator: bool
    expected_quantity: Decimal | None = None
    note: str | None = None
    status: str
    estimated_cents: int | None = None
    reject_reason: str | None = None
    quantity: Decimal | None = None
    operator_hours: Decimal | None = None
    charge_cents: int | None = None
    approved_rate_cents: int | None = None
    approved_operator_rate_cents: int | None = None
    approved_vat_percent: Decimal | None = None
    offer_expires_at: datetime | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    created_at: datetime
    series_id: int | None = None
    in_draw: bool = False


class BookingEvent(SQLModel, table=True):
    """Audit trail: every status change of a booking, with who and when."""

    __tablename__ = "booking_events"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = fk("bookings.id")
    actor_id: int | None = fk("users.id", nullable=True, index=False)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=2000)
    at: datetime = created_at()


class Block(SQLModel, table=True):
    """Maintenance or own use of an item by the building yard."""

    __tablename__ = "blocks"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    start_at: datetime = ts()
    end_at: datetime = ts()
    reason: str = Field(max_length=2000)
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()


class Occupancy(SQLModel, table=True):
    """One row per approved/completed booking or block; the exclusion constraint lives here."""

    __tablename__ = "occupancies"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    start_at: datetime = ts()
    end_at: datetime = ts()
    booking_id: int | None = fk("bookings.id", nullable=True, ondelete="CASCADE")
    block_id: int | None = fk("blocks.id", nullable=True, ondelete="CASCADE")
    # The item's buffer (kept equal to it by a foreign key on (item_id, buffer_minutes), migration 0009):
    # the constraint compares [start_at, end_at + buffer).
    buffer_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
