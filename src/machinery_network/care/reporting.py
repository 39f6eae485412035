"""The farmer's report of care work: the checks of quantity and winter-service details, one log per farmer,
section and day unless the section allows more, and the optional photo stored once every check passed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock, idempotency
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.care.assignments import assignment_on
from machinery_network.care.models import (
    Assignment,
    CareLog,
    CareLogStatus,
    CareTask,
    Section,
    SectionUnit,
    WinterActivity,
)
from machinery_network.care.photos import prepare_photo, remove_after_rollback, store_photo
from machinery_network.care.schemas import CareLogCreate
from machinery_network.care.seasons import de_date
from machinery_network.care.sections import get_section
from machinery_network.config import Settings
from machinery_network.db import UNIQUE_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed
from machinery_network.money import line_amounts

MAX_HOURS = Decimal(24)
MAX_PASS = timedelta(hours=24)


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
    settings: Settings,
) -> CareLog:
    """A farmer reports care work on a section assigned to him on that day; it waits for confirmation."""
    require_role(actor, Role.farmer)
    section_id = data.section_id
    section = await get_section(session, section_id)
    ever_assigned = await session.scalar(
        select(col(Assignment.id))
        .where(col(Assignment.section_id) == section_id, col(Assignment.farmer_id) == actor.id).limit(1)
    )
    if ever_assigned is None:
        raise NotAllowed("care.not_your_section")
    if data.performed_on > clock.today(settings.tz):
        raise Invalid("care.future_date", field="performed_on")
    current = await assignment_on(session, section_id, data.performed_on)
    if current is None or current.farmer_id != actor.id:
        raise Invalid("care.not_assigned", field="performed_on", date_de=de_date(data.performed_on),
                      date=data.performed_on.isoformat())
    if not section.active:
        raise Invalid("care.section_inactive", field="section_id")
    check_quantity(section, data.quantity)
    check_winter_fields(section, data, settings)
    if not section.allow_more_logs_per_day:
        existing = await session.scalar(_same_day_log(section_id, actor.id, data.performed_on))
        if existing is not None:
            raise _same_day_conflict(data.performed_on, existing)
    prepared = (
        await prepare_photo(photo, settings.upload_max_bytes, keep_location=section.location_evidence)
        if photo is not None else None
    )
    log = CareLog(
        section_id=section_id, farmer_id=actor.id, performed_on=data.performed_on, quantity=data.quantity,
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
        existing = await session.scalar(_same_day_log(section_id, actor.id, data.performed_on))
        raise _same_day_conflict(data.performed_on, existing) from exc
    if prepared is not None:
        # Written last, after every check passed, so a refusal leaves no file behind.
        content, content_type, ext = prepared
        log.photo_path = store_photo(settings, content, ext)
        remove_after_rollback(session, settings, log.photo_path)
        log.photo_content_type = content_type
        await session.flush()
    return log


def _same_day_log(section_id: int, farmer_id: int, day: date) -> Select[int | None]:
    return select(col(CareLog.id)).where(
        col(CareLog.section_id) == section_id,
        col(CareLog.farmer_id) == farmer_id,
        col(CareLog.performed_on) == day,
        col(CareLog.status) != CareLogStatus.rejected,
    ).order_by(col(CareLog.id)).limit(1)


def _same_day_conflict(day: date, existing_id: int | None) -> Conflict:
    return Conflict(
        "care.log_exists_for_day", field="performed_on", date_de=de_date(day), date=day.isoformat(),
        extra={"field": "performed_on", "care_log_id": existing_id},
    )


REPORT_SCOPE = "care_log"


async def report_once(
    session: AsyncSession,
    actor: Actor,
    data: CareLogCreate,
    key: str | None,
    *,
    photo: bytes | None = None,
    settings: Settings,
) -> tuple[CareLog, bool]:
    """``report`` under an idempotency key (``machinery_network.idempotency``): the first request with
    ``key`` reports; a retry with the same key and content answers the log it made, and True, and
    reports nothing. Without a key, ``report`` as it is."""
    from machinery_network.care.logs import get_care_log

    if key is None:
        return await report(session, actor, data, photo=photo, settings=settings), False
    require_role(actor, Role.farmer)
    claimed = await idempotency.claim(
        session, actor, key, REPORT_SCOPE, idempotency.fingerprint(REPORT_SCOPE, data, [photo]))
    if claimed.first_id is not None:
        return await get_care_log(session, claimed.first_id), True
    log = await report(session, actor, data, photo=photo, settings=settings)
    assert log.id is not None
    await idempotency.record(session, claimed, log.id)
    return log, False
