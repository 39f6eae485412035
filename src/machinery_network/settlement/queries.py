"""Reading settlements: one settled month with its lines, the settled months of a municipality, the
months still pending, a farmer's statements and the recorded runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnClause, SQLColumnExpression, column, func, label, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_self_or_municipality
from machinery_network.errors import NotFound
from machinery_network.i18n import month_label
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts
from machinery_network.settlement.models import Settlement, SettlementLine, SettlementRun


@dataclass
class LineView:
    farmer_id: int
    farmer_name: str
    charges_cents: int
    credits_cents: int
    net_cents: int
    entry_count: int


async def find_settlement(session: AsyncSession, municipality_id: int, month: date) -> Settlement | None:
    """The settlement of (municipality, month) once it exists (frozen); pending rows are not settlements."""
    return await session.scalar(
        select(Settlement).where(
            col(Settlement.municipality_id) == municipality_id,
            col(Settlement.month) == month.replace(day=1),
            col(Settlement.frozen).is_(True),
        )
    )


async def get_settlement(
    session: AsyncSession, actor: Actor, month: date, municipality_id: int
) -> tuple[Settlement, list[SettlementLine]]:
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    settlement = await find_settlement(session, municipality_id, month.replace(day=1))
    if settlement is None:
        raise NotFound("settlement.not_found", month=month_label(month))
    lines = list(
        await session.scalars(
            select(SettlementLine)
            .where(col(SettlementLine.settlement_id) == settlement.id)
            .order_by(col(SettlementLine.farmer_id))
        )
    )
    return settlement, lines


async def get_settlement_view(
    session: AsyncSession, actor: Actor, month: date, municipality_id: int
) -> tuple[Settlement, list[LineView]]:
    """The settlement with each line's farmer name (API and page), lines ordered by name."""
    settlement, lines = await get_settlement(session, actor, month, municipality_id)
    names = dict(
        (await session.execute(
            select(col(User.id), col(User.name)).where(col(User.id).in_([ln.farmer_id for ln in lines]))
        )).all()
    ) if lines else {}
    views = [
        LineView(ln.farmer_id, names.get(ln.farmer_id, ""), ln.charges_cents, ln.credits_cents, ln.net_cents,
                 ln.entry_count)
        for ln in lines
    ]
    views.sort(key=lambda v: (v.farmer_name.casefold(), v.farmer_id))
    return settlement, views


SETTLEMENT_ORDER = "settlements:month-desc,id-desc"
SETTLEMENT_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(Settlement.month), col(Settlement.id))
SETTLEMENT_SORTS = sorts(
    "settlements", {"month": SETTLEMENT_KEYS, "net": (col(Settlement.total_net_cents), col(Settlement.id))},
    default="-month", tags={"-month": SETTLEMENT_ORDER},
)
"""The settled months' orders (``sort``): newest month first (the default), by month or by net total."""


async def page_settlements(
    session: AsyncSession, actor: Actor, municipality_id: int, page: PageRequest, *, query: str | None = None,
    sort: Sort | None = None,
) -> Page[Settlement]:
    """One page of the municipality's settled months in the order ``sort`` (default: newest month first);
    ``query`` finds months by their German writing ("03/2026", "2026")."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    sort = sort or SETTLEMENT_SORTS.choose(None)
    stmt = select(Settlement).where(col(Settlement.municipality_id) == municipality_id,
                                    col(Settlement.frozen).is_(True))
    if (pattern := search_pattern(query)) is not None:
        stmt = stmt.where(func.to_char(col(Settlement.month), "MM/YYYY").ilike(pattern))
    rows = list(await session.scalars(keyset(stmt, sort.keys, page, descending=sort.descending)))
    return finish(rows, page, sort.key_of)


_LINE_FARMER: ColumnClause[int] = column("farmer_id")
LINE_SORTS = sorts(
    "settlement-lines",
    {name: (column(key), _LINE_FARMER) for name, key in
     (("name", "farmer_name"), ("charges", "charges_cents"), ("credits", "credits_cents"), ("net", "net_cents"))},
    default="name",
)
"""The orders of a settlement's lines (``sort``): by the farmer's name (the default), charges, credits or net
amount, either way, then farmer id."""


async def page_settlement_lines(
    session: AsyncSession, actor: Actor, month: date, municipality_id: int, page: PageRequest, *,
    query: str | None = None, sort: Sort | None = None,
) -> tuple[Settlement, Page[LineView]]:
    """The settlement and one page of its lines with the farmers' names, in the order ``sort``; ``query``
    searches the farmer's name. Reads that settlement's lines only (``uq_settlement_lines_farmer``)."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    settlement = await find_settlement(session, municipality_id, month.replace(day=1))
    if settlement is None:
        raise NotFound("settlement.not_found", month=month_label(month))
    sort = sort or LINE_SORTS.choose(None)
    # The settlement's lines first (materialized: read by its index on (settlement_id, farmer_id), however
    # few lines the planner expects), then named, searched, ordered and cut.
    own = (
        select(SettlementLine).where(col(SettlementLine.settlement_id) == settlement.id)
        .cte("own_lines").prefix_with("MATERIALIZED")
    )
    stmt = (
        select(own.c.farmer_id, label("farmer_name", col(User.name)), own.c.charges_cents, own.c.credits_cents,
               own.c.net_cents, own.c.entry_count)
        .join(User, col(User.id) == own.c.farmer_id)
    )
    if (pattern := search_pattern(query)) is not None:
        stmt = stmt.where(col(User.name).ilike(pattern))
    lines = stmt.subquery("lines")
    rows = list(await session.execute(keyset(select(lines), sort.keys, page, descending=sort.descending)))
    found = finish(rows, page, sort.key_of)
    views = [LineView(r.farmer_id, r.farmer_name, r.charges_cents, r.credits_cents, r.net_cents, r.entry_count)
             for r in found.rows]
    return settlement, Page(views, found.next_cursor)


