"""JSON routes of the catalogue: items."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.auth import Actor
from machinery_network.catalogue import service
from machinery_network.catalogue.models import ItemKind
from machinery_network.catalogue.schemas import ItemCreate, ItemPublic, ItemRatePublic, ItemUpdate


class ItemController(Controller):
    path = "/api/v1/items"
    tags = ["catalogue"]

    @post("/")
    async def create(self, data: ItemCreate, actor: Actor, db_session: AsyncSession) -> ItemPublic:
        return ItemPublic.of(await service.create_item(db_session, actor, data))

    @get("/")
    async def list_(
        self,
        actor: Actor,
        db_session: AsyncSession,
        municipality_id: int | None = None,
        kind: ItemKind | None = None,
        q: str | None = None,
    ) -> list[ItemPublic]:
        items = await service.list_items(db_session, municipality_id=municipality_id, kind=kind, query=q)
        return [ItemPublic.of(item) for item in items]

    @get("/{item_id:int}")
    async def show(self, item_id: int, actor: Actor, db_session: AsyncSession) -> ItemPublic:
        return ItemPublic.of(await service.get_item(db_session, item_id))

    @patch("/{item_id:int}")
    async def update(self, item_id: int, data: ItemUpdate, actor: Actor, db_session: AsyncSession) -> ItemPublic:
        return ItemPublic.of(await service.update_item(db_session, actor, item_id, data))

    @get("/{item_id:int}/rates")
    async def rates(self, item_id: int, actor: Actor, db_session: AsyncSession) -> list[ItemRatePublic]:
        """The item's rate history, oldest first."""
        return [ItemRatePublic.of(rate) for rate in await service.rate_history(db_session, item_id)]


ROUTES = [ItemController]
