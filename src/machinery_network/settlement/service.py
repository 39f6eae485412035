"""Settling a month for a municipality: exactly once, nothing lost, nothing counted twice.

Every ledger entry is attached, when it is posted, to the *pending* settlement row of its municipality
for the first month at or after its value date that is not settled yet (database trigger, migration
0002): an entry posted late for a settled month therefore lands in the next month's settlement.
Settling month M, in one transaction and set-based SQL:

1. a transaction-level advisory lock per municipality (``RUN_LOCK``) serialises settlement runs across
   processes (the scheduler only tries it and skips when another process holds it);
2. the exclusive posting lock (``POSTING_LOCK``, taken shared by every posting) waits for postings in
   flight and holds new ones back, so no entry can join the row while it is being frozen;
3. a frozen settlement for (municipality, M) is returned unchanged (idempotent);
4. otherwise the pending row of M (created if missing), takes over the entries of earlier pending
   months (they are unsettled entries with a value date ≤ the last day of M), the per-farmer lines are
   aggregated from exactly its entries, the totals written and the row frozen; from then on the
   triggers refuse any change to the row, its lines and its entries.

The unique constraint on (municipality, month) is the last word on "one settlement per month".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnClause, SQLColumnExpression, column, func, label, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_self_or_municipality
from machinery_network.config import DEFAULT_TZ, Settings
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.i18n import month_label
from machinery_network.locks import POSTING_LOCK
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts
from machinery_network.settlement.models import Settlement, SettlementLine, SettlementRun

# pg_advisory_xact_lock(namespace, municipality_id). POSTING_LOCK is defined once, in ``locks``: the
# posting trigger of migration 0002 takes it shared.
RUN_LOCK = 0x4D4E0001

# Which column of a settlement line an entry counts in, by kind (``e`` the entry, ``o`` the entry it
# reverses, if any): charges are Belastungen, care credits Gutschriften, an adjustment is a manual charge
# when positive and a manual credit when negative, and a reversal counts, with its own sign, in the column
# of what it reverses (a reversed credit lowers Gutschriften and does not raise Belastungen).
CHARGE_SIDE = (
    "(CASE COALESCE(o.kind, e.kind) WHEN 'charge' THEN true WHEN 'credit' THEN false"
    " ELSE COALESCE(o.amount_cents, e.amount_cents) > 0 END)"
)


@dataclass
class SettleResult:
    settlement: Settlement
    created: bool


@dataclass
class LineView:
    farmer_id: int
    farmer_name: str
    charges_cents: int
    credits_cents: int
    net_cents: int
    entry_count: int


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def month_has_ended(month: date, today: date) -> bool:
    _, last = month_bounds(month)
    return today > last


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def check_month_ended(month: date, tz: ZoneInfo = DEFAULT_TZ) -> None:
    first, last = month_bounds(month)
    if not month_has_ended(first, clock.today(tz)):
        raise Invalid(
            "settlement.month_open", field="month", month=month_label(first),
            first_day=f"{last + timedelta(days=1):%d.%m.%Y}",
        )


async def _try_lock(session: AsyncSession, namespace: int, municipality_id: int, *, wait: bool) -> bool:
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    result = await session.execute(text(f"SELECT {fn}(:ns, :m)"), {"ns": namespace, "m": municipality_id})
    return True if wait else bool(result.scalar())


async def find_settlement(session: AsyncSession, municipality_id: int, month: date) -> Settlement | None:
    """The settlement of (municipality, month) once it exists (frozen); pending rows are not settlements."""
    return await session.scalar(
        select(Settlement).where(
            col(Settlement.municipality_id) == municipality_id,
            col(Settlement.month) == month.replace(day=1),
            col(Settlement.frozen).is_(True),
        )
    )


async def settle(
    session: AsyncSession,
    actor: Actor,
    month: date,
    municipality_id: int,
    *,
    trigger: str = "api",
    wait: bool = True,
    record_run: bool = True,
    tz: ZoneInfo = DEFAULT_TZ,
    settings: Settings,
) -> SettleResult:
    """Settle ``month`` for ``municipality_id`` (finance of that municipality, or admin/system).

    A new settlement tells each of its farmers that his statement is ready (``settlement.notices``),
    in the same transaction.

    ``wait=False`` (scheduler): when another process is settling this municipality right now, raise
    ``Conflict("settlement.busy")`` instead of waiting for it.
    """
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    first, last = month_bounds(month)
    await get_municipality(session, municipality_id)
    check_month_ended(first, tz)
    if not await _try_lock(session, RUN_LOCK, municipality_id, wait=wait):
        raise Conflict("settlement.busy")
    await _try_lock(session, POSTING_LOCK, municipality_id, wait=True)

    params = {"m": municipality_id, "month": first, "cutoff": last}
    row = (
        await session.execute(
            text("SELECT id, frozen FROM settlements WHERE municipality_id = :m AND month = :month"), params
        )
    ).first()
    started_at = clock.now()
    if row is not None and row.frozen:
        existing = await session.get(Settlement, row.id, populate_existing=True)
        assert existing is not None  # the row just read, under the run lock
        result = SettleResult(existing, created=False)
        return await _recorded(session, result, trigger, started_at) if record_run else result
    if row is None:  # a month without any entry of its own
        settlement_id = await session.scalar(
            text(
                "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count,"
                " total_charges_cents, total_credits_cents, total_net_cents, run_by_label, frozen)"
                " VALUES (:m, :month, :cutoff, 0, 0, 0, 0, 0, '', false) RETURNING id"
            ),
            params,
        )
    else:
        settlement_id = row.id
    params["sid"] = settlement_id
    await _take_earlier_pending(session, params)
    await _insert_lines(session, params)
    await _freeze(session, {**params, "run_by": actor.id, "label": (actor.label or trigger)[:200]})
    settlement = await session.get(Settlement, settlement_id, populate_existing=True)
    assert settlement is not None  # written above, in this transaction
    from machinery_network.settlement.notices import tell_statements

    await tell_statements(session, settlement, settings, tz)
    result = SettleResult(settlement, created=True)
    return await _recorded(session, result, trigger, started_at) if record_run else result


async def _recorded(session: AsyncSession, result: SettleResult, trigger: str, started_at: datetime) -> SettleResult:
    """A manual run (API, page, CLI) is recorded in the same transaction as its result; the scheduler
    records its runs itself, in separate transactions, so that failures are kept too."""
    s = result.settlement
    session.add(SettlementRun(
        month=s.month, municipality_id=s.municipality_id, trigger=trigger[:20], started_at=started_at,
        finished_at=clock.now(), settlement_id=s.id, entries=s.entry_count if result.created else 0,
        created=result.created,
    ))
    await session.flush()
    return result


async def _take_earlier_pending(session: AsyncSession, params: dict[str, Any]) -> None:
    """Entries still pending in other months but dated within this one (normally none: months are
    settled in order; after a missed month, its entries are part of the unsettled ones ≤ cutoff)."""
    await session.execute(
        text(
            "UPDATE ledger_entries SET settlement_id = :sid"
            " WHERE settlement_id IN (SELECT id FROM settlements"
            "   WHERE municipality_id = :m AND NOT frozen AND id <> :sid)"
            " AND value_date <= :cutoff"
        ),
        params,
    )


async def _insert_lines(session: AsyncSession, params: dict[str, Any]) -> None:
    await session.execute(
        text(
            "INSERT INTO settlement_lines (settlement_id, farmer_id, charges_cents, credits_cents, net_cents,"
            " entry_count)"
            " SELECT :sid, e.farmer_id,"
            f"  COALESCE(SUM(e.amount_cents) FILTER (WHERE {CHARGE_SIDE}), 0),"
            f"  COALESCE(-SUM(e.amount_cents) FILTER (WHERE NOT {CHARGE_SIDE}), 0),"
            "  SUM(e.amount_cents), COUNT(*)"
            " FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses_entry_id"
            " WHERE e.settlement_id = :sid GROUP BY e.farmer_id"
        ),
        params,
    )


async def _freeze(session: AsyncSession, params: dict[str, Any]) -> None:
    await session.execute(
        text(
            "UPDATE settlements s SET frozen = true, created_at = now(), run_by = :run_by, run_by_label = :label,"
            " entry_count = t.entries, farmer_count = t.farmers, total_charges_cents = t.charges,"
            " total_credits_cents = t.credits, total_net_cents = t.net"
            " FROM (SELECT COALESCE(SUM(entry_count), 0) AS entries, COUNT(*) AS farmers,"
            "        COALESCE(SUM(charges_cents), 0) AS charges, COALESCE(SUM(credits_cents), 0) AS credits,"
            "        COALESCE(SUM(net_cents), 0) AS net FROM settlement_lines WHERE settlement_id = :sid) t"
            " WHERE s.id = :sid"
        ),
        params,
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


async def municipality_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(col(Municipality.id)).order_by(col(Municipality.id))))


# The start-up catch-up settles at most this many months per municipality (value dates reach back 12
# months; twice that leaves room for a service that was down for a year). Older pending months are not
# settled one by one: their entries go into the first month that is settled.
MAX_CATCH_UP_MONTHS = 24


@dataclass
class CatchUpPlan:
    todo: list[tuple[int, date]]  # (municipality, month), oldest first
    skipped: list[tuple[int, date, date]]  # (municipality, first missed month, first month settled)


async def catch_up_plan(
    session: AsyncSession, last_month: date, max_months: int = MAX_CATCH_UP_MONTHS
) -> CatchUpPlan:
    """(municipality, month) pairs up to ``last_month`` that the monthly job would have settled but no
    settlement exists: every month after the latest settlement of the municipality (or from its earliest
    pending month) — including those without entries, as the monthly run creates them — oldest first,
    and at most ``max_months`` per municipality (the rest is reported in ``skipped``).
    Months before an existing settlement are not filled in: their entries went into that one."""
    floor = last_month.replace(day=1)
    for _ in range(max_months - 1):
        floor = previous_month(floor)
    rows = (
        await session.execute(
            text(
                "SELECT m.id AS municipality_id, COALESCE("
                "  (SELECT (max(s.month) + interval '1 month')::date FROM settlements s"
                "    WHERE s.municipality_id = m.id AND s.frozen),"
                "  (SELECT min(s.month) FROM settlements s WHERE s.municipality_id = m.id AND NOT s.frozen))"
                "  AS first"
                " FROM municipalities m ORDER BY m.id"
            )
        )
    ).all()
    todo: list[tuple[int, date]] = []
    skipped: list[tuple[int, date, date]] = []
    for row in rows:
        if row.first is None or row.first > last_month:
            continue
        first = row.first
        if first < floor:
            skipped.append((row.municipality_id, first, floor))
            first = floor
        month = first
        while month <= last_month:
            todo.append((row.municipality_id, month))
            month = next_month(month)
    todo.sort(key=lambda pair: (pair[1], pair[0]))
    return CatchUpPlan(todo, skipped)


async def months_to_catch_up(session: AsyncSession, last_month: date) -> list[tuple[int, date]]:
    return (await catch_up_plan(session, last_month)).todo


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
