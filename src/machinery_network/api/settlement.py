"""JSON routes of the settlement: run a month (idempotent), show one, list them.

The export route (``/settlements/{month}/export``) belongs to ``api/exports.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from machinery_network.accounts.models import Role
from machinery_network.api.paging import Paging, paged_response
from machinery_network.auth import Actor, require_role
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.schemas import parse_month
from machinery_network.settlement import service
from machinery_network.settlement.schemas import SettlementPublic, SettlementSummary, SettleRequest


def _municipality(actor: Actor, municipality_id: int | None) -> int:
    """Finance officers may leave out their own municipality; admins must name one."""
    require_role(actor, Role.finance, Role.admin)
    if municipality_id is None:
        if actor.municipality_id is None:
            raise Invalid("field.required", field="municipality_id")
        return actor.municipality_id
    return municipality_id


def _month(value: str) -> date:
    try:
        return parse_month(value)
    except ValueError:
        raise Invalid("field.month", field="month") from None


class SettlementController(Controller):
    path = "/settlements"
    tags = ["settlement"]

    @post("/")
    async def settle(
        self, data: JSONBody[SettleRequest], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> Response[SettlementPublic]:
        """201 when this call created the settlement, 200 (same body) when it existed already."""
        result = await service.settle(db_session, actor, _month(data.month), data.municipality_id, trigger="api",
                                      settings=settings)
        settlement, lines = await service.get_settlement_view(
            db_session, actor, result.settlement.month, data.municipality_id
        )
        return Response(SettlementPublic.with_lines(settlement, lines), status_code=201 if result.created else 200)

    @get("/")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        municipality_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """Paged; newest month first (``sort``: ``month`` or ``net``, ``-`` first for descending, each then by
        id); ``q`` finds months by their writing ``MM/YYYY`` ("2026", "03/2026")."""
        municipality = _municipality(actor, municipality_id)
        order = service.SETTLEMENT_SORTS.choose(sort)
        settlements = await service.page_settlements(db_session, actor, municipality, order.page(paging.limit, paging.cursor),
                                                     query=q, sort=order)
        return paged_response(request, settlements, SettlementSummary.of)

    @get("/{month:str}")
    async def show(
        self, month: FromPath[str], actor: CurrentActor, db_session: DbSession, municipality_id: FromQuery[int | None] = None
    ) -> SettlementPublic:
        settlement, lines = await service.get_settlement_view(
            db_session, actor, _month(month), _municipality(actor, municipality_id)
        )
        return SettlementPublic.with_lines(settlement, lines)


ROUTES = [SettlementController]
