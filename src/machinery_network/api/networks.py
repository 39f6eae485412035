"""JSON routes: networks (the operator's) and agreements between networks (their admins')."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from machinery_network.accounts.models import Role
from machinery_network.db import OPERATOR_NETWORK, use_network
from machinery_network.injected import CurrentActor, DbSession
from machinery_network.networks import service
from machinery_network.networks.models import Agreement, Network
from machinery_network.schemas import Id, Input, Name


class NetworkCreate(Input):
    name: Name


class NetworkPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    figures: service.Figures | None = None  # the service's counts, as they are

    @classmethod
    def of(cls, network: Network, figures: service.Figures | None = None) -> NetworkPublic:
        return cls(id=network.id or 0, name=network.name, created_at=network.created_at,
                   figures=figures)


class AgreementCreate(Input):
    other_network_id: Id


class AgreementPublic(BaseModel):
    id: int
    network_id: int
    other_network_id: int
    state: str
    created_at: datetime
    confirmed_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementPublic:
        return cls.model_validate(agreement, from_attributes=True)


class NetworkController(Controller):
    path = "/networks"
    tags = ["networks"]

    @post("/")
    async def create(self, data: JSONBody[NetworkCreate], actor: CurrentActor, db_session: DbSession) -> NetworkPublic:
        """The operator creates a network (then its first administrator: ``POST /users``)."""
        return NetworkPublic.of(await service.create_network(db_session, actor, name=data.name))

    @get("/")
    async def list_(self, actor: CurrentActor, db_session: DbSession) -> list[NetworkPublic]:
        """The operator: every network with its figures (counts only); an admin: his own network."""
        networks = await service.list_networks(db_session, actor)
        if actor.role != Role.operator:
            return [NetworkPublic.of(n) for n in networks]
        answer = [NetworkPublic.of(n, await service.figures(db_session, n.id or 0)) for n in networks]
        await use_network(db_session, OPERATOR_NETWORK)  # each figure was read inside its network
        return answer

    @post("/{network_id:int}/agreements")
    async def propose(
        self, network_id: FromPath[int], data: JSONBody[AgreementCreate], actor: CurrentActor, db_session: DbSession
    ) -> AgreementPublic:
        agreement = await service.propose_agreement(db_session, actor, network_id, data.other_network_id)
        return AgreementPublic.of(agreement)

    @get("/{network_id:int}/agreements")
    async def agreements(self, network_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[AgreementPublic]:
        return [AgreementPublic.of(a) for a in await service.list_agreements(db_session, actor, network_id)]


class AgreementController(Controller):
    path = "/agreements"
    tags = ["networks"]

    @post("/{agreement_id:int}/confirm", status_code=200)
    async def confirm(self, agreement_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> AgreementPublic:
        return AgreementPublic.of(await service.confirm_agreement(db_session, actor, agreement_id))

    @post("/{agreement_id:int}/revoke", status_code=200)
    async def revoke(self, agreement_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> AgreementPublic:
        return AgreementPublic.of(await service.revoke_agreement(db_session, actor, agreement_id))


ROUTES = [NetworkController, AgreementController]
