"""The start-up catch-up: which (municipality, month) pairs the monthly job would have settled while the
service was down, oldest first and bounded per municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Municipality
from machinery_network.settlement.months import next_month, previous_month


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
