"""Assignments: which farmer looks after a section from when to when (inclusive, open-ended if no end).
The exclusion constraint on ``assignments`` is the guarantee against overlaps; the checks here give the
friendly 409 naming the farmer and period in the way."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date, Select, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_farmer
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.care.models import Assignment, CareLog, CareLogStatus
from machinery_network.care.schemas import AssignmentCreate
from machinery_network.care.seasons import de_date
from machinery_network.care.sections import get_section
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.i18n import translate
from machinery_network.paging import Page, PageRequest, finish, keyset


def _overlaps(
    section_id: int, start: date, end: date | None, *, exclude_id: int | None = None
) -> Select[Assignment]:
    """Assignments of the section whose inclusive validity meets [start, end] (end None: open)."""
    theirs = func.daterange(col(Assignment.valid_from), col(Assignment.valid_to), literal("[]"))
    ours = func.daterange(literal(start, Date()), literal(end, Date()), literal("[]"))
    stmt = select(Assignment).where(col(Assignment.section_id) == section_id, theirs.op("&&")(ours))
    if exclude_id is not None:
        stmt = stmt.where(col(Assignment.id) != exclude_id)
    return stmt.order_by(col(Assignment.valid_from)).limit(1)


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
    section = await get_section(session, section_id)  # the section of that id, or NotFound
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise Invalid("care.assignment_period", field="valid_to")
    try:
        await get_farmer(session, data.farmer_id)
    except NotFound as exc:
        raise Invalid("care.farmer_unknown", field="farmer_id") from exc
    if await session.scalar(_overlaps(section_id, data.valid_from, data.valid_to)):
        raise await _overlap_error(session, section_id, data.valid_from, data.valid_to, None)
    assignment = Assignment(
        section_id=section_id, farmer_id=data.farmer_id, valid_from=data.valid_from, valid_to=data.valid_to,
        created_by=actor.id,
    )
    return await _save_assignment(session, assignment)


async def end_assignment(session: AsyncSession, actor: Actor, assignment_id: int, valid_to: date) -> Assignment:
    """Set (or move) the last day of an assignment, e.g. before handing the section to another farmer."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("care.assignment_not_found", id=assignment_id)
    section_id = assignment.section_id
    section = await get_section(session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    if valid_to < assignment.valid_from:
        raise Invalid("care.assignment_period", field="valid_to")
    # Reports made under this assignment must stay covered by it.
    later = await session.scalar(
        select(func.max(col(CareLog.performed_on))).where(
            col(CareLog.section_id) == section_id,
            col(CareLog.farmer_id) == assignment.farmer_id,
            col(CareLog.status) != CareLogStatus.rejected,
            col(CareLog.performed_on) > valid_to,
            col(CareLog.performed_on) >= assignment.valid_from,
        )
    )
    if later is not None:
        raise Conflict("care.assignment_open_logs", field="valid_to", date_de=de_date(valid_to), date=valid_to.isoformat())
    if await session.scalar(_overlaps(section_id, assignment.valid_from, valid_to, exclude_id=assignment_id)):
        raise await _overlap_error(session, section_id, assignment.valid_from, valid_to, assignment_id)
    try:
        async with session.begin_nested():
            assignment.valid_to = valid_to
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) != EXCLUSION_VIOLATION:
            raise
        raise await _overlap_error(session, section_id, assignment.valid_from, valid_to, assignment_id) from exc
    return assignment


async def list_assignments(session: AsyncSession, actor: Actor, section_id: int) -> list[Assignment]:
    """Staff of the municipality see all assignments of a section; a farmer only his own."""
    section = await get_section(session, section_id)
    stmt = select(Assignment).where(col(Assignment.section_id) == section_id).order_by(col(Assignment.valid_from))
    if actor.role == Role.farmer:
        stmt = stmt.where(col(Assignment.farmer_id) == actor.id)
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head, Role.finance, admin=True)
    return list(await session.scalars(stmt))


ASSIGNMENT_ORDER = "assignments:valid_from,id"


async def page_assignments(
    session: AsyncSession, actor: Actor, section_id: int, page: PageRequest
) -> Page[Assignment]:
    """One page of ``list_assignments``' rows, by ``valid_from``, then id."""
    section = await get_section(session, section_id)
    stmt = select(Assignment).where(col(Assignment.section_id) == section_id)
    if actor.role == Role.farmer:
        stmt = stmt.where(col(Assignment.farmer_id) == actor.id)
    else:
        require_for_municipality(actor, section.municipality_id, Role.yard_head, Role.finance, admin=True)
    stmt = keyset(stmt, (col(Assignment.valid_from), col(Assignment.id)), page)
    return finish(list(await session.scalars(stmt)), page, lambda a: (a.valid_from, a.id))


def _valid_on(day: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """An assignment is valid on ``day``: from ``valid_from`` to ``valid_to`` inclusive, open-ended if null."""
    return col(Assignment.valid_from) <= day, or_(col(Assignment.valid_to).is_(None), col(Assignment.valid_to) >= day)


async def assignment_on(session: AsyncSession, section_id: int, day: date) -> Assignment | None:
    return await session.scalar(
        select(Assignment).where(col(Assignment.section_id) == section_id, *_valid_on(day))
    )


async def current_assignees(
    session: AsyncSession, section_ids: list[int], day: date
) -> dict[int, tuple[Assignment, str]]:
    """{section id: (assignment valid on ``day``, farmer name)} for the sections that have one."""
    if not section_ids:
        return {}
    result = await session.execute(
        select(Assignment, col(User.name))
        .join(User, col(User.id) == col(Assignment.farmer_id))
        .where(col(Assignment.section_id).in_(section_ids), *_valid_on(day))
    )
    return {assignment.section_id: (assignment, name) for assignment, name in result}


