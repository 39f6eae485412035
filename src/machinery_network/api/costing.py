"""JSON routes of costing: the KTBL cost-price calculator of an item."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from machinery_network.costing import service
from machinery_network.costing.schemas import CostCalculationInput, CostCalculationPublic
from machinery_network.injected import CurrentActor, DbSession


class CostCalculationController(Controller):
    path = "/items/{item_id:int}/cost-calculation"
    tags = ["costing"]

    @post("/", status_code=200)
    async def calculate(
        self, item_id: FromPath[int], data: JSONBody[CostCalculationInput], actor: CurrentActor, db_session: DbSession
    ) -> CostCalculationPublic:
        return await service.calculate_for_item(db_session, actor, item_id, data)


ROUTES = [CostCalculationController]
