"""Request and response shapes of the care domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from machinery_network.care.duty import check_duty
from machinery_network.care.geometry import area_m2, check_geometry
from machinery_network.care.models import (
    Assignment,
    CareLog,
    CareTask,
    RoadCondition,
    Section,
    SectionKind,
    SectionUnit,
    WinterActivity,
)
from machinery_network.schemas import Cents, Day, DecimalOut, Id, Input, Instant, Name, Note, Quantity, Reason

SEASONS = ("spring", "summer", "autumn", "winter")
MAX_PASSES = 366

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


class SectionCreate(Input):
    municipality_id: Id
    name: Name
    kind: SectionKind
    # Computed from the geometry when one is given; required without one.
    length_m: LengthM | None = None
    task: CareTask
    unit: SectionUnit
    rate_cents: Cents
    planned_passes: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None
    winter_duty: dict[str, Any] | None = None
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

    @field_validator("winter_duty")
    @classmethod
    def _duty(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_duty(value)


class SectionImportOptions(Input):
    """What the GIS file does not say: the municipality and the sections' kind (unless an attribute names
    it), task, unit and rate."""

    municipality_id: Id | None = None
    kind: SectionKind = SectionKind.road
    task: CareTask = CareTask.winter_service
    unit: SectionUnit = SectionUnit.metre
    rate_cents: Cents = 0


class SectionPreview(BaseModel):
    name: str
    kind: str | None
    length_m: int
    area_m2: int | None
    geometry: dict[str, Any]


class ImportPreview(BaseModel):
    crs: str
    skipped: int
    sections: list[SectionPreview]


class SectionUpdate(Input):
    name: Name | None = None
    kind: SectionKind | None = None
    length_m: LengthM | None = None
    task: CareTask | None = None
    unit: SectionUnit | None = None
    rate_cents: Cents | None = None
    planned_passes: dict[str, Any] | None = None
    geometry: dict[str, Any] | None = None
    winter_duty: dict[str, Any] | None = None
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

    @field_validator("winter_duty")
    @classmethod
    def _duty(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_duty(value)


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
    # A Polygon's area in square metres (geodesic, WGS 84); None for a line or no geometry.
    area_m2: int | None = None
    winter_duty: dict[str, Any] | None
    active: bool
    location_evidence: bool
    allow_more_logs_per_day: bool
    created_at: datetime

    @classmethod
    def of(cls, section: Section) -> SectionPublic:
        public = cls.model_validate(section, from_attributes=True)
        public.area_m2 = area_m2(section.geometry) if section.geometry else None
        return public


class AssignmentCreate(Input):
    farmer_id: Id
    valid_from: Day
    valid_to: Day | None = None


class AssignmentEnd(Input):
    valid_to: Day


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


Weather = Annotated[str, Field(min_length=1, max_length=200)]
Material = Annotated[str, Field(min_length=1, max_length=100)]
AmountKg = Annotated[Decimal, Field(ge=0, le=Decimal("100000"), max_digits=9, decimal_places=3)]


class WinterPass(Input):
    """Winter service (sections of the task winter_service): when the pass ran and what was done."""

    started_at: Instant | None = None
    ended_at: Instant | None = None
    activity: WinterActivity | None = None
    material: Material | None = None
    amount_kg: AmountKg | None = None
    weather: Weather | None = None
    road_condition: RoadCondition | None = None


class CareLogCreate(WinterPass):
    section_id: Id
    performed_on: Day
    quantity: Quantity
    note: Note | None = None


class CareLogCorrection(WinterPass):
    """A correction of a confirmed winter-service log: the pass as it really was, and why."""

    reason: Reason
    performed_on: Day | None = None  # default: the corrected record's day


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
    started_at: datetime | None
    ended_at: datetime | None
    activity: str | None
    material: str | None
    amount_kg: DecimalOut | None
    corrects_id: int | None = None
    record_hash: str | None = None
    track_covered_percent: DecimalOut | None = None
    track_sha256: str | None = None
    weather: str | None = None
    road_condition: str | None = None

    @classmethod
    def of(cls, log: CareLog) -> CareLogPublic:
        assert log.id is not None  # a stored log
        return cls(
            id=log.id, section_id=log.section_id, farmer_id=log.farmer_id, performed_on=log.performed_on,
            quantity=log.quantity, note=log.note, status=log.status, credit_cents=log.credit_cents,
            has_photo=log.photo_path is not None, photo_content_type=log.photo_content_type,
            reject_reason=log.reject_reason, decided_by=log.decided_by, decided_at=log.decided_at,
            created_at=log.created_at, started_at=log.started_at, ended_at=log.ended_at, activity=log.activity,
            material=log.material, amount_kg=log.amount_kg, corrects_id=log.corrects_id,
            record_hash=log.record_hash, track_covered_percent=log.track_covered_percent,
            track_sha256=log.track_sha256, weather=log.weather, road_condition=log.road_condition,
        )


class TrackCoverage(BaseModel):
    covered_percent: float


class CoverageStretch(BaseModel):
    from_m: int  # metres along the section from its first point
    to_m: int
    covered: bool


class PassCoveragePublic(BaseModel):
    """A pass's GPS track against its section (``care.map.pass_coverage``); lines are GeoJSON MultiLineStrings
    in WGS 84, the track thinned for drawing (the full file: ``GET /care-logs/{id}/track``)."""

    care_log_id: int
    section_id: int
    covered_percent: float
    recorded_percent: DecimalOut | None
    tolerance_m: float
    length_m: int
    covered_m: int
    stretches: list[CoverageStretch]
    covered: dict[str, Any]
    uncovered: dict[str, Any]
    track: dict[str, Any]


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
