"""Seasonal care plans: per section and planned season, the passes planned, reported and confirmed, the
state of each (done, overdue, open, upcoming), and a farmer's sections with their plan of the year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care.models import Assignment, CareLog, CareLogStatus, Section
from machinery_network.care.schemas import SEASONS
from machinery_network.care.seasons import passes_of, season_bounds, season_of
from machinery_network.care.sections import list_sections
from machinery_network.config import Settings
from machinery_network.errors import Invalid

DEFAULT_DUE_WITHIN_DAYS = 14
RECENTLY_ENDED_DAYS = 60



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


async def plan_rows(
    session: AsyncSession,
    sections: list[Section],
    year: int,
    today: date,
    *,
    seasons: tuple[str, ...] = SEASONS,
    due_within_days: int = DEFAULT_DUE_WITHIN_DAYS,
) -> list[PlanRow]:
    """The plan rows of ``sections`` in care-plan year ``year`` as seen on ``today`` (no access check: the
    callers decide whose sections these are)."""
    if not sections:
        return []
    ids = [s.id for s in sections]
    year_start, year_end = season_bounds(year, "spring")[0], season_bounds(year, "winter")[1]
    logs = await session.execute(
        select(col(CareLog.section_id), col(CareLog.performed_on), col(CareLog.quantity), col(CareLog.status)).where(
            col(CareLog.section_id).in_(ids),
            col(CareLog.status) != CareLogStatus.rejected,
            col(CareLog.corrects_id).is_(None),  # a correction is no further pass
            col(CareLog.performed_on).between(year_start, year_end),
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
        select(Assignment, col(User.name))
        .join(User, col(User.id) == col(Assignment.farmer_id))
        .where(
            col(Assignment.section_id).in_(ids),
            col(Assignment.valid_from) <= year_end,
            or_(col(Assignment.valid_to).is_(None), col(Assignment.valid_to) >= year_start),
        )
    ):
        assignments[assignment.section_id].append((assignment, name))

    rows: list[PlanRow] = []
    for section in sections:
        assert section.id is not None  # a stored section
        plan = section.planned_passes or {}
        for season in seasons:
            planned = int(plan.get(season) or 0)
            if planned <= 0:
                continue
            start, end = season_bounds(year, season)
            # Who is responsible: the assignee on today's date, clamped into the season.
            day = min(max(today, start), end)
            farmer_id: int | None = None
            farmer_name: str | None = None
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
    settings: Settings,
) -> list[PlanRow]:
    """Per section and planned season of ``year``: planned, reported and confirmed passes, and overdue."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    if not 2000 <= year <= 2100:
        raise Invalid("field.invalid", field="year")
    seasons: tuple[str, ...] = SEASONS
    if season:
        season_bounds(year, season)  # refuses an unknown season
        seasons = (season,)
    sections = await list_sections(session, municipality_id=municipality_id, active=True)
    return await plan_rows(
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
    session: AsyncSession, actor: Actor, *, settings: Settings
) -> list[FarmerSection]:
    """A farmer's current, coming and recently ended assignments, each with the section's plan of the year."""
    require_role(actor, Role.farmer)
    today = clock.today(settings.tz)
    result = await session.execute(
        select(Assignment, Section, col(Municipality.name))
        .join(Section, col(Section.id) == col(Assignment.section_id))
        .join(Municipality, col(Municipality.id) == col(Section.municipality_id))
        .where(
            col(Assignment.farmer_id) == actor.id,
            # Recently ended assignments stay listed: work done before the end can still be reported.
            or_(col(Assignment.valid_to).is_(None),
                col(Assignment.valid_to) >= today - timedelta(days=RECENTLY_ENDED_DAYS)),
        )
        .order_by(col(Municipality.name), col(Section.name), col(Assignment.valid_from))
    )
    rows = list(result)
    year, season = season_of(today)
    plan = await plan_rows(session, [s for _, s, _ in rows], year, today)
    by_section: dict[int | None, list[PlanRow]] = defaultdict(list)  # by section id
    for row in plan:
        by_section[row.section.id].append(row)
    return [
        FarmerSection(
            section=s, assignment=a, municipality_name=m, plan=by_section.get(s.id, []),
            current=next((r for r in by_section.get(s.id, []) if r.season == season), None),
        )
        for a, s, m in rows
    ]


