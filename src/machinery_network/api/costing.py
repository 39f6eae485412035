"""JSON routes of costing: the KTBL cost-price calculator of an item, adopting it as the rate, and
the kept calculations (how a rate was reached)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from machinery_network.costing import coverage, service
from machinery_network.costing.schemas import (
    CostAdoption,
    CostCalculationInput,
    CostCalculationKept,
    CostCalculationPublic,
    CoverageRow,
)
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession


class CostCalculationController(Controller):
    path = "/items/{item_id:int}"
    tags = ["costing"]

    @post("/cost-calculation", status_code=200)
    async def calculate(
        self, item_id: FromPath[int], data: JSONBody[CostCalculationInput], actor: CurrentActor, db_session: DbSession
    ) -> CostCalculationPublic:
        return await service.calculate_for_item(db_session, actor, item_id, data)

    @post("/cost-calculation/adopt", status_code=201)
    async def adopt(
        self, item_id: FromPath[int], data: JSONBody[CostAdoption], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> CostCalculationKept:
        return CostCalculationKept.of(await service.adopt(db_session, actor, item_id, data, settings))

    @get("/cost-calculations")
    async def kept(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[CostCalculationKept]:
        return [CostCalculationKept.of(row) for row in await service.kept_calculations(db_session, item_id)]


ROUTES: list[object] = [CostCalculationController]


@get("/cost-coverage", tags=["costing"])
async def cost_coverage(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    municipality_id: FromQuery[int], year: FromQuery[int],
) -> list[CoverageRow]:
    """Per item of the municipality: revenue charged vs calculated cost at the actual use in ``year``."""
    if not 2000 <= year < 2100:
        raise Invalid("field.invalid", field="year")
    return await coverage.coverage(db_session, actor, municipality_id, year, settings)


ROUTES.append(cost_coverage)