async def list_settlements(session: AsyncSession, actor: Actor, municipality_id: int) -> list[Settlement]:
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    return list(
        await session.scalars(
            select(Settlement)
            .where(col(Settlement.municipality_id) == municipality_id, col(Settlement.frozen).is_(True))
            .order_by(col(Settlement.month).desc())
        )
    )


@dataclass
class PendingMonth:
    month: date
    entry_count: int
    net_cents: int


async def pending_months(session: AsyncSession, actor: Actor, municipality_id: int) -> list[PendingMonth]:
    """Months with unsettled entries (pending rows), oldest first: what the finance office still has to do."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    rows = await session.execute(
        text(
            # Per pending settlement, its own entries (LATERAL: an index lookup each, never a scan of the ledger).
            "SELECT s.month, e.entries, e.net FROM settlements s"
            " CROSS JOIN LATERAL (SELECT COUNT(*) AS entries, COALESCE(SUM(amount_cents), 0)::bigint AS net"
            "   FROM ledger_entries WHERE settlement_id = s.id) e"
            " WHERE s.municipality_id = :m AND NOT s.frozen AND e.entries > 0 ORDER BY s.month"
        ),
        {"m": municipality_id},
    )
    return [PendingMonth(r.month, r.entries, int(r.net)) for r in rows]


@dataclass
class Statement:
    settlement_id: int
    municipality_id: int
    municipality_name: str
    month: date
    created_at: object
    charges_cents: int
    credits_cents: int
    net_cents: int
    entry_count: int


async def farmer_statements(
    session: AsyncSession, actor: Actor, farmer_id: int, municipality_id: int | None = None
) -> list[Statement]:
    """A farmer's lines in frozen settlements (his past statements), newest first."""
    require_self_or_municipality(actor, farmer_id, municipality_id, Role.yard_head, Role.finance)
    stmt = (
        select(SettlementLine, Settlement, col(Municipality.name))
        .join(Settlement, col(Settlement.id) == col(SettlementLine.settlement_id))
        .join(Municipality, col(Municipality.id) == col(Settlement.municipality_id))
        .where(col(SettlementLine.farmer_id) == farmer_id, col(Settlement.frozen).is_(True))
    )
    if municipality_id is not None:
        stmt = stmt.where(col(Settlement.municipality_id) == municipality_id)
    rows = await session.execute(stmt.order_by(col(Settlement.month).desc(), col(Municipality.name)))
    statements = []
    for ln, s, name in rows:
        assert s.id is not None
        statements.append(Statement(s.id, s.municipality_id, name, s.month, s.created_at, ln.charges_cents,
                                    ln.credits_cents, ln.net_cents, ln.entry_count))
    return statements


async def recent_runs(
    session: AsyncSession, actor: Actor, municipality_id: int, limit: int = 10
) -> list[SettlementRun]:
    """The latest recorded runs (scheduler, catch-up, CLI) for a municipality, newest first."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    return list(
        await session.scalars(
            select(SettlementRun)
            .where(col(SettlementRun.municipality_id) == municipality_id)
            .order_by(col(SettlementRun.started_at).desc(), col(SettlementRun.id).desc())
            .limit(limit)
        )
    )
