"""Use cases of the care domain: care logs, from the farmer's report to the yard head's confirmation
(which credits the farmer through the ledger) or rejection.

The other care rules live beside this module, one concern each: ``sections`` and ``assignments`` (who looks
after what), ``seasons`` (the care-plan calendar), ``plan`` (planned against done passes), ``photos`` (upload
checks and storage), ``proof`` (the winter-service proof and its files) and ``map`` (the SVG projection).
They are re-exported here so that controllers import one module for every use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care import track
from machinery_network.care.assignments import assign as assign
from machinery_network.care.assignments import assignment_on
from machinery_network.care.assignments import current_assignees as current_assignees
from machinery_network.care.assignments import end_assignment as end_assignment
from machinery_network.care.assignments import list_assignments as list_assignments
from machinery_network.care.evidence import record_hash
from machinery_network.care.models import (
    Assignment,
    CareLog,
    CareLogStatus,
    CareTask,
    Section,
    SectionUnit,
    WinterActivity,
)
from machinery_network.care.photos import megabytes as megabytes
from machinery_network.care.photos import (
    prepare_photo,
    remove_after_commit,
    remove_after_rollback,
    resolve_photo,
    store_photo,
)
from machinery_network.care.plan import DEFAULT_DUE_WITHIN_DAYS as DEFAULT_DUE_WITHIN_DAYS
from machinery_network.care.plan import FarmerSection as FarmerSection
from machinery_network.care.plan import PlanRow as PlanRow
from machinery_network.care.plan import farmer_sections as farmer_sections
from machinery_network.care.plan import season_plan as season_plan
from machinery_network.care.proof import WinterProof as WinterProof
from machinery_network.care.proof import winter_proof as winter_proof
from machinery_network.care.schemas import CareLogCorrection, CareLogCreate
from machinery_network.care.seasons import de_date
from machinery_network.care.seasons import season_bounds as season_bounds
from machinery_network.care.seasons import season_of as season_of
from machinery_network.care.sections import create_section as create_section
from machinery_network.care.sections import get_section
from machinery_network.care.sections import import_sections as import_sections
from machinery_network.care.sections import list_sections as list_sections
from machinery_network.care.sections import update_section as update_section
from machinery_network.config import Settings, get_settings
from machinery_network.db import UNIQUE_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.money import format_eur, line_amounts
from machinery_network.notifications.notices import tell
from machinery_network.notifications.service import MailTemplates
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts

MAILS = MailTemplates("machinery_network.care")

MAX_HOURS = Decimal(24)
MAX_PASS = timedelta(hours=24)

__all__ = ["de_date", "get_section"]  # re-exported besides the ``x as x`` imports


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


def check_winter_fields(section: Section, data: CareLogCreate, settings: Settings) -> None:
    """Winter-service details: only on winter-service sections; start, end and activity together; the pass
    starts on the work day, ends after it started (within 24 hours) and not in the future; grit only when
    gritting."""
    times = (data.started_at, data.ended_at, data.activity)
    grit = (data.material, data.amount_kg)
    if all(v is None for v in (*times, *grit, data.weather, data.road_condition)):
        return
    if section.task != CareTask.winter_service:
        raise Invalid("care.winter_fields_only", field="activity")
    if data.started_at is None or data.ended_at is None or data.activity is None:
        field = next(name for name, v in zip(("started_at", "ended_at", "activity"), times, strict=True) if v is None)
        raise Invalid("care.winter_times_required", field=field)
    if not data.started_at < data.ended_at <= data.started_at + MAX_PASS:
        raise Invalid("care.winter_end_before_start", field="ended_at")
    if data.ended_at > clock.now():
        raise Invalid("care.winter_future", field="ended_at")
    if data.started_at.astimezone(settings.tz).date() != data.performed_on:
        raise Invalid("care.winter_start_day", field="started_at", date_de=de_date(data.performed_on),
                      date=data.performed_on.isoformat())
    if data.activity == WinterActivity.clearing and any(v is not None for v in grit):
        raise Invalid("care.winter_grit_without_gritting", field="material")


async def report(
    session: AsyncSession,
    actor: Actor,
    data: CareLogCreate,
    *,
    photo: bytes | None = None,
    settings: Settings | None = None,
) -> CareLog:
    """A farmer reports care work on a section assigned to him on that day; it waits for confirmation."""
    settings = settings or get_settings()
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
    check_winter_fields(section, data, settings)
    if not section.allow_more_logs_per_day:
        existing = await session.scalar(_same_day_log(section.id, actor.id, data.performed_on))
        if existing is not None:
            raise _same_day_conflict(data.performed_on, existing)
    prepared = (
        await prepare_photo(photo, settings.upload_max_bytes, keep_location=section.location_evidence)
        if photo is not None else None
    )
    log = CareLog(
        section_id=section.id, farmer_id=actor.id, performed_on=data.performed_on, quantity=data.quantity,
        note=(data.note or "").strip() or None, status=CareLogStatus.reported,
        credit_cents=line_amounts(data.quantity, section.rate_cents).gross_cents,
        started_at=data.started_at, ended_at=data.ended_at, activity=data.activity,
        material=(data.material or "").strip() or None, amount_kg=data.amount_kg,
        weather=(data.weather or "").strip() or None, road_condition=data.road_condition,
    )
    try:
        async with session.begin_nested():
            session.add(log)
            await session.flush()
    except IntegrityError as exc:  # a concurrent report of the same day won: the unique index decides
        if sqlstate(exc) != UNIQUE_VIOLATION:
            raise
        existing = await session.scalar(_same_day_log(section.id, actor.id, data.performed_on))
        raise _same_day_conflict(data.performed_on, existing) from exc
    if prepared is not None:
        # Written last, after every check passed, so a refusal leaves no file behind.
        content, content_type, ext = prepared
        log.photo_path = store_photo(settings, content, ext)
        remove_after_rollback(session, settings, log.photo_path)
        log.photo_content_type = content_type
        await session.flush()
    return log


def _same_day_log(section_id: int, farmer_id: int, day: date) -> Select[tuple[int]]:
    return select(CareLog.id).where(
        CareLog.section_id == section_id,
        CareLog.farmer_id == farmer_id,
        CareLog.performed_on == day,
        CareLog.status != CareLogStatus.rejected,
    ).order_by(CareLog.id).limit(1)


def _same_day_conflict(day: date, existing_id: int | None) -> Conflict:
    return Conflict(
        "care.log_exists_for_day", field="performed_on", date_de=de_date(day), date=day.isoformat(),
        extra={"field": "performed_on", "care_log_id": existing_id},
    )


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
    settings = settings or get_settings()
    log = await get_care_log(session, care_log_id, for_update=True)
    if actor.role != Role.farmer or log.farmer_id != actor.id:
        raise NotAllowed()
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    section = await get_section(session, log.section_id)
    encoded, content_type, ext = await prepare_photo(
        content, settings.upload_max_bytes, keep_location=section.location_evidence
    )
    # The replaced file goes once the commit made the new one the referenced photo; a rollback
    # removes the new one instead.
    remove_after_commit(session, settings, log.photo_path)
    log.photo_path = store_photo(settings, encoded, ext)
    remove_after_rollback(session, settings, log.photo_path)
    log.photo_content_type = content_type
    await session.flush()
    return log


async def photo_file(
    session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings | None = None
) -> tuple[Path, str]:
    settings = settings or get_settings()
    log, _ = await _readable_log(session, actor, care_log_id)
    return resolve_photo(settings, log.photo_path), log.photo_content_type or "application/octet-stream"


async def _decidable(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, Section]:
    # The row lock serialises two yard heads clicking at once: the second sees the decision.
    log = await get_care_log(session, care_log_id, for_update=True)
    section = await get_section(session, log.section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    return log, section


async def confirm(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, LedgerEntry | None]:
    """Confirm reported work: posts exactly one credit (value date = the work day); a correction posts none
    (the record it corrects was credited). The record's hash is written with the confirmation."""
    log, section = await _decidable(session, actor, care_log_id)
    entry = None
    if log.corrects_id is None:
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
    _mark_confirmed(log, actor)
    await session.flush()
    credit = format_eur(abs(entry.amount_cents) if entry is not None else 0, symbol=True)  # a correction: none
    await _tell_farmer(session, log, section, "confirmed", credit=credit)
    return log, entry


