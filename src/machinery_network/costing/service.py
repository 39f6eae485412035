"""Use cases of costing: compute an item's cost price, adopt it as the rate (kept with its
calculation), and the cost coverage per item and year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.catalogue.schemas import ItemUpdate
from machinery_network.catalogue.service import get_item, update_item
from machinery_network.config import Settings
from machinery_network.costing import ktbl
from machinery_network.costing.models import CostCalculation
from machinery_network.costing.schemas import CostAdoption, CostCalculationInput, CostCalculationPublic
from machinery_network.errors import Invalid


async def calculate_for_item(
    session: AsyncSession, actor: Actor, item_id: int, data: CostCalculationInput
) -> CostCalculationPublic:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    inputs = data.inputs()
    return CostCalculationPublic.of(
        ktbl.calculate(inputs), item.rate_cents, ktbl.break_even_units(inputs, item.rate_cents)
    )


async def adopt(
    session: AsyncSession, actor: Actor, item_id: int, data: CostAdoption, settings: Settings
) -> CostCalculation:
    """The yard head adopts a calculation: the item's rate becomes its cost per unit (or the rate he
    chose) from ``valid_from``, and the calculation is kept with it."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    today = clock.today(settings.tz)
    valid_from = data.valid_from or today
    if valid_from > today:
        raise Invalid("costing.valid_from_future", field="valid_from")
    last = await session.scalar(
        select(col(CostCalculation.valid_from)).where(col(CostCalculation.item_id) == item_id)
        .order_by(col(CostCalculation.valid_from).desc()).limit(1)
    )
    if last is not None and valid_from < last:
        raise Invalid("costing.valid_from_before_last", field="valid_from", last=last.isoformat())
    inputs = data.inputs()
    result = ktbl.calculate(inputs)
    rate = data.rate_cents if data.rate_cents is not None else result.cost_cents_per_unit
    changes: dict[str, object] = {"rate_cents": rate}
    if result.operator_rate_cents is not None:
        changes["operator_rate_cents"] = result.operator_rate_cents
    if "valid_from" in ItemUpdate.model_fields:  # the item's rate history (valid_from) records the change
        changes["valid_from"] = valid_from
    await update_item(session, actor, item_id, ItemUpdate.model_validate(changes), settings)
    kept = CostCalculation(
        item_id=item_id, valid_from=valid_from, rate_cents=rate, note=data.note, created_by=actor.id,
        **data.model_dump(exclude={"valid_from", "rate_cents", "note"}),
        fixed_cents_per_year=result.fixed_cents_per_year,
        variable_cents_per_unit=result.variable_cents_per_unit,
        cost_cents_per_unit=result.cost_cents_per_unit,
        operator_rate_cents=result.operator_rate_cents,
        created_at=clock.now(),
    )
    session.add(kept)
    await session.flush()
    return kept


async def kept_calculations(session: AsyncSession, item_id: int) -> list[CostCalculation]:
    """How the item's rates were reached, newest first (any signed-in user may read them)."""
    await get_item(session, item_id)
    return list(await session.scalars(
        select(CostCalculation).where(col(CostCalculation.item_id) == item_id)
        .order_by(col(CostCalculation.valid_from).desc(), col(CostCalculation.id).desc())
    ))


def inputs_of(row: CostCalculation) -> ktbl.CostInputs:
    return ktbl.CostInputs(
        purchase_price_cents=row.purchase_price_cents, residual_value_cents=row.residual_value_cents,
        life_years=Decimal(row.life_years), life_units=Decimal(row.life_units),
        annual_units=Decimal(row.annual_units), interest_percent=Decimal(row.interest_percent),
        insurance_cents_per_year=row.insurance_cents_per_year, housing_cents_per_year=row.housing_cents_per_year,
        tax_cents_per_year=row.tax_cents_per_year, repair_percent_of_price=Decimal(row.repair_percent_of_price),
        fuel_litres_per_unit=Decimal(row.fuel_litres_per_unit),
        fuel_price_cents_per_litre=Decimal(row.fuel_price_cents_per_litre),
        operator_wage_cents_per_hour=row.operator_wage_cents_per_hour,
        operator_overhead_percent=Decimal(row.operator_overhead_percent),
    )


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)
