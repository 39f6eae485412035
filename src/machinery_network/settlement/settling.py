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

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import DEFAULT_TZ, Settings
from machinery_network.errors import Conflict
from machinery_network.locks import POSTING_LOCK
from machinery_network.settlement.models import Settlement, SettlementRun
from machinery_network.settlement.months import check_month_ended, month_bounds

# pg_advisory_xact_lock(namespace, municipality_id). POSTING_LOCK is defined once, in ``locks``: the
# posting trigger of migration 0002 takes it shared.
RUN_LOCK = 0x4D4E0001

# Which column of a settlement line an entry ``e`` counts in, by kind: charges are Belastungen, care
# credits Gutschriften, an adjustment is a manual charge when positive and a manual credit when negative,
# and a reversal counts, with its own sign, in the column of what it reverses (a reversed credit lowers
# Gutschriften and does not raise Belastungen). The reversed entry is looked up for reversals alone, by
# its whole key (network_id, id), in a subquery: as a join, row-level security let the planner scan the
# network's entries once per entry whenever its estimates were off (a generic plan, fresh statistics).
REVERSED_SIDE = (
    "(SELECT CASE o.kind WHEN 'charge' THEN true WHEN 'credit' THEN false ELSE o.amount_cents > 0 END"
    " FROM ledger_entries o WHERE o.network_id = e.network_id AND o.id = e.reverses_entry_id)"
)
CHARGE_SIDE = (
    "(CASE e.kind WHEN 'charge' THEN true WHEN 'credit' THEN false WHEN 'adjustment' THEN e.amount_cents > 0"
    f" ELSE {REVERSED_SIDE} END)"
)


@dataclass
class SettleResult:
    settlement: Settlement
    created: bool


async def _lock(session: AsyncSession, municipality_id: int, *, wait: bool) -> bool | None:
    """Both advisory locks of ``municipality_id`` in one round trip: the run lock (tried only, when not
    ``wait``), then the exclusive posting lock. None when the municipality is not there (not in this
    network); False when another process holds the run lock and ``wait`` is false."""
    run = ("(SELECT true FROM (SELECT pg_advisory_xact_lock(:run, m.id)) r)" if wait
           else "pg_try_advisory_xact_lock(:run, m.id)")
    result = await session.execute(
        text(
            f"SELECT CASE WHEN {run} THEN (SELECT true FROM (SELECT pg_advisory_xact_lock(:post, m.id)) x)"
            " ELSE false END FROM municipalities m WHERE m.id = :m"
        ),
        {"run": RUN_LOCK, "post": POSTING_LOCK, "m": municipality_id},
    )
    row = result.first()
    return None if row is None else bool(row[0])


