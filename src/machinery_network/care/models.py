"""Tables of the care domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Date
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, decimal_col, fk, jsonb, ts


class SectionKind(StrEnum):
    road = "road"
    path = "path"


class CareTask(StrEnum):
    verge_mowing = "verge_mowing"
    hedge_cutting = "hedge_cutting"
    ditch_clearing = "ditch_clearing"
    winter_service = "winter_service"
    other = "other"


class SectionUnit(StrEnum):
    metre = "metre"
    hour = "hour"
    flat = "flat"


class WinterActivity(StrEnum):
    clearing = "clearing"
    gritting = "gritting"
    both = "both"


class RoadCondition(StrEnum):
    snow = "snow"
    slush = "slush"
    ice = "ice"
    black_ice = "black_ice"
    frost = "frost"
    dry = "dry"


class CareLogStatus(StrEnum):
    reported = "reported"
    confirmed = "confirmed"
    rejected = "rejected"


class Section(SQLModel, table=True):
    __tablename__ = "sections"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = fk("municipalities.id")
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    length_m: int
    task: str = Field(max_length=40)
    unit: str = Field(max_length=20)
    rate_cents: int
    # Expected passes per season, e.g. {"summer": 2}: {season: passes}; seasons per care.service.
    planned_passes: dict[str, Any] | None = jsonb()
    geometry: dict[str, Any] | None = jsonb()  # GeoJSON LineString or Polygon in WGS84 (care.geometry)
    active: bool = Field(default=True)
    # Photos keep their EXIF location only where it is evidence (e.g. winter service), else it is stripped.
    location_evidence: bool = Field(default=False)
    # One care log per farmer and day unless the yard head allows more (e.g. gritting twice on an icy day).
    allow_more_logs_per_day: bool = Field(default=False)
    # Winter-service duty times (care.duty); None: working days by 07:00, Sundays and holidays by 09:00.
    winter_duty: dict[str, Any] | None = jsonb()
    created_at: datetime = created_at()


class Assignment(SQLModel, table=True):
    """A section looked after by one farmer from valid_from to valid_to (inclusive; open-ended if null)."""

    __tablename__ = "assignments"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = fk("sections.id")
    farmer_id: int = fk("users.id")
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()


class CareLog(SQLModel, table=True):
    __tablename__ = "care_logs"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = fk("sections.id")
    farmer_id: int = fk("users.id")
    performed_on: date = Field(sa_column=Column(Date, nullable=False))
    quantity: Decimal = decimal_col()
    note: str | None = Field(default=None, max_length=2000)
    status: str = Field(default=CareLogStatus.reported, max_length=20, index=True)
    credit_cents: int
    photo_path: str | None = Field(default=None, max_length=500)
    photo_content_type: str | None = Field(default=None, max_length=100)
    reject_reason: str | None = Field(default=None, max_length=2000)
    decided_by: int | None = fk("users.id", nullable=True, index=False)
    decided_at: datetime | None = ts(nullable=True)
    created_at: datetime = created_at()
    # Winter service: the pass's times, what was done and the grit spread. A confirmed log is frozen by a
    # database trigger (migration 0016).
    started_at: datetime | None = ts(nullable=True)
    ended_at: datetime | None = ts(nullable=True)
    activity: str | None = Field(default=None, max_length=20)
    material: str | None = Field(default=None, max_length=100)
    amount_kg: Decimal | None = decimal_col(9, 3, nullable=True)
    weather: str | None = Field(default=None, max_length=200)
    road_condition: str | None = Field(default=None, max_length=20)
    # A correction of a confirmed log is a new record pointing at it (migration 0024); the hash of the
    # record's canonical form is written with its confirmation (care.evidence).
    corrects_id: int | None = fk("care_logs.id", nullable=True, index=False)
    record_hash: str | None = Field(default=None, max_length=64)
    # The GPX track of the pass, kept as evidence (care.track): file, its SHA-256, share of the section.
    track_path: str | None = Field(default=None, max_length=500)
    track_sha256: str | None = Field(default=None, max_length=64)
    track_covered_percent: Decimal | None = decimal_col(4, 1, nullable=True)
