"""Use cases of the care domain: sections, their assignment to farmers, care logs and their confirmation
(which credits the farmer through the ledger), seasonal plans and the winter-service proof.

Seasons are meteorological: spring March–May, summer June–August, autumn September–November, winter
December–February. The winter of year Y runs from 1 December Y to the end of February Y+1, so a care plan
for year Y covers 1 March Y to the end of February Y+1 (January and February belong to the previous
year's winter).
"""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care.models import Assignment, CareLog, CareLogStatus, CareTask, Section, SectionUnit
from machinery_network.care.schemas import (
    SEASONS,
    AssignmentCreate,
    CareLogCreate,
    SectionCreate,
    SectionUpdate,
)
from machinery_network.config import Settings, get_settings
from machinery_network.db import EXCLUSION_VIOLATION, UNIQUE_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.i18n import translate
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.money import line_amounts
from machinery_network.schemas import apply_changes

MAX_HOURS = Decimal(24)
PROOF_MAX_DAYS = 3 * 366
PHOTO_SUBDIR = "care"
DEFAULT_DUE_WITHIN_DAYS = 14
RECENTLY_ENDED_DAYS = 60


def _settings(settings: Settings | None) -> Settings:
    return settings or get_settings()


def de_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# --- seasons -------------------------------------------------------------------------------------


def season_bounds(year: int, season: str) -> tuple[date, date]:
    """First and last day (inclusive) of ``season`` in care-plan year ``year``."""
    if season == "spring":
        return date(year, 3, 1), date(year, 5, 31)
    if season == "summer":
        return date(year, 6, 1), date(year, 8, 31)
    if season == "autumn":
        return date(year, 9, 1), date(year, 11, 30)
    if season == "winter":
        return date(year, 12, 1), date(year + 1, 3, 1) - timedelta(days=1)
    raise Invalid("care.season_unknown", field="season", season=season)


