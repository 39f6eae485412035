"""Use cases of costing: compute an item's cost price (the yard head of its municipality)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.catalogue.service import get_item
from machinery_network.costing import ktbl
from machinery_network.costing.schemas import CostCalculationInput, CostCalculationPublic


async def calculate_for_item(
    session: AsyncSession, actor: Actor, item_id: int, data: CostCalculationInput
) -> CostCalculationPublic:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    inputs = data.inputs()
    return CostCalculationPublic.of(
        ktbl.calculate(inputs), item.rate_cents, ktbl.break_even_units(inputs, item.rate_cents)
    )
