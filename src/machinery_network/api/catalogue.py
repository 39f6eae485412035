"""JSON routes of the catalogue: items."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from machinery_network.catalogue import service
from machinery_network.catalogue.models import ItemKind
from machinery_network.catalogue.schemas import ItemCreate, ItemPublic, ItemUpdate
from machinery_network.injected import CurrentActor, DbSession


class ItemController(Controller):
    path = "/items"
    tags = ["catalogue"]

    @post("/")
    async def create(self, data: JSONBody[ItemCreate], actor: CurrentActor, db_session: DbSession) -> ItemPublic:
        return ItemPublic.of(await service.create_item(db_session, actor, data))

    @get("/")
    async def list_(
        self,
        actor: CurrentActor,
        db_session: DbSession,
        municipality_id: FromQuery[int | None] = None,
        kind: FromQuery[ItemKind | None] = None,
        q: FromQuery[str | None] = None,
    ) -> list[ItemPublic]:
        items = await service.list_items(db_session, municipality_id=municipality_id, kind=kind, query=q)
        return [ItemPublic.of(item) for item in items]

    @get("/{item_id:int}")
    async def show(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> ItemPublic:
        return ItemPublic.of(await service.get_item(db_session, item_id))

    @patch("/{item_id:int}")
    async def update(self, item_id: FromPath[int], data: JSONBody[ItemUpdate], actor: CurrentActor, db_session: DbSession) -> ItemPublic:
        return ItemPublic.of(await service.update_item(db_session, actor, item_id, data))


ROUTES = [ItemController]
