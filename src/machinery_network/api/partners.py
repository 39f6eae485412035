"""JSON routes: a municipality's contract partners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from machinery_network.accounts.models import Role
from machinery_network.api.paging import Paging, paged_response
from machinery_network.auth import require_for_municipality
from machinery_network.injected import CurrentActor, DbSession
from machinery_network.mandates import partners
from machinery_network.mandates.models import Partner
from machinery_network.schemas import Id, Input


class PartnerCreate(Input):
    farmer_id: Id


class PartnerPublic(BaseModel):
    municipality_id: int
    farmer_id: int
    since: datetime
    how: str

    @classmethod
    def of(cls, partner: Partner) -> PartnerPublic:
        return cls.model_validate(partner, from_attributes=True)


class PartnerController(Controller):
    path = "/municipalities/{municipality_id:int}/partners"
    tags = ["partners"]

    @post("/", responses={200: ResponseSpec(data_container=PartnerPublic, description="Already a partner")})
    async def add(
        self, municipality_id: FromPath[int], data: JSONBody[PartnerCreate], actor: CurrentActor, db_session: DbSession
    ) -> Response[PartnerPublic]:
        """201 when the farmer became a partner now, 200 when he already was one."""
        partner, new = await partners.add_partner(db_session, actor, municipality_id, data.farmer_id)
        return Response(PartnerPublic.of(partner), status_code=201 if new else 200)

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], municipality_id: FromPath[int], actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
    ) -> Response[list[Any]]:
        """The municipality's partners by farmer id (its yard head and finance, admin); paged (``limit``,
        ``cursor``, ``Link: rel="next"``)."""
        require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
        page = paging.page(order=partners.PARTNER_ORDER, width=1)
        return paged_response(request, await partners.page_partners(db_session, municipality_id, page),
                              PartnerPublic.of)


ROUTES = [PartnerController]
