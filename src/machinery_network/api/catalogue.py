"""JSON routes of the catalogue: items."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from machinery_network.api.paging import Paging, paged_response
from machinery_network.catalogue import service
from machinery_network.catalogue.models import ItemKind
from machinery_network.catalogue.schemas import ItemCreate, ItemPublic, ItemRatePublic, ItemUpdate
from machinery_network.injected import AppSettings, CurrentActor, DbSession


class ItemController(Controller):
    path = "/items"
    tags = ["catalogue"]

    @post("/")
    async def create(
        self, data: JSONBody[ItemCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> ItemPublic:
        return ItemPublic.of(await service.create_item(db_session, actor, data, settings))

    @get("/")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        municipality_id: FromQuery[int | None] = None,
        kind: FromQuery[ItemKind | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """Active items ordered by municipality, name, id (``sort``: ``name`` or ``rate``, ``-`` first for
        descending, each then by id); paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        order = service.ITEM_SORTS.choose(sort)
        items = await service.page_items(db_session, order.page(paging.limit, paging.cursor), municipality_id=municipality_id,
                                         kind=kind, query=q, sort=order)
        return paged_response(request, items, ItemPublic.of)

    @get("/{item_id:int}")
    async def show(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> ItemPublic:
        return ItemPublic.of(await service.get_item(db_session, item_id))

    @patch("/{item_id:int}")
    async def update(
        self, item_id: FromPath[int], data: JSONBody[ItemUpdate], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> ItemPublic:
        return ItemPublic.of(await service.update_item(db_session, actor, item_id, data, settings))

    @get("/{item_id:int}/rates")
    async def rates(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[ItemRatePublic]:
        """The item's rate history, oldest first."""
        return [ItemRatePublic.of(rate) for rate in await service.rate_history(db_session, item_id)]


ROUTES = [ItemController]
