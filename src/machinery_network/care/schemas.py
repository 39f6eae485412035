"""Request and response shapes of the care domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from machinery_network.care.models import Assignment, CareLog, CareTask, Section, SectionKind, SectionUnit
from machinery_network.schemas import Cents, DecimalOut, Id, Input, Name, Note, Quantity, Reason

SEASONS = ("spring", "summer", "autumn", "winter")
MAX_PASSES = 366
MAX_POINTS = 1000

LengthM = Annotated[int, Field(strict=True, gt=0, le=1_000_000)]


def check_planned_passes(value: dict[str, Any] | None) -> dict[str, int] | None:
    """{season: passes}; unknown seasons or non-integer / out-of-range counts are refused."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("planned_passes must be an object")
    cleaned: dict[str, int] = {}
    for season, passes in value.items():
        if season not in SEASONS:
            raise ValueError(f"unknown season {season!r} (spring, summer, autumn, winter)")
        if isinstance(passes, bool) or not isinstance(passes, int) or not 0 <= passes <= MAX_PASSES:
            raise ValueError(f"passes for {season} must be a whole number from 0 to {MAX_PASSES}")
        if passes:
            cleaned[season] = passes
    return cleaned or None


def check_geometry(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A GeoJSON LineString in WGS84: {"type": "LineString", "coordinates": [[lon, lat], …]}."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") != "LineString" or set(value) - {"type", "coordinates"}:
        raise ValueError("geometry must be a GeoJSON LineString")
    points = value.get("coordinates")
    if not isinstance(points, list) or not 2 <= len(points) <= MAX_POINTS:
        raise ValueError(f"a LineString needs 2 to {MAX_POINTS} points")
    cleaned: list[list[float]] = []
    for point in points:
        if (
            not isinstance(point, list | tuple)
            or len(point) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
        ):
            raise ValueError("each point is [longitude, latitude]")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("longitude must lie in [-180, 180] and latitude in [-90, 90]")
        cleaned.append([lon, lat])
    return {"type": "LineString", "coordinates": cleaned}


class SectionCreate(Input):
    municipality_id: Id
    name: Name
    kind: SectionKind
    length_m: LengthM
    task: CareTask
    unit: SectionUnit
    rate_cents: Cents
    planned_passes: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None
    active: bool = True
    # None: the default (false) on create, unchanged on an update through the full form.
    location_evidence: bool | None = None
    allow_more_logs_per_day: bool | None = None

    @field_validator("planned_passes")
    @classmethod
    def _passes(cls, value: dict[str, Any] | None) -> dict[str, int] | None:
        return check_planned_passes(value)

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_geometry(value)


class SectionUpdate(Input):
    name: Name | None = None
    kind: SectionKind | None = None
    length_m: LengthM | None = None
    task: CareTask | None = None
    unit: SectionUnit | None = None
    rate_cents: Cents | None = None
    planned_passes: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None
    active: bool | None = None
    location_evidence: bool | None = None
    allow_more_logs_per_day: bool | None = None

    @field_validator("planned_passes")
    @classmethod
    def _passes(cls, value: dict[str, Any] | None) -> dict[str, int] | None:
        return check_planned_passes(value)

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_geometry(value)


class SectionPublic(BaseModel):
    id: int
    municipality_id: int
    name: str
    kind: str
    length_m: int
    task: str
    unit: str
    rate_cents: int
    planned_passes: dict[str, int] | None
    geometry: dict[str, Any] | None
    active: bool
    location_evidence: bool
    allow_more_logs_per_day: bool
    created_at: datetime

    @classmethod
    def of(cls, section: Section) -> SectionPublic:
        return cls.model_validate(section, from_attributes=True)


class AssignmentCreate(Input):
    farmer_id: Id
    valid_from: date
    valid_to: date | None = None


class AssignmentEnd(Input):
    valid_to: date


class AssignmentPublic(BaseModel):
    id: int
    section_id: int
    farmer_id: int
    valid_from: date
    valid_to: date | None
    created_at: datetime

    @classmethod
    def of(cls, assignment: Assignment) -> AssignmentPublic:
        return cls.model_validate(assignment, from_attributes=True)


class CareLogCreate(Input):
    section_id: Id
    performed_on: date
    quantity: Quantity
    note: Note | None = None


class CareLogReject(Input):
    reason: Reason


class CareLogPublic(BaseModel):
    id: int
    section_id: int
    farmer_id: int
    performed_on: date
    quantity: DecimalOut
    note: str | None
    status: str
    credit_cents: int
    has_photo: bool
    photo_content_type: str | None
    reject_reason: str | None
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, log: CareLog) -> CareLogPublic:
        return cls(
            id=log.id, section_id=log.section_id, farmer_id=log.farmer_id, performed_on=log.performed_on,
            quantity=log.quantity, note=log.note, status=log.status, credit_cents=log.credit_cents,
            has_photo=log.photo_path is not None, photo_content_type=log.photo_content_type,
            reject_reason=log.reject_reason, decided_by=log.decided_by, decided_at=log.decided_at,
            created_at=log.created_at,
        )


class PlanRowPublic(BaseModel):
    section_id: int
    section_name: str
    task: str
    unit: str
    farmer_id: int | None
    farmer_name: str | None
    year: int
    season: str
    season_start: date
    season_end: date
    planned: int
    reported: DecimalOut
    confirmed: DecimalOut
    overdue: bool
    state: str