def _mark_confirmed(log: CareLog, actor: Actor) -> None:
    log.status = CareLogStatus.confirmed
    log.decided_by = actor.id
    log.decided_at = clock.now()
    log.record_hash = record_hash(log)


async def correct(
    session: AsyncSession, actor: Actor, care_log_id: int, data: CareLogCorrection, *, settings: Settings | None = None
) -> CareLog:
    """A correction of a confirmed winter-service log: a new record pointing at it (``corrects_id``); the
    confirmed record stays as it is, and the proof shows both. The section's yard head files a confirmed
    correction; the log's farmer files one that waits for the yard head's confirmation. Quantity and
    credit stay with the corrected record (money is corrected through the ledger)."""
    settings = settings or get_settings()
    original = await get_care_log(session, care_log_id, for_update=True)
    section = await get_section(session, original.section_id)
    if actor.role == Role.farmer:
        if original.farmer_id != actor.id:
            raise NotAllowed()
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if section.task != CareTask.winter_service:
        raise Invalid("care.correct_winter_only", field="care_log_id")
    if original.status != CareLogStatus.confirmed:
        raise Conflict("care.correct_only_confirmed", status=original.status)
    existing = await session.scalar(
        select(CareLog.id).where(CareLog.corrects_id == original.id, CareLog.status != CareLogStatus.rejected)
    )
    if existing is not None:
        raise Conflict("care.already_corrected", id=existing, extra={"care_log_id": existing})
    values = CareLogCreate(
        section_id=section.id, performed_on=data.performed_on or original.performed_on,
        quantity=original.quantity, note=data.reason, started_at=data.started_at, ended_at=data.ended_at,
        activity=data.activity, material=data.material, amount_kg=data.amount_kg, weather=data.weather,
        road_condition=data.road_condition,
    )
    if values.started_at is None or values.ended_at is None or values.activity is None:
        raise Invalid("care.winter_times_required",
                      field=next(k for k in ("started_at", "ended_at", "activity") if getattr(values, k) is None))
    if values.performed_on > clock.today(settings.tz):
        raise Invalid("care.future_date", field="performed_on")
    check_winter_fields(section, values, settings)
    log = CareLog(
        section_id=section.id, farmer_id=original.farmer_id, performed_on=values.performed_on,
        quantity=original.quantity, note=data.reason.strip(), status=CareLogStatus.reported, credit_cents=0,
        started_at=values.started_at, ended_at=values.ended_at, activity=values.activity,
        material=(values.material or "").strip() or None, amount_kg=values.amount_kg, corrects_id=original.id,
        weather=(values.weather or "").strip() or None, road_condition=values.road_condition,
    )
    try:
        async with session.begin_nested():
            session.add(log)
            await session.flush()
    except IntegrityError as exc:  # a concurrent correction of the same record won
        if sqlstate(exc) != UNIQUE_VIOLATION:
            raise
        raise Conflict("care.already_corrected", id="?") from exc
    if actor.role == Role.yard_head:
        _mark_confirmed(log, actor)
        await session.flush()
    return log


