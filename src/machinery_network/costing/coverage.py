"""Cost coverage: per item and year, the revenue charged against the calculated cost at the actual use.

Actual use comes from the completed bookings that started in the year (in the network's time zone):
for an item counted in hours, a booking's hours are the meter's (return minus hand-over, ``handovers``)
where both readings were taken, else the completion's ``quantity``; other units (hectare, km, day)
always take the completion's quantity, the meter counting hours, not them. ``operator_hours`` come
from the completions. Revenue is the net of the charges posted for the
item's bookings with a value date in the year, reversals included. The cost is that of the last
calculation adopted before the year ended: fixed + units × variable (+ operator hours × operator rate
when the calculation priced the operator). Under 80 % or over 110 % is flagged. One query, aggregated
in PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import Settings
from machinery_network.costing.models import CostCalculation
from machinery_network.costing.schemas import CoverageFlag, CoverageRow
from machinery_network.money import HUNDRED, round_half_up

UNDER = Decimal(80)
OVER = Decimal(110)

_QUERY = text(
    """
    WITH done AS (
        SELECT b.item_id,
               sum(CASE WHEN i.unit = 'hour' AND h.checkin_meter IS NOT NULL
                        THEN h.checkin_meter - h.checkout_meter ELSE coalesce(b.quantity, 0) END) AS units,
               sum(h.checkin_meter - h.checkout_meter) AS metered_hours,
               count(h.checkin_meter) AS metered_bookings,
               sum(coalesce(b.operator_hours, 0)) AS operator_hours
        FROM bookings b JOIN items i ON i.id = b.item_id
        LEFT JOIN handovers h ON h.booking_id = b.id
        WHERE i.municipality_id = :municipality AND b.status = 'completed'
          AND b.start_at >= (CAST(:start AS timestamp) AT TIME ZONE :tz)
          AND b.start_at < (CAST(:stop AS timestamp) AT TIME ZONE :tz)
        GROUP BY b.item_id
    ), revenue AS (
        -- the booking of an entry (or of the entry it reverses) looked up by primary key, entry by entry:
        -- a join on coalesce(e.booking_id, o.booking_id) cannot use the bookings' primary key under row-level
        -- security (the policy is applied first), so the planner read every booking of every network
        -- (with a generic plan, once per entry: minutes at 200,000 bookings)
        SELECT x.item_id, sum(x.net_cents) AS cents
        FROM (
            SELECT e.net_cents, coalesce(
                (SELECT b.item_id FROM bookings b WHERE b.id = e.booking_id),
                (SELECT b.item_id FROM ledger_entries o JOIN bookings b ON b.id = o.booking_id
                  WHERE o.id = e.reverses_entry_id AND e.booking_id IS NULL)
            ) AS item_id
            FROM ledger_entries e
            WHERE e.municipality_id = :municipality AND e.value_date >= :start AND e.value_date < :stop
              AND (e.booking_id IS NOT NULL OR e.reverses_entry_id IS NOT NULL)
        ) x
        WHERE x.item_id IS NOT NULL
        GROUP BY x.item_id
    )
    SELECT i.id, i.name, i.unit, coalesce(d.units, 0) AS units, coalesce(d.operator_hours, 0) AS operator_hours,
           d.metered_hours, coalesce(d.metered_bookings, 0) AS metered_bookings,
           coalesce(r.cents, 0) AS revenue, c.id AS calculation_id
    FROM items i
    LEFT JOIN done d ON d.item_id = i.id
    LEFT JOIN revenue r ON r.item_id = i.id
    LEFT JOIN LATERAL (
        SELECT id FROM cost_calculations c
        WHERE c.item_id = i.id AND c.valid_from < :stop
        ORDER BY c.valid_from DESC, c.id DESC LIMIT 1
    ) c ON true
    WHERE i.municipality_id = :municipality
    ORDER BY i.name, i.id
    """
)


def flag_of(coverage_percent: Decimal | None) -> CoverageFlag:
    if coverage_percent is None:
        return CoverageFlag.unknown
    if coverage_percent < UNDER:
        return CoverageFlag.under
    if coverage_percent > OVER:
        return CoverageFlag.over
    return CoverageFlag.ok


def cost_of_year(calculation: CostCalculation, units: Decimal, operator_hours: Decimal) -> int:
    """fixed + units × variable (+ operator hours × operator rate), from the kept figures."""
    exact = Decimal(calculation.fixed_cents_per_year) + units * calculation.variable_cents_per_unit
    if calculation.operator_rate_cents is not None:
        exact += operator_hours * calculation.operator_rate_cents
    return round_half_up(exact)


async def coverage(
    session: AsyncSession, actor: Actor, municipality_id: int, year: int, settings: Settings
) -> list[CoverageRow]:
    """The municipality's items in ``year`` (its yard head and finance office, or the administrator)."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    return await coverage_rows(session, municipality_id, year, settings)


async def coverage_rows(
    session: AsyncSession, municipality_id: int, year: int, settings: Settings
) -> list[CoverageRow]:
    tz = settings.timezone
    rows = (await session.execute(_QUERY, {
        "municipality": municipality_id, "start": date(year, 1, 1), "stop": date(year + 1, 1, 1), "tz": tz,
    })).all()
    ids = [row.calculation_id for row in rows if row.calculation_id is not None]
    calculations = {c.id: c for c in await session.scalars(
        select(CostCalculation).where(col(CostCalculation.id).in_(ids))
    )} if ids else {}
    result = []
    for row in rows:
        units, operator_hours = Decimal(row.units), Decimal(row.operator_hours)
        cost: int | None = None
        percent: Decimal | None = None
        calculation = calculations.get(row.calculation_id)
        if calculation is not None:
            cost = cost_of_year(calculation, units, operator_hours)
            if cost > 0:
                percent = (Decimal(row.revenue) * HUNDRED / cost).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        result.append(CoverageRow(
            item_id=row.id, item_name=row.name, unit=row.unit, year=year, units=units,
            metered_hours=None if row.metered_hours is None else Decimal(row.metered_hours),
            metered_bookings=int(row.metered_bookings), revenue_cents=int(row.revenue), cost_cents=cost, coverage_percent=percent, flag=flag_of(percent),
            calculation_id=row.calculation_id,
        ))
    return result
