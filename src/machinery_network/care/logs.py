"""Care logs as they are read: one log by id with the rule of who may see (or change) it, and the lists of
logs an actor may see (newest work first, paged by keyset)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care.models import CareLog, Section
from machinery_network.care.sections import get_section
from machinery_network.errors import NotAllowed, NotFound
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts

CARE_LOG_ORDER = "care-logs:performed_on-desc,id-desc"
CARE_LOG_KEYS = (col(CareLog.performed_on), col(CareLog.id))
CARE_LOG_SORTS = sorts("care-logs", {"date": CARE_LOG_KEYS, "credit": (col(CareLog.credit_cents), col(CareLog.id))},
                       default="-date", tags={"-date": CARE_LOG_ORDER})
"""The care logs' orders (``sort``): newest work first (the default), by day of the work or by credit, either
way, then id."""


async def get_care_log(session: AsyncSession, care_log_id: int, *, for_update: bool = False) -> CareLog:
    stmt = select(CareLog).where(col(CareLog.id) == care_log_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    log = await session.scalar(stmt)
    if log is None:
        raise NotFound("care.log_not_found", id=care_log_id)
    return log


async def log_for(
    session: AsyncSession, actor: Actor, care_log_id: int, *roles: str, admin: bool = False, for_update: bool = False
) -> tuple[CareLog, Section]:
    """The log and its section, for the log's farmer or for someone of ``roles`` in the section's
    municipality (or the admin, when ``admin``); anyone else is NotAllowed."""
    log = await get_care_log(session, care_log_id, for_update=for_update)
    section = await get_section(session, log.section_id)
    if actor.role == Role.farmer:
        if log.farmer_id != actor.id:
            raise NotAllowed()
    else:
        require_for_municipality(actor, section.municipality_id, *roles, admin=admin)
    return log, section


async def readable_log(session: AsyncSession, actor: Actor, care_log_id: int) -> tuple[CareLog, Section]:
    """Its farmer, the municipality's yard head and finance, and the admin may read a log."""
    return await log_for(session, actor, care_log_id, Role.yard_head, Role.finance, admin=True)


async def show_care_log(session: AsyncSession, actor: Actor, care_log_id: int) -> CareLog:
    return (await readable_log(session, actor, care_log_id))[0]


@dataclass
class CareLogRow:
    log: CareLog
    section: Section
    farmer_name: str


def _care_logs_stmt(
    actor: Actor, status: str | None, section_id: int | None, municipality_id: int | None,
    exclude_status: str | None = None,
) -> Select[CareLog, Section, str]:
    """A farmer sees his own logs; yard head and finance their municipality's; the admin any."""
    stmt = (
        select(CareLog, Section, col(User.name))
        .join(Section, col(Section.id) == col(CareLog.section_id))
        .join(User, col(User.id) == col(CareLog.farmer_id))
    )
    if actor.role == Role.farmer:
        stmt = stmt.where(col(CareLog.farmer_id) == actor.id)
        if municipality_id is not None:
            stmt = stmt.where(col(Section.municipality_id) == municipality_id)
    elif actor.is_admin:
        if municipality_id is not None:
            stmt = stmt.where(col(Section.municipality_id) == municipality_id)
    else:
        require_role(actor, Role.yard_head, Role.finance)
        if municipality_id is not None and municipality_id != actor.municipality_id:
            raise NotAllowed("auth.wrong_municipality")
        stmt = stmt.where(col(Section.municipality_id) == actor.municipality_id)
    if status:
        stmt = stmt.where(col(CareLog.status) == status)
    if exclude_status:
        stmt = stmt.where(col(CareLog.status) != exclude_status)
    if section_id is not None:
        stmt = stmt.where(col(CareLog.section_id) == section_id)
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
    stmt = stmt.order_by(*(key.desc() for key in CARE_LOG_KEYS)).limit(limit)
    return [CareLogRow(log=log, section=section, farmer_name=name) for log, section, name in await session.execute(stmt)]


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
    ``query`` searches the section's name and the farmer's name or e-mail in SQL, before the limit."""
    sort = sort or CARE_LOG_SORTS.choose(None)
    stmt = _care_logs_stmt(actor, status, section_id, municipality_id)
    if (pattern := search_pattern(query)) is not None:
        farmers = select(col(User.id)).where(or_(col(User.name).ilike(pattern), col(User.email).ilike(pattern)))
        stmt = stmt.where(or_(col(Section.name).ilike(pattern), col(CareLog.farmer_id).in_(farmers)))
    stmt = keyset(stmt, sort.keys, page, descending=sort.descending)
    rows = [CareLogRow(log=log, section=section, farmer_name=name) for log, section, name in await session.execute(stmt)]
    return finish(rows, page, lambda row: sort.key_of(row.log))
