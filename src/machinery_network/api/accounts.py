"""JSON routes: login tokens, municipalities, users."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from machinery_network.accounts import people, service
from machinery_network.accounts.models import Municipality, Role
from machinery_network.injected import CurrentActor, DbSession
from machinery_network.schemas import Email, Id, Input, Name, Note


class TokenRequest(Input):
    email: Email
    password: str


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    user_id: int
    role: str
    municipality_id: int | None
    network_id: int | None = None
    # An administrator chose the password: the client should lead the user to POST /me/password.
    password_change_required: bool = False


class MunicipalityCreate(Input):
    name: Name
    iban: str | None = None
    bic: str | None = None
    creditor_id: Name | None = None
    address: Note | None = None


class MunicipalityPublic(BaseModel):
    id: int
    name: str
    network_id: int | None
    iban: str | None
    bic: str | None
    creditor_id: str | None
    address: str | None

    @classmethod
    def of(cls, m: Municipality) -> MunicipalityPublic:
        return cls.model_validate(m, from_attributes=True)


class UserCreate(Input):
    email: Email
    password: str
    name: Name
    role: Role
    municipality_id: Id | None = None
    iban: str | None = None
    bic: str | None = None
    address: Note | None = None
    network_id: Id | None = None


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: str
    municipality_id: int | None
    network_id: int | None
    iban: str | None


def client_address(request: Request) -> str:
    return (request.client.host if request.client else None) or "unknown"


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/token", status_code=200, security=[])
    async def token(self, data: JSONBody[TokenRequest], request: Request, db_session: DbSession) -> TokenResponse:
        user = await service.authenticate(db_session, data.email, data.password, client_address(request))
        token = await service.issue_token(db_session, user, request.headers.get("user-agent"))
        return TokenResponse(token=token, user_id=user.id, role=user.role, municipality_id=user.municipality_id,
                             network_id=user.network_id,
                             password_change_required=user.password_change_required)

    @get("/me")
    async def me(self, actor: CurrentActor) -> dict:
        return {"id": actor.id, "name": actor.name, "email": actor.email, "role": actor.role,
                "municipality_id": actor.municipality_id, "network_id": actor.network_id}


class MunicipalityController(Controller):
    path = "/municipalities"
    tags = ["municipalities"]

    @post("/")
    async def create(self, data: JSONBody[MunicipalityCreate], actor: CurrentActor, db_session: DbSession) -> MunicipalityPublic:
        municipality = await service.create_municipality(db_session, actor, **data.model_dump())
        return MunicipalityPublic.of(municipality)

    @get("/")
    async def list_(self, actor: CurrentActor, db_session: DbSession) -> list[MunicipalityPublic]:
        return [MunicipalityPublic.of(m) for m in await service.list_municipalities(db_session, actor.network_id)]

    @get("/{municipality_id:int}")
    async def show(self, municipality_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> MunicipalityPublic:
        return MunicipalityPublic.of(await service.get_municipality(db_session, municipality_id))


class UserController(Controller):
    path = "/users"
    tags = ["users"]

    @post("/")
    async def create(self, data: JSONBody[UserCreate], actor: CurrentActor, db_session: DbSession) -> UserPublic:
        user = await service.create_user(db_session, actor, **data.model_dump())
        return UserPublic.model_validate(user, from_attributes=True)

    @get("/")
    async def list_(self, actor: CurrentActor, db_session: DbSession) -> list[UserPublic]:
        """Admin: every user; yard heads and finance: their municipality's partners; the IBAN only for
        finance and admin."""
        users = await people.visible_users(db_session, actor)
        iban = people.sees_iban(actor)
        return [UserPublic(id=u.id, email=u.email, name=u.name, role=u.role, municipality_id=u.municipality_id,
                           network_id=u.network_id,
                           iban=u.iban if iban else None) for u in users]


ROUTES = [AuthController, MunicipalityController, UserController]