async def settle(
    session: AsyncSession,
    actor: Actor,
    month: date,
    municipality_id: int,
    *,
    trigger: str = "api",
    wait: bool = True,
    record_run: bool = True,
    tell: bool = True,
    tz: ZoneInfo = DEFAULT_TZ,
    settings: Settings,
) -> SettleResult:
    """Settle ``month`` for ``municipality_id`` (finance of that municipality, or admin/system).

    ``tell``: a new settlement tells each of its farmers that his statement is ready
    (``settlement.notices``) in the same transaction. The monthly run passes false: it freezes every
    municipality first and tells afterwards, a settlement a transaction (``scheduler.tell_untold``).

    ``wait=False`` (scheduler): when another process is settling this municipality right now, raise
    ``Conflict("settlement.busy")`` instead of waiting for it.
    """
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    first, last = month_bounds(month)
    check_month_ended(first, tz)
    locked = await _lock(session, municipality_id, wait=wait)
    if locked is None:
        await get_municipality(session, municipality_id)  # raises the 404
    if not locked:
        raise Conflict("settlement.busy")

    params: dict[str, Any] = {"m": municipality_id, "month": first, "cutoff": last}
    # The month's row, if any, and whether entries dated within the month wait in another pending row
    # (normally not: months are settled in order; after a missed month, its entries are among them).
    found = (await session.execute(text(
        "SELECT s.id, s.frozen, s.network_id, EXISTS (SELECT FROM settlements o WHERE o.municipality_id = :m"
        "   AND NOT o.frozen AND o.month <> :month AND EXISTS (SELECT FROM ledger_entries e"
        "     WHERE e.settlement_id = o.id AND e.value_date <= :cutoff)) AS late"
        " FROM (SELECT) one LEFT JOIN settlements s ON s.municipality_id = :m AND s.month = :month"), params)).one()
    row = found if found.id is not None else None
    started_at = clock.now()
    if row is not None and row.frozen:
        existing = await session.get(Settlement, row.id, populate_existing=True)
        assert existing is not None  # the row just read, under the run lock
        result = SettleResult(existing, created=False)
        return await _recorded(session, result, trigger, started_at) if record_run else result
    if row is None:  # a month without any entry of its own
        row = (
            await session.execute(
                text(
                    "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count,"
                    " total_charges_cents, total_credits_cents, total_net_cents, run_by_label, frozen)"
                    " VALUES (:m, :month, :cutoff, 0, 0, 0, 0, 0, '', false) RETURNING id, network_id"
                ),
                params,
            )
        ).one()
    params["sid"], params["net"] = row.id, row.network_id
    if found.late:
        await _take_earlier_pending(session, params)
    await _insert_lines(session, params)
    settlement = await _freeze(session, {
        **params, "run_by": actor.id, "label": (actor.label or trigger)[:200], "record": record_run,
        "trigger": trigger[:20], "started_at": started_at, "finished_at": clock.now(),
    })
    if tell:
        from machinery_network.settlement.notices import tell_statements

        await tell_statements(session, settlement, settings, tz)
    return SettleResult(settlement, created=True)


async def _recorded(session: AsyncSession, result: SettleResult, trigger: str, started_at: datetime) -> SettleResult:
    """A run that found the month settled is recorded in the same transaction (a new settlement's run
    is written by ``_freeze``); a failed one is recorded by the caller after the rollback
    (``scheduler.settle_one``)."""
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
            "INSERT INTO settlement_lines (settlement_id, network_id, farmer_id, charges_cents, credits_cents,"
            " net_cents, entry_count)"
            " SELECT :sid, :net, e.farmer_id,"
            f"  COALESCE(SUM(e.amount_cents) FILTER (WHERE {CHARGE_SIDE}), 0),"
            f"  COALESCE(-SUM(e.amount_cents) FILTER (WHERE NOT {CHARGE_SIDE}), 0),"
            "  SUM(e.amount_cents), COUNT(*)"
            " FROM ledger_entries e WHERE e.settlement_id = :sid GROUP BY e.farmer_id"
        ),
        params,
    )


async def _freeze(session: AsyncSession, params: dict[str, Any]) -> Settlement:
    """Totals from the lines, the row frozen, and (``record``) the run recorded, in one statement; the
    frozen row returned (no second read). Its date is the service's clock (``clock.now``), the one "now" the
    statements' announced collection date follows from."""
    stmt = select(Settlement).from_statement(
        text(
            "WITH f AS (UPDATE settlements s SET frozen = true, created_at = :finished_at, run_by = :run_by, run_by_label = :label,"
            " entry_count = t.entries, farmer_count = t.farmers, total_charges_cents = t.charges,"
            " total_credits_cents = t.credits, total_net_cents = t.net"
            " FROM (SELECT COALESCE(SUM(entry_count), 0) AS entries, COUNT(*) AS farmers,"
            "        COALESCE(SUM(charges_cents), 0) AS charges, COALESCE(SUM(credits_cents), 0) AS credits,"
            "        COALESCE(SUM(net_cents), 0) AS net FROM settlement_lines WHERE settlement_id = :sid) t"
            " WHERE s.id = :sid RETURNING s.*),"
            " r AS (INSERT INTO settlement_runs (month, municipality_id, network_id, trigger, started_at, finished_at,"
            "   settlement_id, entries, created)"
            "   SELECT f.month, f.municipality_id, f.network_id, :trigger, :started_at, :finished_at, f.id,"
            "   f.entry_count, true FROM f WHERE :record)"
            " SELECT * FROM f"
        )
    )
    frozen: Settlement = (await session.scalars(stmt, params, execution_options={"populate_existing": True})).one()
    return frozen
