"""HTML pages of networks: the operator's page, the agreements on the admin's page, and a farmer's
registration with a network (by the admin's invitation link, or open and approved by the admin)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.api.accounts import UserCreate
from machinery_network.api.networks import NetworkCreate
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.db import OPERATOR_NETWORK, use_network
from machinery_network.errors import NotFound
from machinery_network.i18n import gettext_de
from machinery_network.networks import service
from machinery_network.networks.models import Network
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import FormError, form_action, form_data

EMPTY_ADMIN = {"network_id": "", "name": "", "email": "", "password": ""}
EMPTY_REGISTRATION = {"name": "", "email": "", "password": "", "iban": ""}


# --- the operator ----------------------------------------------------------------------------------


async def _operator_page(
    actor: Actor, db_session: AsyncSession, *, status_code: int = 200, notice: str | None = None,
    message: str | None = None, network_form: dict[str, str] | None = None,
    network_errors: dict[str, str] | None = None, admin_form: dict[str, str] | None = None,
    admin_errors: dict[str, str] | None = None,
) -> Template:
    rows = await service.overview(db_session, actor)
    return render(
        "networks/operator.html", actor, status_code=status_code, rows=rows, notice=notice, message=message,
        network_form=network_form or {"name": ""}, network_errors=network_errors or {},
        admin_form=admin_form or EMPTY_ADMIN, admin_errors=admin_errors or {},
    )


@get("/operator", include_in_schema=False)
async def operator_page(actor: CurrentActor, db_session: DbSession, done: FromQuery[str | None] = None) -> Template:
    require_role(actor, Role.operator)
    return await _operator_page(actor, db_session, notice=gettext_de("admin.saved") if done else None)


@post("/operator/networks", include_in_schema=False)
async def create_network(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    require_role(actor, Role.operator)
    form = await form_data(request)

    async def create() -> None:
        data = NetworkCreate.model_validate({"name": form.get("name", "")})
        await service.create_network(db_session, actor, name=data.name)

    async def again(error: FormError) -> Template:
        return await _operator_page(actor, db_session, status_code=error.status_code, network_form=form,
                                    network_errors=error.fields, message=error.message)

    return await form_action(create, again, lambda _: redirect("/operator?done=1", request))


@post("/operator/admins", include_in_schema=False)
async def create_admin(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    from machinery_network.accounts import service as accounts

    require_role(actor, Role.operator)
    form = await form_data(request)
    network = form.get("network_id") or ""
    values = {"email": form.get("email", ""), "password": form.get("password", ""), "name": form.get("name", ""),
              "role": Role.admin, "network_id": int(network) if network.isdigit() else (network or None)}

    async def create() -> None:
        data = UserCreate.model_validate(values)
        await accounts.create_user(db_session, actor, **data.model_dump())

    async def again(error: FormError) -> Template:
        if not error.validation:  # refused by the service, which may have entered the new admin's network
            await use_network(db_session, OPERATOR_NETWORK)
        return await _operator_page(actor, db_session, status_code=error.status_code,
                                    admin_form={**form, "password": ""}, admin_errors=error.fields,
                                    message=error.message)

    return await form_action(create, again, lambda _: redirect("/operator?done=1", request))


# --- the admin's agreements and registrations ---------------------------------------------------------


@get("/admin/network", include_in_schema=False)
async def admin_network_page(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, done: FromQuery[str | None] = None
) -> Template:
    require_role(actor, Role.admin)
    return await _admin_page(actor, db_session, settings, notice=gettext_de("admin.saved") if done else None)


async def _admin_page(actor: CurrentActor, db_session: DbSession, settings: AppSettings, *, status_code: int = 200,
                      notice: str | None = None, message: str | None = None) -> Template:
    network = await service.get_network(db_session, actor.network_id or 0)
    agreements = await service.list_agreements(db_session, actor, network.id or 0)
    names = {n.id: n.name for n in await service.all_networks(db_session)}
    pending = await service.pending_registrations(db_session, actor)
    invitation = service.invitation_token(settings, network.id or 0)
    return render(
        "networks/admin.html", actor, status_code=status_code, network=network, agreements=agreements, names=names, pending=pending,
        invitation_url=f"{settings.base_url.rstrip('/')}/register/{invitation}",
        open_url=f"{settings.base_url.rstrip('/')}/register/network/{network.id}",
        notice=notice, message=message,
        others=[n for n in names.items() if n[0] != network.id],
    )


async def _admin_action(request: Request[Any, Any, Any], action: Callable[[], Awaitable[object]], actor: Actor,
                        db_session: AsyncSession, settings: Settings) -> Response[Any]:
    """An admin's decision on the network page: the page again with the refusal, else back to it."""

    async def again(error: FormError) -> Template:
        return await _admin_page(actor, db_session, settings, status_code=error.status_code, message=error.message)

    return await form_action(action, again, lambda _: redirect("/admin/network?done=1", request))