async def _tell_farmer(session: AsyncSession, log: CareLog, section: Section, outcome: str, *,
                       credit: str = "", reason: str = "") -> None:
    """The farmer learns that his care work was confirmed (with the credit) or rejected (with the reason)."""
    farmer = await session.get(User, log.farmer_id)
    if farmer is None:
        return
    params = {"section": section.name, "day": de_date(log.performed_on), "credit": credit, "reason": reason}
    mail = MAILS.render(outcome, {**params, "name": farmer.name, "base_url": get_settings().base_url.rstrip("/")})
    await tell(session, farmer, f"care_log_{outcome}", f"notice.care_log_{outcome}", params, link="/care", mail=mail)


async def reject(
    session: AsyncSession, actor: Actor, care_log_id: int, reason: str, *, settings: Settings | None = None
) -> CareLog:
    """Reject reported work; its photo is removed with the commit (nothing is credited for it)."""
    settings = settings or get_settings()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("care.reason_required", field="reason")
    log, _ = await _decidable(session, actor, care_log_id)
    log.status = CareLogStatus.rejected
    log.reject_reason = reason
    remove_after_commit(session, settings, log.photo_path)
    log.photo_path = log.photo_content_type = None
    log.decided_by = actor.id
    log.decided_at = clock.now()
    await session.flush()
    section = await get_section(session, log.section_id)
    await _tell_farmer(session, log, section, "rejected", reason=reason)
    return log


