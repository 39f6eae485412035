"""Login, logout and the start page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from machinery_network.accounts import service
from machinery_network.accounts.models import Role
from machinery_network.api.accounts import client_address
from machinery_network.errors import DomainError
from machinery_network.web.common import DbSession, OptionalActor, render
from machinery_network.web.forms import form_data

HOME_BY_ROLE: dict[str, str] = {
    Role.farmer: "/",
    Role.yard_head: "/manage/bookings",
    Role.finance: "/finance/settlements",
    Role.admin: "/admin",
}


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@get("/login", include_in_schema=False)
async def login_page(
    actor_or_none: OptionalActor, next: FromQuery[str | None] = None, reset: FromQuery[str | None] = None
) -> Template:
    return render("login.html", actor_or_none, next=_safe_next(next) or "", email="", error=None, reset=bool(reset))


@post("/login", include_in_schema=False)
async def login(request: Request[Any, Any, Any], db_session: DbSession) -> Template | Redirect:
    form = await form_data(request)
    email, password = form.get("email", ""), form.get("password", "")
    next_path = _safe_next(form.get("next"))
    try:
        user = await service.authenticate(db_session, email, password, client_address(request))
    except DomainError as exc:  # not ``form_action``: here a 401 (wrong password) is the form's answer
        return render(
            "login.html", None, status_code=exc.status_code, email=email, next=next_path or "",
            error=exc.message("de"),
        )
    # A fresh session on login (no fixation): the old content is dropped, a new cookie is issued.
    request.clear_session()
    request.set_session({"uid": user.id, "epoch": user.session_epoch, "role": user.role, "name": user.name})
    if user.password_change_required:  # an administrator chose it: the user's own first
        return Redirect("/profile/password", status_code=303)
    return Redirect(next_path or HOME_BY_ROLE.get(user.role, "/"), status_code=303)


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any], actor_or_none: OptionalActor, db_session: DbSession) -> Redirect:
    if actor_or_none is not None and actor_or_none.id is not None:
        await service.end_sessions(db_session, actor_or_none.id)
    request.clear_session()
    return Redirect("/login", status_code=303)


ROUTES = [login_page, login, logout]
