"""Settling a month for a municipality: exactly once, nothing lost, nothing counted twice.

One transaction, set-based SQL:
1. a transaction-level advisory lock on (municipality, month) serialises runs across processes;
2. an existing settlement is returned unchanged (idempotent);
3. otherwise the settlement row is inserted (``ON CONFLICT DO NOTHING`` with the unique constraint as
   the last word), every unsettled entry of the municipality with ``value_date`` ≤ the month's last day
   is marked with it, the per-farmer lines are aggregated from exactly the marked entries, and the
   totals are written and the row frozen. After that the triggers refuse any change.
An entry posted later for that month has no settlement yet and so is taken by the next one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import get_settings
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.settlement.models import Settlement, SettlementLine

# First key of the two-int advisory lock: "MN" + settlement; the second is the municipality id.
LOCK_NAMESPACE = 0x4D4E0001


@dataclass
class SettleResult:
    settlement: Settlement
    created: bool


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def month_has_ended(month: date, today: date | None = None) -> bool:
    _, last = month_bounds(month)
    today = today or clock.today(get_settings().tz)
    return today > last


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def lock_key(month: date) -> int:
    """Second advisory-lock key mixes municipality and month; see ``_lock``."""
    return month.year * 12 + month.month


async def _lock(session: AsyncSession, municipality_id: int, month: date, *, wait: bool) -> bool:
    key = (LOCK_NAMESPACE ^ municipality_id) & 0x7FFFFFFF
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    result = await session.execute(text(f"SELECT {fn}(:k1, :k2)"), {"k1": key, "k2": lock_key(month)})
    return True if wait else bool(result.scalar())


async def find_settlement(session: AsyncSession, municipality_id: int, month: date) -> Settlement | None:
    return await session.scalar(
        select(Settlement).where(Settlement.municipality_id == municipality_id, Settlement.month == month)
    )


async def settle(
    session: AsyncSession,
    actor: Actor,
    month: date,
    municipality_id: int,
    *,
    trigger: str = "api",
    wait: bool = True,
) -> SettleResult:
    """Settle ``month`` for ``municipality_id`` (finance of that municipality, or admin/system)."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    first, last = month_bounds(month)
    await get_municipality(session, municipality_id)
    if not month_has_ended(first):
        raise Invalid(
            "settlement.month_open", field="month", month=f"{first:%Y-%m}",
            first_day=f"{last + timedelta(days=1):%d.%m.%Y}",
        )
    if not await _lock(session, municipality_id, first, wait=wait):
        raise Conflict("settlement.busy")
    existing = await find_settlement(session, municipality_id, first)
    if existing is not None:
        return SettleResult(existing, created=False)

    params = {"m": municipality_id, "month": first, "cutoff": last}
    settlement_id = await session.scalar(
        text(
            "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count,"
            " total_charges_cents, total_credits_cents, total_net_cents, run_by, run_by_label, frozen, created_at)"
            " VALUES (:m, :month, :cutoff, 0, 0, 0, 0, 0, :run_by, :label, false, now())"
            " ON CONFLICT ON CONSTRAINT uq_settlements_municipality_month DO NOTHING RETURNING id"
        ),
        {**params, "run_by": actor.id, "label": actor.label[:200] or trigger},
    )
    if settlement_id is None:  # another transaction won between our check and insert
        return SettleResult(await find_settlement(session, municipality_id, first), created=False)
    params["sid"] = settlement_id
    await session.execute(
        text(
            "UPDATE ledger_entries SET settlement_id = :sid"
            " WHERE municipality_id = :m AND settlement_id IS NULL AND value_date <= :cutoff"
        ),
        params,
    )
    await session.execute(
        text(
            "INSERT INTO settlement_lines (settlement_id, farmer_id, charges_cents, credits_cents, net_cents,"
            " entry_count)"
            " SELECT :sid, farmer_id,"
            "  COALESCE(SUM(amount_cents) FILTER (WHERE amount_cents > 0), 0),"
            "  COALESCE(-SUM(amount_cents) FILTER (WHERE amount_cents < 0), 0),"
            "  SUM(amount_cents), COUNT(*)"
            " FROM ledger_entries WHERE settlement_id = :sid GROUP BY farmer_id"
        ),
        params,
    )
    await session.execute(
        text(
            "UPDATE settlements s SET frozen = true,"
            " entry_count = t.entries, farmer_count = t.farmers, total_charges_cents = t.charges,"
            " total_credits_cents = t.credits, total_net_cents = t.net"
            " FROM (SELECT COALESCE(SUM(entry_count), 0) AS entries, COUNT(*) AS farmers,"
            "        COALESCE(SUM(charges_cents), 0) AS charges, COALESCE(SUM(credits_cents), 0) AS credits,"
            "        COALESCE(SUM(net_cents), 0) AS net FROM settlement_lines WHERE settlement_id = :sid) t"
            " WHERE s.id = :sid"
        ),
        params,
    )
    settlement = await session.get(Settlement, settlement_id, populate_existing=True)
    return SettleResult(settlement, created=True)


async def get_settlement(
    session: AsyncSession, actor: Actor, month: date, municipality_id: int
) -> tuple[Settlement, list[SettlementLine]]:
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    settlement = await find_settlement(session, municipality_id, month.replace(day=1))
    if settlement is None:
        raise NotFound("settlement.not_found", month=f"{month:%Y-%m}")
    lines = list(
        await session.scalars(
            select(SettlementLine)
            .where(SettlementLine.settlement_id == settlement.id)
            .order_by(SettlementLine.farmer_id)
        )
    )
    return settlement, lines


async def municipality_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Municipality.id).order_by(Municipality.id)))