async def _agreement_action(request: Request[Any, Any, Any], action: str, actor: Actor, db_session: AsyncSession,
                            settings: Settings, agreement_id: int | None = None) -> Response[Any]:
    require_role(actor, Role.admin)

    async def act() -> None:
        if action == "propose":
            form = await form_data(request)
            other = form.get("other_network_id", "")
            if not other.isdigit():
                raise NotFound("network.not_found", id=other)
            await service.propose_agreement(db_session, actor, actor.network_id or 0, int(other))
        elif action == "confirm":
            await service.confirm_agreement(db_session, actor, agreement_id or 0)
        else:
            await service.revoke_agreement(db_session, actor, agreement_id or 0)

    return await _admin_action(request, act, actor, db_session, settings)


@post("/admin/agreements", include_in_schema=False)
async def propose_agreement(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
                            settings: AppSettings) -> Response[Any]:
    return await _agreement_action(request, "propose", actor, db_session, settings)


@post("/admin/agreements/{agreement_id:int}/confirm", include_in_schema=False)
async def confirm_agreement(request: Request[Any, Any, Any], agreement_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                            settings: AppSettings) -> Response[Any]:
    return await _agreement_action(request, "confirm", actor, db_session, settings, agreement_id)


@post("/admin/agreements/{agreement_id:int}/revoke", include_in_schema=False)
async def revoke_agreement(request: Request[Any, Any, Any], agreement_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                           settings: AppSettings) -> Response[Any]:
    return await _agreement_action(request, "revoke", actor, db_session, settings, agreement_id)


@post("/admin/registrations/{user_id:int}/approve", include_in_schema=False)
async def approve_registration(request: Request[Any, Any, Any], user_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                               settings: AppSettings) -> Response[Any]:
    require_role(actor, Role.admin)
    return await _admin_action(
        request, lambda: service.approve_registration(db_session, actor, user_id), actor, db_session, settings
    )


# --- a farmer registers with a network --------------------------------------------------------------


async def _network(db_session: AsyncSession, network_id: int) -> Network:
    """The network a farmer registers with; the request's transaction works inside it from here on."""
    await use_network(db_session, network_id)
    return await service.get_network(db_session, network_id)


async def _registration_form(db_session: AsyncSession, network_id: int, *, invited: bool, action: str) -> Template:
    return render("networks/register.html", None, network=await _network(db_session, network_id),
                  form=EMPTY_REGISTRATION, errors={}, invited=invited, action=action, message=None)


async def _register(
    request: Request[Any, Any, Any], db_session: AsyncSession, network_id: int, *, invited: bool, action: str
) -> Response[Any]:
    network = await _network(db_session, network_id)
    form = await form_data(request)

    async def register() -> None:
        data = service.Registration.model_validate({k: form.get(k) or None for k in EMPTY_REGISTRATION})
        await service.register_farmer(db_session, network_id, data, approved=invited)

    def again(error: FormError) -> Template:
        return render("networks/register.html", None, status_code=error.status_code, network=network,
                      form={**form, "password": ""}, errors=error.fields, invited=invited, action=action,
                      message=error.message)

    def registered(_: None) -> Template:
        return render("networks/registered.html", None, status_code=201, network=network, invited=invited)

    return await form_action(register, again, registered)


@get("/register/{token:str}", include_in_schema=False)
async def invited_form(token: FromPath[str], db_session: DbSession, settings: AppSettings) -> Template:
    network_id = service.network_of_invitation(settings, token)
    return await _registration_form(db_session, network_id, invited=True, action=f"/register/{token}")


@post("/register/{token:str}", include_in_schema=False, exclude_from_csrf=False)
async def invited_register(request: Request[Any, Any, Any], token: FromPath[str], db_session: DbSession,
                           settings: AppSettings) -> Response[Any]:
    network_id = service.network_of_invitation(settings, token)
    return await _register(request, db_session, network_id, invited=True, action=f"/register/{token}")


@get("/register/network/{network_id:int}", include_in_schema=False)
async def open_form(network_id: FromPath[int], db_session: DbSession) -> Template:
    return await _registration_form(db_session, network_id, invited=False, action=f"/register/network/{network_id}")


@post("/register/network/{network_id:int}", include_in_schema=False)
async def open_register(request: Request[Any, Any, Any], network_id: FromPath[int], db_session: DbSession) -> Response[Any]:
    return await _register(request, db_session, network_id, invited=False, action=f"/register/network/{network_id}")


ROUTES = [operator_page, create_network, create_admin, admin_network_page, propose_agreement, confirm_agreement,
          revoke_agreement, approve_registration, invited_form, invited_register, open_form, open_register]