async def track_coverage(
    session: AsyncSession, actor: Actor, care_log_id: int, content: bytes, *, settings: Settings | None = None
) -> float:
    """The share of the log's section (percent) that a GPX track came within ``track.TOLERANCE_M`` of.
    The reporting farmer or the section's yard head (or the admin) may check a track. While the log is
    not decided, the track is kept with it as evidence (a newer track replaces it); a decided log keeps
    the track it had."""
    settings = settings or get_settings()
    log = await get_care_log(session, care_log_id, for_update=True)
    section = await get_section(session, log.section_id)
    if actor.role == Role.farmer:
        if log.farmer_id != actor.id:
            raise NotAllowed()
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head, admin=True)
    if section.geometry is None:
        raise Invalid("care.section_without_geometry", field="section_id")
    covered = track.covered_percent(section.geometry, track.parse_gpx(content))
    if log.status == CareLogStatus.reported:
        remove_after_commit(session, settings, log.track_path)
        log.track_path, log.track_sha256 = track.store_track(settings, content)
        remove_after_rollback(session, settings, log.track_path)
        log.track_covered_percent = Decimal(str(covered))
        await session.flush()
    return covered


async def track_file(session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings) -> Path:
    log, _ = await _readable_log(session, actor, care_log_id)
    return track.resolve_track(settings, log.track_path)


@dataclass
class CareLogRow:
    log: CareLog
    section: Section
    farmer_name: str


def _care_logs_stmt(
    actor: Actor, status: str | None, section_id: int | None, municipality_id: int | None,
    exclude_status: str | None = None,
) -> Select[tuple[CareLog, Section, str]]:
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
    if exclude_status:
        stmt = stmt.where(CareLog.status != exclude_status)
    if section_id is not None:
        stmt = stmt.where(CareLog.section_id == section_id)
    return stmt


async def list_care_logs(
    session: AsyncSession,
    actor: Actor,
    *,
    status: str | None = None,
    section_id: int | None = None,
    municipality_id: int | None = None,
    exclude_status: str | None = None,
    limit: int = 500,
) -> list[CareLogRow]:
    """A farmer sees his own logs; yard head and finance their municipality's; the admin any (the newest
    ``limit``: for "recent" lists; complete lists use ``page_care_logs``)."""
    stmt = _care_logs_stmt(actor, status, section_id, municipality_id, exclude_status)
    stmt = stmt.order_by(CareLog.performed_on.desc(), CareLog.id.desc()).limit(limit)
    return [CareLogRow(log=log, section=section, farmer_name=name) for log, section, name in await session.execute(stmt)]


CARE_LOG_ORDER = "care-logs:performed_on-desc,id-desc"
CARE_LOG_KEYS: tuple[ColumnElement[Any], ...] = (CareLog.performed_on, CareLog.id)
CARE_LOG_SORTS = sorts("care-logs", {"date": CARE_LOG_KEYS, "credit": (col(CareLog.credit_cents), col(CareLog.id))},
                       default="-date", tags={"-date": CARE_LOG_ORDER})
"""The care logs' orders (``sort``): newest work first (the default), by day of the work or by credit, either
way, then id."""


async def page_care_logs(
    session: AsyncSession,
    actor: Actor,
    page: PageRequest,
    *,
    status: str | None = None,
    section_id: int | None = None,
    municipality_id: int | None = None,
    query: str | None = None,
    sort: Sort | None = None,
) -> Page[CareLogRow]:
    """One page of the care logs the actor may see in the order ``sort`` (default: newest work first);
    ``query`` searches the section's and the farmer's name in SQL, before the limit."""
    sort = sort or CARE_LOG_SORTS.choose(None)
    stmt = _care_logs_stmt(actor, status, section_id, municipality_id)
    if (pattern := search_pattern(query)) is not None:
        farmers = select(col(User.id)).where(or_(col(User.name).ilike(pattern), col(User.email).ilike(pattern)))
        stmt = stmt.where(or_(col(Section.name).ilike(pattern), col(CareLog.farmer_id).in_(farmers)))
    stmt = keyset(stmt, sort.keys, page, descending=sort.descending)
    rows = [CareLogRow(log=log, section=section, farmer_name=name) for log, section, name in await session.execute(stmt)]
    return finish(rows, page, lambda row: sort.key_of(row.log))


