"""Tables of repeating bookings and of the fair draw (issue #18; migration 0023_draws).

``BookingSeries``: a farmer's repeating booking, whose occurrences are bookings (``Booking.series_id``).
``ContestedSeason``: an item contested from one day to another, drawn week by week after a deadline.
``Draw``: one per (item, week), unique; its seed is published. ``DrawEntry``: one per request in it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Column, SmallInteger, Time
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, decimal_col, fk, jsonb, network_col, ts


class BookingSeries(SQLModel, table=True):
    __tablename__ = "booking_series"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    farmer_id: int = fk("users.id")
    network_id: int | None = network_col()
    # ISO weekdays: 1 = Monday … 7 = Sunday (``date.isoweekday``).
    weekdays: list[int] = Field(sa_column=Column(ARRAY(SmallInteger), nullable=False))
    start_time: time = Field(sa_column=Column(Time, nullable=False))
    end_time: time = Field(sa_column=Column(Time, nullable=False))
    first_day: date
    last_day: date
    with_operator: bool = False
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at()
    cancelled_at: datetime | None = ts(nullable=True)


class ContestedSeason(SQLModel, table=True):
    __tablename__ = "contested_seasons"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    network_id: int | None = network_col()
    first_day: date
    last_day: date
    deadline_weekday: int = Field(  # ISO: 1 = Monday … 7 = Sunday
       sa_column=Column(SmallInteger, nullable=False))
    deadline_time: time = Field(sa_column=Column(Time, nullable=False))
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()


class Draw(SQLModel, table=True):
    __tablename__ = "draws"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id", index=False)
    season_id: int = fk("contested_seasons.id")
    network_id: int | None = network_col()
    period_start: date
    period_end: date
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    occupied: Any = jsonb(nullable=False)
    trigger: str = Field(max_length=20)
    actor_id: int | None = fk("users.id", nullable=True, index=False)
    ran_at: datetime = ts()


class DrawEntry(SQLModel, table=True):
    __tablename__ = "draw_entries"

    id: int | None = Field(default=None, primary_key=True)
    draw_id: int = fk("draws.id")
    booking_id: int = fk("bookings.id", index=False)
    farmer_id: int = fk("users.id", index=False)
    network_id: int | None = network_col()
    start_at: datetime = ts()
    end_at: datetime = ts()
    season_hours: Decimal = decimal_col()
    position: int
    won: bool
    reason: str = Field(max_length=30)
    against_booking_id: int | None = None