def season_of(day: date) -> tuple[int, str]:
    """(care-plan year, season) of a day: 15 January 2027 → (2026, "winter")."""
    if day.month in (1, 2):
        return day.year - 1, "winter"
    if day.month == 12:
        return day.year, "winter"
    return day.year, ("spring", "summer", "autumn")[(day.month - 3) // 3]


def passes_of(section: Section, quantity: Decimal) -> Decimal:
    """How many passes a log stands for: metres over the section's length; one pass per hour or flat log."""
    if section.unit == SectionUnit.metre:
        return Decimal(quantity) / Decimal(section.length_m)
    return Decimal(1)


# --- sections ------------------------------------------------------------------------------------


async def create_section(session: AsyncSession, actor: Actor, data: SectionCreate) -> Section:
    require_for_municipality(actor, data.municipality_id, Role.yard_head)
    await get_municipality(session, data.municipality_id)
    section = Section(**data.model_dump())
    session.add(section)
    await session.flush()
    return section


async def update_section(session: AsyncSession, actor: Actor, section_id: int, data: SectionUpdate) -> Section:
    section = await get_section(session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    changes = data.model_dump(exclude_unset=True)
    # Open reports carry the credit computed from the rate and unit they were reported under.
    money_changes = [
        field for field in ("rate_cents", "unit")
        if changes.get(field) is not None and changes[field] != getattr(section, field)
    ]
    if money_changes:
        open_logs = await session.scalar(
            select(func.count()).where(CareLog.section_id == section.id, CareLog.status == CareLogStatus.reported)
        )
        if open_logs:
            raise Conflict("care.open_logs_block_change", field="rate_cents", count=open_logs)
    apply_changes(section, changes, clearable=("planned_passes", "geometry"))
    await session.flush()
    return section


async def get_section(session: AsyncSession, section_id: int) -> Section:
    section = await session.get(Section, section_id)
    if section is None:
        raise NotFound("care.section_not_found", id=section_id)
    return section


async def list_sections(
    session: AsyncSession, *, municipality_id: int | None = None, active: bool | None = None
) -> list[Section]:
    stmt = select(Section).order_by(Section.municipality_id, Section.name, Section.id)
    if municipality_id is not None:
        stmt = stmt.where(Section.municipality_id == municipality_id)
    if active is not None:
        stmt = stmt.where(Section.active == active)
    return list(await session.scalars(stmt))


# --- assignments -----------------------------------------------------------------------------------


def _overlaps(section_id: int, start: date, end: date | None, *, exclude_id: int | None = None):
    """Assignments of the section whose inclusive validity meets [start, end] (end None: open)."""
    theirs = func.daterange(Assignment.valid_from, Assignment.valid_to, literal("[]"))
    ours = func.daterange(literal(start, Date()), literal(end, Date()), literal("[]"))
    stmt = select(Assignment).where(Assignment.section_id == section_id, theirs.op("&&")(ours))
    if exclude_id is not None:
        stmt = stmt.where(Assignment.id != exclude_id)
    return stmt.order_by(Assignment.valid_from).limit(1)


async def _overlap_error(
    session: AsyncSession, section_id: int, start: date, end: date | None, exclude_id: int | None
) -> Conflict:
    existing = await session.scalar(_overlaps(section_id, start, end, exclude_id=exclude_id))
    if existing is None:  # the winner of a race may have been rolled back meanwhile
        return Conflict("care.assignment_overlap_unknown", field="valid_from")
    farmer = await session.get(User, existing.farmer_id)
    period_key = "care.period" if existing.valid_to else "care.open_period"
    start, end = existing.valid_from, existing.valid_to
    return Conflict(
        "care.assignment_overlap",
        field="valid_from",
        farmer=farmer.name if farmer else f"#{existing.farmer_id}",
        # The period is one parameter per language: German dates for the forms, ISO dates for the API.
        period_de=translate(period_key, "de", start=de_date(start), end=de_date(end)),
        period_en=translate(period_key, "en", start=start.isoformat(), end=end.isoformat() if end else ""),
        extra={
            "field": "valid_from",
            "assignment_id": existing.id,
            "farmer_id": existing.farmer_id,
            "valid_from": existing.valid_from.isoformat(),
            "valid_to": existing.valid_to.isoformat() if existing.valid_to else None,
        },
    )


async def _save_assignment(session: AsyncSession, assignment: Assignment) -> Assignment:
    """Flush in a savepoint: the exclusion constraint decides, its refusal becomes the same 409."""
    try:
        async with session.begin_nested():
            session.add(assignment)
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
        raise await _overlap_error(
            session, assignment.section_id, assignment.valid_from, assignment.valid_to, assignment.id
        ) from exc
    return assignment


async def assign(session: AsyncSession, actor: Actor, section_id: int, data: AssignmentCreate) -> Assignment:
    section = await get_section(session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise Invalid("care.assignment_period", field="valid_to")
    try:
        await get_farmer(session, data.farmer_id)
    except NotFound as exc:
        raise Invalid("care.farmer_unknown", field="farmer_id") from exc
    if await session.scalar(_overlaps(section.id, data.valid_from, data.valid_to)):
        raise await _overlap_error(session, section.id, data.valid_from, data.valid_to, None)
    assignment = Assignment(
        section_id=section.id, farmer_id=data.farmer_id, valid_from=data.valid_from, valid_to=data.valid_to,
        created_by=actor.id,
    )
    return await _save_assignment(session, assignment)


async def end_assignment(session: AsyncSession, actor: Actor, assignment_id: int, valid_to: date) -> Assignment:
    """Set (or move) the last day of an assignment, e.g. before handing the section to another farmer."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("care.assignment_not_found", id=assignment_id)
    section = await get_section(session, assignment.section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if valid_to < assignment.valid_from:
        raise Invalid("care.assignment_period", field="valid_to")
    # Reports made under this assignment must stay covered by it.
    later = await session.scalar(
        select(func.max(CareLog.performed_on)).where(
            CareLog.section_id == section.id,
            CareLog.farmer_id == assignment.farmer_id,
            CareLog.status != CareLogStatus.rejected,
            CareLog.performed_on > valid_to,
            CareLog.performed_on >= assignment.valid_from,
        )
    )
    if later is not None:
        raise Conflict("care.assignment_open_logs", field="valid_to", date_de=de_date(valid_to), date=valid_to.isoformat())
    if await session.scalar(_overlaps(section.id, assignment.valid_from, valid_to, exclude_id=assignment.id)):
        raise await _overlap_error(session, section.id, assignment.valid_from, valid_to, assignment.id)
    try:
        async with session.begin_nested():
            assignment.valid_to = valid_to
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
        raise await _overlap_error(session, section.id, assignment.valid_from, valid_to, assignment.id) from exc
    return assignment


async def list_assignments(session: AsyncSession, actor: Actor, section_id: int) -> list[Assignment]:
    """Staff of the municipality see all assignments of a section; a farmer only his own."""
    section = await get_section(session, section_id)
    stmt = select(Assignment).where(Assignment.section_id == section.id).order_by(Assignment.valid_from)
    if actor.role == Role.farmer:
        stmt = stmt.where(Assignment.farmer_id == actor.id)
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head, Role.finance, admin=True)
    return list(await session.scalars(stmt))


async def assignment_on(session: AsyncSession, section_id: int, day: date) -> Assignment | None:
    return await session.scalar(
        select(Assignment).where(
            Assignment.section_id == section_id,
            Assignment.valid_from <= day,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to >= day),
        )
    )


async def current_assignees(
    session: AsyncSession, section_ids: list[int], day: date
) -> dict[int, tuple[Assignment, str]]:
    """{section id: (assignment valid on ``day``, farmer name)} for the sections that have one."""
    if not section_ids:
        return {}
    result = await session.execute(
        select(Assignment, User.name)
        .join(User, User.id == Assignment.farmer_id)
        .where(
            Assignment.section_id.in_(section_ids),
            Assignment.valid_from <= day,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to >= day),
        )
    )
    return {assignment.section_id: (assignment, name) for assignment, name in result}


# --- care logs ---------------------------------------------------------------------------------------


def check_quantity(section: Section, quantity: Decimal) -> None:
    """The contract's bounds: metres at most one pass over the section, at most 24 hours, flat exactly 1."""
    if quantity <= 0:
        raise Invalid("care.quantity_positive", field="quantity")
    if section.unit == SectionUnit.metre and quantity > section.length_m:
        raise Invalid("care.quantity_metre", field="quantity", max=section.length_m)
    if section.unit == SectionUnit.hour and quantity > MAX_HOURS:
        raise Invalid("care.quantity_hour", field="quantity")
    if section.unit == SectionUnit.flat and quantity != 1:
        raise Invalid("care.quantity_flat", field="quantity")


# Magic bytes decide the type; the client's file name and content type are never trusted.
_PHOTO_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def check_photo(content: bytes, max_bytes: int) -> tuple[str, str]:
    """(content type, file extension) of an acceptable photo, else Invalid."""
    if len(content) > max_bytes:
        raise Invalid("care.photo_too_large", field="photo", max=megabytes(max_bytes))
    if not content:
        raise Invalid("care.photo_empty", field="photo")
    for magic, content_type, ext in _PHOTO_TYPES:
        if content.startswith(magic):
            return content_type, ext
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise Invalid("care.photo_type", field="photo")


def megabytes(size: int) -> str:
    return format(Decimal(size) / (1024 * 1024), "f").rstrip("0").rstrip(".") or "0"


def _store_photo(settings: Settings, content: bytes, ext: str) -> str:
    """Write the photo under a random name; return its path relative to the upload directory."""
    directory = settings.upload_dir / PHOTO_SUBDIR
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}{ext}"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return f"{PHOTO_SUBDIR}/{name}"


async def report(
    session: AsyncSession,
    actor: Actor,
    data: CareLogCreate,
    *,
    photo: bytes | None = None,
    settings: Settings | None = None,
) -> CareLog:
    """A farmer reports care work on a section assigned to him on that day; it waits for confirmation."""
    settings = _settings(settings)
    require_role(actor, Role.farmer)
    section = await get_section(session, data.section_id)
    ever_assigned = await session.scalar(
        select(Assignment.id).where(Assignment.section_id == section.id, Assignment.farmer_id == actor.id).limit(1)
    )
    if ever_assigned is None:
        raise NotAllowed("care.not_your_section")
    if data.performed_on > clock.today(settings.tz):
        raise Invalid("care.future_date", field="performed_on")
    current = await assignment_on(session, section.id, data.performed_on)
    if current is None or current.farmer_id != actor.id:
        raise Invalid("care.not_assigned", field="performed_on", date_de=de_date(data.performed_on),
                      date=data.performed_on.isoformat())
    if not section.active:
        raise Invalid("care.section_inactive", field="section_id")
    check_quantity(section, data.quantity)
    photo_meta = check_photo(photo, settings.upload_max_bytes) if photo is not None else None
    log = CareLog(
        section_id=section.id, farmer_id=actor.id, performed_on=data.performed_on, quantity=data.quantity,
        note=(data.note or "").strip() or None, status=CareLogStatus.reported,
        credit_cents=line_amounts(data.quantity, section.rate_cents).gross_cents,
    )
    session.add(log)
    await session.flush()
    if photo is not None and photo_meta is not None:
        # Written last, after every check passed, so a refusal leaves no file behind.
        log.photo_path = _store_photo(settings, photo, photo_meta[1])
        log.photo_content_type = photo_meta[0]
        await session.flush()
    return log


async def get_care_log(session: AsyncSession, care_log_id: int, *, for_update: bool = False) -> CareLog:
    stmt = select(CareLog).where(CareLog.id == care_log_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    log = await session.scalar(stmt)
    if log is None:
        raise NotFound("care.log_not_found", id=care_log_id)
    return log


async def _readable_log(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, Section]:
    log = await get_care_log(session, care_log_id)
    section = await get_section(session, log.section_id)
    if actor.role == Role.farmer:
        if log.farmer_id != actor.id:
            raise NotAllowed()
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head, Role.finance, admin=True)
    return log, section


async def show_care_log(session: AsyncSession, actor: Actor, care_log_id: int) -> CareLog:
    return (await _readable_log(session, actor, care_log_id))[0]


async def attach_photo(
    session: AsyncSession, actor: Actor, care_log_id: int, content: bytes, *, settings: Settings | None = None
) -> CareLog:
    """The reporting farmer adds (or replaces) the photo of a log that is not decided yet."""
    settings = _settings(settings)
    log = await get_care_log(session, care_log_id, for_update=True)
    if actor.role != Role.farmer or log.farmer_id != actor.id:
        raise NotAllowed()
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    content_type, ext = check_photo(content, settings.upload_max_bytes)
    # A replaced photo's file stays on disk: a failed commit must not lose the one still referenced.
    log.photo_path = _store_photo(settings, content, ext)
    log.photo_content_type = content_type
    await session.flush()
    return log


async def photo_file(
    session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings | None = None
) -> tuple[Path, str]:
    settings = _settings(settings)
    log, _ = await _readable_log(session, actor, care_log_id)
    if not log.photo_path:
        raise NotFound("care.photo_missing")
    root = settings.upload_dir.resolve()
    path = (root / log.photo_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("care.photo_missing")
    return path, log.photo_content_type or "application/octet-stream"


async def _decidable(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, Section]:
    # The row lock serialises two yard heads clicking at once: the second sees the decision.
    log = await get_care_log(session, care_log_id, for_update=True)
    section = await get_section(session, log.section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    return log, section


async def confirm(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, LedgerEntry]:
    """Confirm reported work: posts exactly one credit (value date = the work day)."""
    log, section = await _decidable(session, actor, care_log_id)
    if line_amounts(log.quantity, section.rate_cents).gross_cents != log.credit_cents:
        raise Conflict("care.rate_changed")
    try:
        async with session.begin_nested():
            entry = await ledger.post_credit(
                session, farmer_id=log.farmer_id, municipality_id=section.municipality_id,
                value_date=log.performed_on, quantity=log.quantity, unit=section.unit,
                rate_cents=section.rate_cents, section_name=section.name, care_log_id=log.id, actor=actor,
            )
    except IntegrityError as exc:
        if sqlstate(exc) != UNIQUE_VIOLATION:
            raise
        raise Conflict("care.already_credited") from exc
    log.status = CareLogStatus.confirmed
    log.decided_by = actor.id
    log.decided_at = clock.now()
    await session.flush()
    return log, entry


async def reject(session: AsyncSession, actor: Actor, care_log_id: int, reason: str) -> CareLog:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("care.reason_required", field="reason")
    log, _ = await _decidable(session, actor, care_log_id)
    log.status = CareLogStatus.rejected
    log.reject_reason = reason
    log.decided_by = actor.id
    log.decided_at = clock.now()
    await session.flush()
    return log


@dataclass
class CareLogRow:
    log: CareLog
    section: Section
    farmer_name: str


async def list_care_logs(
    session: AsyncSession,
    actor: Actor,
    *,
    status: str | None = None,
    section_id: int | None = None,
    municipality_id: int | None = None,
    limit: int = 500,
) -> list[CareLogRow]:
    """A farmer sees his own logs; yard head and finance their municipality's; the admin any."""
    stmt = (
        select(CareLog, Section, User.name)
        .join(Section, Section.id == CareLog.section_id)
        .join(User, User.id == CareLog.farmer_id)
    )
    if actor.role == Role.farmer:
        stmt = stmt.where(CareLog.farmer_id == actor.id)
        if municipality_id is not None:
            stmt = stmt.where(Section.municipality_id == municipality_id)
    elif actor.is_admin:
        if municipality_id is not None:
            stmt = stmt.where(Section.municipality_id == municipality_id)
    else:
        require_role(actor, Role.yard_head, Role.finance)
        if municipality_id is not None and municipality_id != actor.municipality_id:
            raise NotAllowed("auth.wrong_municipality")
        stmt = stmt.where(Section.municipality_id == actor.municipality_id)
    if status:
        stmt = stmt.where(CareLog.status == status)
    if section_id is not None:
        stmt = stmt.where(CareLog.section_id == section_id)
    stmt = stmt.order_by(CareLog.performed_on.desc(), CareLog.id.desc()).limit(limit)
    return [CareLogRow(log=log, section=section, farmer_name=name) for log, section, name in await session.execute(stmt)]


# --- seasonal plans ------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    section: Section
    farmer_id: int | None
    farmer_name: str | None
    year: int
    season: str
    season_start: date
    season_end: date
    planned: int
    reported: Decimal  # passes reported and not rejected (open or confirmed)
    confirmed: Decimal
    overdue: bool
    state: str  # done | overdue | open | upcoming


_TWO_PLACES = Decimal("0.01")


async def _plan_rows(
    session: AsyncSession,
    sections: list[Section],
    year: int,
    today: date,
    *,
    seasons: tuple[str, ...] = SEASONS,
    due_within_days: int = DEFAULT_DUE_WITHIN_DAYS,
) -> list[PlanRow]:
    if not sections:
        return []
    ids = [s.id for s in sections]
    year_start, year_end = season_bounds(year, "spring")[0], season_bounds(year, "winter")[1]
    logs = await session.execute(
        select(CareLog.section_id, CareLog.performed_on, CareLog.quantity, CareLog.status).where(
            CareLog.section_id.in_(ids),
            CareLog.status != CareLogStatus.rejected,
            CareLog.performed_on.between(year_start, year_end),
        )
    )
    by_id = {s.id: s for s in sections}
    reported: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    confirmed: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for section_id, performed_on, quantity, status in logs:
        key = (section_id, season_of(performed_on)[1])
        passes = passes_of(by_id[section_id], quantity)
        reported[key] += passes
        if status == CareLogStatus.confirmed:
            confirmed[key] += passes
    assignments: dict[int, list[tuple[Assignment, str]]] = defaultdict(list)
    for assignment, name in await session.execute(
        select(Assignment, User.name)
        .join(User, User.id == Assignment.farmer_id)
        .where(
            Assignment.section_id.in_(ids),
            Assignment.valid_from <= year_end,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to >= year_start),
        )
    ):
        assignments[assignment.section_id].append((assignment, name))

    rows: list[PlanRow] = []
    for section in sections:
        plan = section.planned_passes or {}
        for season in seasons:
            planned = int(plan.get(season) or 0)
            if planned <= 0:
                continue
            start, end = season_bounds(year, season)
            # Who is responsible: the assignee on today's date, clamped into the season.
            day = min(max(today, start), end)
            farmer_id = farmer_name = None
            for assignment, name in assignments.get(section.id, []):
                if assignment.valid_from <= day and (assignment.valid_to is None or assignment.valid_to >= day):
                    farmer_id, farmer_name = assignment.farmer_id, name
            done_reported = reported[(section.id, season)].quantize(_TWO_PLACES, ROUND_HALF_UP)
            done_confirmed = confirmed[(section.id, season)].quantize(_TWO_PLACES, ROUND_HALF_UP)
            missing = done_confirmed < planned
            overdue = missing and start <= today and (end - today).days <= due_within_days
            if not missing:
                state = "done"
            elif overdue:
                state = "overdue"
            elif start > today:
                state = "upcoming"
            else:
                state = "open"
            rows.append(
                PlanRow(
                    section=section, farmer_id=farmer_id, farmer_name=farmer_name, year=year, season=season,
                    season_start=start, season_end=end, planned=planned, reported=done_reported,
                    confirmed=done_confirmed, overdue=overdue, state=state,
                )
            )
    return rows


async def season_plan(
    session: AsyncSession,
    actor: Actor,
    municipality_id: int,
    year: int,
    *,
    season: str | None = None,
    due_within_days: int = DEFAULT_DUE_WITHIN_DAYS,
    settings: Settings | None = None,
) -> list[PlanRow]:
    """Per section and planned season of ``year``: planned, reported and confirmed passes, and overdue."""
    settings = _settings(settings)
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    if not 2000 <= year <= 2100:
        raise Invalid("field.invalid", field="year")
    seasons: tuple[str, ...] = SEASONS
    if season:
        season_bounds(year, season)  # refuses an unknown season
        seasons = (season,)
    sections = await list_sections(session, municipality_id=municipality_id, active=True)
    return await _plan_rows(
        session, sections, year, clock.today(settings.tz), seasons=seasons, due_within_days=due_within_days
    )


@dataclass
class FarmerSection:
    section: Section
    assignment: Assignment
    municipality_name: str
    current: PlanRow | None  # this season's plan of the section, if it has one
    plan: list[PlanRow]  # every planned season of the running care-plan year


async def farmer_sections(
    session: AsyncSession, actor: Actor, *, settings: Settings | None = None
) -> list[FarmerSection]:
    """A farmer's current, coming and recently ended assignments, each with the section's plan of the year."""
    settings = _settings(settings)
    require_role(actor, Role.farmer)
    today = clock.today(settings.tz)
    result = await session.execute(
        select(Assignment, Section, Municipality.name)
        .join(Section, Section.id == Assignment.section_id)
        .join(Municipality, Municipality.id == Section.municipality_id)
        .where(
            Assignment.farmer_id == actor.id,
            # Recently ended assignments stay listed: work done before the end can still be reported.
            or_(Assignment.valid_to.is_(None), Assignment.valid_to >= today - timedelta(days=RECENTLY_ENDED_DAYS)),
        )
        .order_by(Municipality.name, Section.name, Assignment.valid_from)
    )
    rows = list(result)
    year, season = season_of(today)
    plan = await _plan_rows(session, [s for _, s, _ in rows], year, today)
    by_section: dict[int, list[PlanRow]] = defaultdict(list)
    for row in plan:
        by_section[row.section.id].append(row)
    return [
        FarmerSection(
            section=s, assignment=a, municipality_name=m, plan=by_section.get(s.id, []),
            current=next((r for r in by_section.get(s.id, []) if r.season == season), None),
        )
        for a, s, m in rows
    ]


# --- winter-service proof ------------------------------------------------------------------------------


@dataclass
class ProofRow:
    performed_on: date
    section_name: str
    section_kind: str
    length_m: int
    farmer_name: str
    quantity: Decimal
    unit: str
    note: str | None
    credit_cents: int
    confirmed_by: str | None
    confirmed_at: datetime | None


@dataclass
class WinterProof:
    municipality: Municipality
    start: date
    end: date
    section: Section | None
    rows: list[ProofRow]


async def winter_proof(
    session: AsyncSession,
    actor: Actor,
    municipality_id: int,
    start: date,
    end: date,
    *,
    section_id: int | None = None,
) -> WinterProof:
    """Confirmed winter-service work of a municipality (or one of its sections) in [start, end]."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    municipality = await get_municipality(session, municipality_id)
    if end < start:
        raise Invalid("care.period_invalid", field="to")
    if (end - start).days > PROOF_MAX_DAYS:
        raise Invalid("care.period_too_long", field="to", days=PROOF_MAX_DAYS)
    section = None
    if section_id is not None:
        section = await get_section(session, section_id)
        if section.municipality_id != municipality_id:
            raise NotFound("care.section_not_found", id=section_id)
    farmer = aliased(User)
    decider = aliased(User)
    stmt = (
        select(CareLog, Section, farmer.name, decider.name)
        .join(Section, Section.id == CareLog.section_id)
        .join(farmer, farmer.id == CareLog.farmer_id)
        .outerjoin(decider, decider.id == CareLog.decided_by)
        .where(
            and_(
                Section.municipality_id == municipality_id,
                Section.task == CareTask.winter_service,
                CareLog.status == CareLogStatus.confirmed,
                CareLog.performed_on.between(start, end),
            )
        )
        .order_by(CareLog.performed_on, Section.name, CareLog.id)
    )
    if section_id is not None:
        stmt = stmt.where(CareLog.section_id == section_id)
    rows = [
        ProofRow(
            performed_on=log.performed_on, section_name=sec.name, section_kind=sec.kind, length_m=sec.length_m,
            farmer_name=farmer_name, quantity=log.quantity, unit=sec.unit, note=log.note,
            credit_cents=log.credit_cents, confirmed_by=decider_name, confirmed_at=log.decided_at,
        )
        for log, sec, farmer_name, decider_name in await session.execute(stmt)
    ]
    return WinterProof(municipality=municipality, start=start, end=end, section=section, rows=rows)
