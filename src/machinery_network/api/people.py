"""JSON routes of people and their accounts: the caller's profile, password and tokens, logout, password
reset, the administrator's edits (PATCH /users/{id}, forced reset, erasure) and the data export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from pydantic import AliasChoices, BaseModel, Field, StringConstraints

from machinery_network.accounts import people
from machinery_network.accounts.export import export_zip
from machinery_network.accounts.models import ApiToken, Role, User, VatStatus
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.schemas import Email, Id, Input, Name

Postcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z][0-9A-Za-z -]{2,9}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()/.-]{3,50}$")]
Password = Annotated[str, StringConstraints(max_length=1024)]


class Address(Input):
    street: Name
    postcode: Postcode
    town: Name


class ProfileUpdate(Input):
    name: Name | None = None
    address: Address | None = None
    phone: Phone | None = None
    iban: Annotated[str, StringConstraints(max_length=64)] | None = None
    vat_status: VatStatus | None = None
    # Per kind "mail" or "page" (people.NOTIFICATION_KINDS); ``notify`` is accepted as another name.
    notifications: dict[str, str] | None = Field(default=None, validation_alias=AliasChoices("notifications", "notify"))


class Profile(BaseModel):
    id: int
    email: str
    name: str
    role: str
    municipality_id: int | None
    address: dict[str, str] | None
    phone: str | None
    iban: str | None
    bic: str | None
    vat_status: str | None
    notifications: dict[str, str]
    password_change_required: bool

    @classmethod
    def of(cls, user: User) -> Profile:
        address = (
            {"street": user.street, "postcode": user.postcode, "town": user.town}
            if user.street and user.postcode and user.town else None
        )
        notify = user.notify or {}
        return cls(
            id=user.id, email=user.email, name=user.name, role=user.role, municipality_id=user.municipality_id,
            address=address, phone=user.phone, iban=user.iban, bic=user.bic, vat_status=user.vat_status,
            notifications={kind: notify.get(kind, "mail") for kind in people.NOTIFICATION_KINDS},
            password_change_required=user.password_change_required,
        )


class PasswordChange(Input):
    current_password: Password
    new_password: Password


class ResetRequest(Input):
    email: Email


class ResetConfirm(Input):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Password


class TokenPublic(BaseModel):
    id: int
    label: str | None
    created_at: datetime
    expires_at: datetime
    current: bool


class UserUpdate(Input):
    name: Name | None = None
    role: Role | None = None
    municipality_id: Id | None = None
    active: bool | None = None


class UserDetail(BaseModel):
    id: int
    email: str
    name: str
    role: str
    municipality_id: int | None
    active: bool
    erased: bool

    @classmethod
    def of(cls, user: User) -> UserDetail:
        return cls(id=user.id, email=user.email, name=user.name, role=user.role,
                   municipality_id=user.municipality_id, active=user.active, erased=user.erased_at is not None)


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


class MeController(Controller):
    path = "/me"
    tags = ["me"]

    @get("/")
    async def show(self, actor: CurrentActor, db_session: DbSession) -> Profile:
        return Profile.of(await people.me(db_session, actor))

    @patch("/")
    async def update(self, data: JSONBody[ProfileUpdate], actor: CurrentActor, db_session: DbSession) -> Profile:
        changes = data.model_dump(exclude_unset=True)
        return Profile.of(await people.update_profile(db_session, actor, changes))

    @post("/password", status_code=204)
    async def change_password(
        self, data: JSONBody[PasswordChange], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession
    ) -> None:
        await people.change_password(
            db_session, actor, data.current_password, data.new_password, keep_token=bearer_token(request)
        )

    @get("/tokens")
    async def tokens(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession
    ) -> list[TokenPublic]:
        from machinery_network.accounts.security import token_digest

        token = bearer_token(request)
        current = token_digest(token) if token else None
        rows: list[ApiToken] = await people.list_tokens(db_session, actor)
        return [TokenPublic(id=t.id, label=t.label, created_at=t.created_at, expires_at=t.expires_at,
                            current=t.token_hash == current) for t in rows]

    @get("/export", media_type="application/zip")
    async def export(self, actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> Response[bytes]:
        """DSGVO Art. 15/20: everything about the caller as one ZIP (JSON, CSV, photos, statements)."""
        content, filename = await export_zip(db_session, actor, settings)
        return Response(content, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @delete("/tokens/{token_id:int}", status_code=204)
    async def revoke(self, token_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> None:
        await people.revoke_own_token(db_session, actor, token_id)


class AuthExtrasController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/logout", status_code=204)
    async def logout(self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> None:
        token = bearer_token(request)
        if token:
            await people.revoke_token(db_session, token)

    @post("/password-reset", status_code=202, security=[])
    async def request_reset(
        self, data: JSONBody[ResetRequest], db_session: DbSession, settings: AppSettings
    ) -> dict[str, str]:
        await people.request_reset(db_session, data.email, settings)
        return {"detail": "If the address belongs to an account, a reset link is on its way."}

    @post("/password-reset/confirm", status_code=204, security=[])
    async def confirm_reset(self, data: JSONBody[ResetConfirm], db_session: DbSession, settings: AppSettings) -> None:
        await people.confirm_reset(db_session, data.token, data.new_password, settings)


class UserAdminController(Controller):
    path = "/users"
    tags = ["users"]

    @patch("/{user_id:int}")
    async def update(self, user_id: FromPath[int], data: JSONBody[UserUpdate], actor: CurrentActor, db_session: DbSession) -> UserDetail:
        return UserDetail.of(await people.update_user(db_session, actor, user_id, data.model_dump(exclude_unset=True)))

    @post("/{user_id:int}/password-reset", status_code=202)
    async def force_reset(
        self, user_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> UserDetail:
        return UserDetail.of(await people.force_reset(db_session, actor, user_id, settings))

    @post("/{user_id:int}/erase", status_code=200)
    async def erase(self, user_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> UserDetail:
        return UserDetail.of(await people.erase_farmer(db_session, actor, user_id))


ROUTES: list[type[Controller]] = [MeController, AuthExtrasController, UserAdminController]
