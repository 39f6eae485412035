"""The winter-service proof as data: every confirmed pass of a municipality's winter sections (or one
section) with its times, material, who did it and who confirmed it, corrections beside what they correct,
the SHA-256 of each record, and the gaps where a pass required by the section's duty times is missing.

Gaps: for each duty day of a section (``care.duty``: every winter day, or the municipality's service days)
up to now, a confirmed pass (a corrected record counts through its correction) must have ended by the
day's deadline. Otherwise the day is a gap: ``missing`` (no confirmed pass that day), ``unconfirmed`` (only
a reported pass, not confirmed yet), ``late`` (the first pass ended after the deadline) or ``no_times``
(confirmed passes without clock times, which cannot show the deadline was met).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.care import duty as duties
from machinery_network.care.evidence import record_hash
from machinery_network.care.models import CareLog, CareLogStatus, CareTask, Section
from machinery_network.care.sections import get_section
from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotFound
from machinery_network.i18n import gettext_de

PROOF_MAX_DAYS = 3 * 366


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
    started_at: datetime | None = None
    ended_at: datetime | None = None
    activity: str | None = None
    material: str | None = None
    amount_kg: Decimal | None = None
    log_id: int = 0
    section_id: int = 0
    corrects_id: int | None = None
    corrected_by_id: int | None = None  # the confirmed correction of this record, if any
    record_hash: str = ""
    stored_hash: str | None = None  # written with the confirmation; None for records confirmed before 0024
    track_covered_percent: Decimal | None = None
    track_sha256: str | None = None
    weather: str | None = None
    road_condition: str | None = None

    @property
    def hash_matches(self) -> bool:
        return self.stored_hash is None or self.stored_hash == self.record_hash


@dataclass
class Gap:
    day: date
    section_id: int
    section_name: str
    deadline: datetime
    kind: str  # missing | unconfirmed | late | no_times
    first_end: datetime | None = None

    def text(self, tz: ZoneInfo) -> str:
        end = self.first_end.astimezone(tz).strftime("%H:%M") if self.first_end else ""
        return gettext_de(f"care.gap.{self.kind}", deadline=self.deadline.strftime("%H:%M"), end=end)


@dataclass
class WinterProof:
    municipality: Municipality
    start: date
    end: date
    section: Section | None
    rows: list[ProofRow]
    gaps: list[Gap] = field(default_factory=list)
    duty: dict[str, str] = field(default_factory=lambda: duties.describe(None))  # of the one section (or the defaults)
    holiday_state: str = ""


async def winter_proof(
    session: AsyncSession,
    actor: Actor,
    municipality_id: int,
    start: date,
    end: date,
    *,
    section_id: int | None = None,
    settings: Settings,
) -> WinterProof:
    """Confirmed winter-service work of a municipality (or one of its sections) in [start, end], with gaps."""
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
    correction = aliased(CareLog)
    stmt = (
        select(CareLog, Section, col(farmer.name), col(decider.name), col(correction.id))
        .join(Section, col(Section.id) == col(CareLog.section_id))
        .join(farmer, col(farmer.id) == col(CareLog.farmer_id))
        .outerjoin(decider, col(decider.id) == col(CareLog.decided_by))
        .outerjoin(correction, and_(col(correction.corrects_id) == col(CareLog.id),
                                    col(correction.status) == CareLogStatus.confirmed))
        .where(
            and_(
                col(Section.municipality_id) == municipality_id,
                col(Section.task) == CareTask.winter_service,
                col(CareLog.status) == CareLogStatus.confirmed,
                col(CareLog.performed_on).between(start, end),
            )
        )
        .order_by(col(CareLog.performed_on), col(Section.name), col(CareLog.id))
    )
    if section_id is not None:
        stmt = stmt.where(col(CareLog.section_id) == section_id)
    rows = [
        _proof_row(log, sec, farmer_name, decider_name, corrected_by)
        for log, sec, farmer_name, decider_name, corrected_by in await session.execute(stmt)
    ]
    gaps = await _gaps(session, municipality_id, section, start, end, rows, settings)
    return WinterProof(
        municipality=municipality, start=start, end=end, section=section, rows=rows, gaps=gaps,
        duty=duties.describe(section.winter_duty if section else None), holiday_state=settings.holiday_state,
    )


def _proof_row(
    log: CareLog, sec: Section, farmer_name: str, decider_name: str | None, corrected_by: int | None
) -> ProofRow:
    assert log.id is not None  # a stored log
    return ProofRow(
        performed_on=log.performed_on, section_name=sec.name, section_kind=sec.kind, length_m=sec.length_m,
        farmer_name=farmer_name, quantity=log.quantity, unit=sec.unit, note=log.note,
        credit_cents=log.credit_cents, confirmed_by=decider_name, confirmed_at=log.decided_at,
        started_at=log.started_at, ended_at=log.ended_at, activity=log.activity, material=log.material,
        amount_kg=log.amount_kg, log_id=log.id, section_id=log.section_id, corrects_id=log.corrects_id,
        corrected_by_id=corrected_by, record_hash=record_hash(log), stored_hash=log.record_hash,
        track_covered_percent=log.track_covered_percent, track_sha256=log.track_sha256,
        weather=log.weather, road_condition=log.road_condition,
    )


async def _gaps(
    session: AsyncSession, municipality_id: int, section: Section | None, start: date, end: date,
    rows: list[ProofRow], settings: Settings,
) -> list[Gap]:
    tz = settings.tz
    now = clock.now()
    last = min(end, now.astimezone(tz).date())
    if last < start:
        return []
    if section is not None:
        sections = [section]
    else:
        sections = list(await session.scalars(
            select(Section).where(col(Section.municipality_id) == municipality_id,
                                  col(Section.task) == CareTask.winter_service, col(Section.active))
            .order_by(col(Section.name), col(Section.id))
        ))
    # Service days: the municipality was out on a winter section (any report that is not rejected).
    service_days = set(await session.scalars(
        select(col(CareLog.performed_on)).distinct()
        .join(Section, col(Section.id) == col(CareLog.section_id))
        .where(col(Section.municipality_id) == municipality_id, col(Section.task) == CareTask.winter_service,
               col(CareLog.status) != CareLogStatus.rejected, col(CareLog.performed_on).between(start, last))
    ))
    # Reported passes waiting for confirmation, per (section, day): their earliest end.
    waiting: dict[tuple[int, date], datetime | None] = {}
    for section_id, day, ended_at in await session.execute(
        select(col(CareLog.section_id), col(CareLog.performed_on), col(CareLog.ended_at))
        .join(Section, col(Section.id) == col(CareLog.section_id))
        .where(col(Section.municipality_id) == municipality_id, col(CareLog.status) == CareLogStatus.reported,
               col(CareLog.performed_on).between(start, last))
    ):
        waiting[(section_id, day)] = ended_at
    # The effective passes: a record with a confirmed correction counts through its correction.
    effective: dict[tuple[int, date], list[datetime | None]] = defaultdict(list)
    for row in rows:
        if row.corrected_by_id is None:
            effective[(row.section_id, row.performed_on)].append(row.ended_at)
    holidays: dict[date, str] = {}
    for year in range(start.year, last.year + 1):
        holidays |= duties.public_holidays(year, settings.holiday_state)
    gaps: list[Gap] = []
    for sec in sections:
        assert sec.id is not None  # a stored section
        duty = duties.Duty.of(sec.winter_duty)
        day = start
        while day <= last:
            if duty.every_day or day in service_days:
                deadline = duty.deadline(day, tz, holidays)
                if deadline <= now:
                    gap = _check_day(sec.id, sec.name, day, deadline, effective.get((sec.id, day), []),
                                     (sec.id, day) in waiting)
                    if gap is not None:
                        gaps.append(gap)
            day += timedelta(days=1)
    gaps.sort(key=lambda g: (g.day, g.section_name, g.section_id))
    return gaps


def _check_day(section_id: int, section_name: str, day: date, deadline: datetime, ends: list[datetime | None],
               waiting: bool) -> Gap | None:
    timed = sorted(e for e in ends if e is not None)
    if timed and timed[0] <= deadline:
        return None
    gap = Gap(day=day, section_id=section_id, section_name=section_name, deadline=deadline, kind="missing")
    if timed:
        gap.kind, gap.first_end = "late", timed[0]
    elif ends:
        gap.kind = "no_times"
    elif waiting:
        gap.kind = "unconfirmed"
    return gap
