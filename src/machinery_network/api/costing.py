"""JSON routes of costing: the KTBL cost-price calculator of an item, adopting it as the rate, and
the kept calculations (how a rate was reached)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from machinery_network.costing import service
from machinery_network.costing.schemas import (
    CostAdoption,
    CostCalculationInput,
    CostCalculationKept,
    CostCalculationPublic,
)
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


ROUTES = [CostCalculationController]
