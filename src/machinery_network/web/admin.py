"""The network administrator's page: municipalities and users (the same services as the JSON API)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts import service
from machinery_network.accounts.models import Role
from machinery_network.api.accounts import MunicipalityCreate, UserCreate
from machinery_network.auth import Actor, require_role
from machinery_network.i18n import gettext_de
from machinery_network.web.common import CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import form_action, form_data
from machinery_network.web.paging import HTML_LIMIT, list_view, pager

EMPTY_MUNICIPALITY = {"name": "", "iban": "", "bic": "", "creditor_id": "", "address": ""}
EMPTY_USER = {"email": "", "password": "", "name": "", "role": "farmer", "municipality_id": "", "iban": ""}


async def _page(
    actor: Actor, db_session: AsyncSession, *, status_code: int = 200, notice: str | None = None,
    municipality_form: dict[str, str] | None = None, municipality_errors: dict[str, str] | None = None,
    user_form: dict[str, str] | None = None, user_errors: dict[str, str] | None = None, message: str | None = None,
    request: Request[Any, Any, Any] | None = None,
) -> Template:
    """The admin page; its users list is searchable (``q``), sortable by name or e-mail (``sort``) and paged
    (``limit``, ``HTML_LIMIT`` by default)."""
    municipalities = await service.list_municipalities(db_session)
    view = list_view(request, service.USER_SORTS, path="/admin", default_limit=HTML_LIMIT)
    users = await service.page_users(db_session, actor, view.page, query=view.search, sort=view.sort)
    return render(
        "admin/index.html", actor, status_code=status_code, municipalities=municipalities, users=users.rows,
        view=view, pager=pager(request, users, path="/admin") if request is not None else None,
        names={m.id: m.name for m in municipalities}, roles=[r for r in Role if r != Role.operator], notice=notice,
        message=message,
        municipality_form=municipality_form or EMPTY_MUNICIPALITY, municipality_errors=municipality_errors or {},
        user_form=user_form or EMPTY_USER, user_errors=user_errors or {},
    )


@get("/admin", include_in_schema=False)
async def admin_page(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, done: FromQuery[str | None] = None,
) -> Template:
    require_role(actor, Role.admin)
    notice = gettext_de("admin.saved") if done else None
    return await _page(actor, db_session, notice=notice, request=request)


@post("/admin/municipalities", include_in_schema=False)
async def create_municipality(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    require_role(actor, Role.admin)
    form = await form_data(request)
    values = {key: form.get(key) or None for key in EMPTY_MUNICIPALITY}

    async def create() -> None:
        data = MunicipalityCreate.model_validate({**values, "name": form.get("name", "")})
        await service.create_municipality(db_session, actor, **data.model_dump())

    return await form_action(
        create,
        lambda error: _page(actor, db_session, status_code=error.status_code, municipality_form=form,
                            municipality_errors=error.fields, message=error.message),
        lambda _: redirect("/admin?done=1", request),
    )


@post("/admin/users", include_in_schema=False)
async def create_user(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    require_role(actor, Role.admin)
    form = await form_data(request)
    municipality = form.get("municipality_id") or None
    values = {
        "email": form.get("email", ""), "password": form.get("password", ""), "name": form.get("name", ""),
        "role": form.get("role", ""), "iban": form.get("iban") or None,
        "municipality_id": int(municipality) if municipality and municipality.isdigit() else municipality,
    }

    async def create() -> None:
        data = UserCreate.model_validate(values)
        await service.create_user(db_session, actor, **data.model_dump())

    return await form_action(
        create,
        lambda error: _page(actor, db_session, status_code=error.status_code, user_form={**form, "password": ""},
                            user_errors=error.fields, message=error.message),
        lambda _: redirect("/admin?done=1", request),
    )


ROUTES = [admin_page, create_municipality, create_user]
