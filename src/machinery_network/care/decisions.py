"""The yard head's decisions on reported care work: confirmation (which credits the farmer through the
ledger and writes the record's hash), rejection, and the correction of a confirmed winter-service record.
The farmer is told of each decision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.care.evidence import record_hash
from machinery_network.care.logs import get_care_log, log_for
from machinery_network.care.models import CareLog, CareLogStatus, CareTask, Section
from machinery_network.care.photos import remove_after_commit
from machinery_network.care.reporting import check_winter_fields
from machinery_network.care.schemas import CareLogCorrection, CareLogCreate
from machinery_network.care.seasons import de_date
from machinery_network.care.sections import get_section
from machinery_network.config import Settings
from machinery_network.db import UNIQUE_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.money import format_eur, line_amounts
from machinery_network.notifications.notices import declare, tell
from machinery_network.notifications.service import MailTemplates

MAILS = MailTemplates("machinery_network.care")
declare("care_log", "care_log_confirmed", "care_log_rejected")


async def _decidable(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, Section]:
    # The row lock serialises two yard heads clicking at once: the second sees the decision.
    log = await get_care_log(session, care_log_id, for_update=True)
    section = await get_section(session, log.section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    return log, section


async def confirm(
    session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings
) -> tuple[CareLog, LedgerEntry | None]:
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
                    rate_cents=section.rate_cents, section_name=section.name, care_log_id=care_log_id, actor=actor,
                )
        except IntegrityError as exc:
            if sqlstate(exc) != UNIQUE_VIOLATION:
                raise
            raise Conflict("care.already_credited") from exc
    _mark_confirmed(log, actor)
    await session.flush()
    credit = format_eur(abs(entry.amount_cents) if entry is not None else 0, symbol=True)  # a correction: none
    await _tell_farmer(session, settings, log, section, "confirmed", credit=credit)
    return log, entry


def _mark_confirmed(log: CareLog, actor: Actor) -> None:
    log.status = CareLogStatus.confirmed
    log.decided_by = actor.id
    log.decided_at = clock.now()
    log.record_hash = record_hash(log)


async def correct(
    session: AsyncSession, actor: Actor, care_log_id: int, data: CareLogCorrection, *, settings: Settings
) -> CareLog:
    """A correction of a confirmed winter-service log: a new record pointing at it (``corrects_id``); the
    confirmed record stays as it is, and the proof shows both. The section's yard head files a confirmed
    correction; the log's farmer files one that waits for the yard head's confirmation. Quantity and
    credit stay with the corrected record (money is corrected through the ledger)."""
    original, section = await log_for(session, actor, care_log_id, Role.yard_head, for_update=True)
    if section.task != CareTask.winter_service:
        raise Invalid("care.correct_winter_only", field="care_log_id")
    if original.status != CareLogStatus.confirmed:
        raise Conflict("care.correct_only_confirmed", status=original.status)
    existing = await session.scalar(
        select(col(CareLog.id))
        .where(col(CareLog.corrects_id) == care_log_id, col(CareLog.status) != CareLogStatus.rejected)
    )
    if existing is not None:
        raise Conflict("care.already_corrected", id=existing, extra={"care_log_id": existing})
    values = CareLogCreate(
        section_id=original.section_id, performed_on=data.performed_on or original.performed_on,
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
        section_id=original.section_id, farmer_id=original.farmer_id, performed_on=values.performed_on,
        quantity=original.quantity, note=data.reason.strip(), status=CareLogStatus.reported, credit_cents=0,
        started_at=values.started_at, ended_at=values.ended_at, activity=values.activity,
        material=(values.material or "").strip() or None, amount_kg=values.amount_kg, corrects_id=care_log_id,
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


async def _tell_farmer(session: AsyncSession, settings: Settings, log: CareLog, section: Section, outcome: str,
                       *, credit: str = "", reason: str = "") -> None:
    """The farmer learns that his care work was confirmed (with the credit) or rejected (with the reason)."""
    farmer = await session.get(User, log.farmer_id)
    if farmer is None:
        return
    params = {"section": section.name, "day": de_date(log.performed_on), "credit": credit, "reason": reason}
    mail = MAILS.render(outcome, {**params, "name": farmer.name, "base_url": settings.base_url.rstrip("/")})
    await tell(session, farmer, f"care_log_{outcome}", f"notice.care_log_{outcome}", params, link="/care", mail=mail)


async def reject(
    session: AsyncSession, actor: Actor, care_log_id: int, reason: str, *, settings: Settings
) -> CareLog:
    """Reject reported work; its photo is removed with the commit (nothing is credited for it)."""
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
    await _tell_farmer(session, settings, log, section, "rejected", reason=reason)
    return log
