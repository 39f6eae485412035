"""What every request's handlers get injected: its database session, its actor, the settings.

The providers form one chain (settings → db_session → actor_or_none → actor); the session is ended by
``middleware.DbSessionMiddleware``, which finds it under ``SESSION_KEY`` in the request's scope. The
aliases the handlers declare these with are in ``injected``.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts import service as accounts
from machinery_network.api import API_PREFIX
from machinery_network.auth import Actor
from machinery_network.config import Settings
from machinery_network.db import OPERATOR_NETWORK, use_network
from machinery_network.errors import NotAuthenticated
from machinery_network.injected import AppSettings, DbSession, OptionalActor
from machinery_network.web.nav import MENU_COUNTS_KEY

SESSION_KEY = "mn_db_session"
"""Scope key of the request's database session, ended by ``middleware.DbSessionMiddleware``."""

ACTOR_KEY = "mn_actor"
"""Scope key of the actor resolved for the request, so an error page can show that person's menu."""


def own(scope: Scope) -> dict[str, Any]:
    """The scope as the plain dict it is, for the app's own keys (the request's session, its actor and
    menu counts): Litestar types it as a TypedDict of the ASGI keys only."""
    return cast(dict[str, Any], scope)


async def provide_db_session(request: Request[Any, Any, Any], state: State, settings: AppSettings) -> AsyncSession:
    """The request's session; ``middleware.DbSessionMiddleware`` commits or rolls it back and closes it.

    Not a ``yield`` dependency on purpose: when a later dependency raises during resolution (a 401
    for a bad token), Litestar never runs the cleanup of earlier generator dependencies, and the
    session would be left open until the garbage collector finalised it at some random moment.

    It takes ``settings`` (unused) to keep the dependencies a chain (settings → db_session →
    actor_or_none → actor): Litestar resolves dependencies of one level concurrently in an anyio
    task group, which costs more than resolving them does (about 7 % of a booking request's CPU).
    """
    session: AsyncSession = state.sessionmaker()
    own(request.scope)[SESSION_KEY] = session
    return session


async def provide_optional_actor(request: Request[Any, Any, Any], db_session: DbSession) -> Actor | None:
    """The request's actor; from here on the request's transaction works inside his network
    (``db.use_network``: the one place an HTTP request's network is set)."""
    actor = await _resolve_actor(request, db_session)
    if actor is not None:
        await use_network(db_session, OPERATOR_NETWORK if actor.network_id is None else actor.network_id)
    return actor


async def _resolve_actor(request: Request[Any, Any, Any], db_session: DbSession) -> Actor | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = await accounts.actor_from_token(db_session, header[7:].strip())
        if actor is None:
            raise NotAuthenticated("auth.required")
        own(request.scope)[ACTOR_KEY] = actor
        return actor
    if request.url.path.startswith(API_PREFIX):
        # The JSON API is exempt from CSRF, so it must not accept the session cookie.
        return None
    cookie = request.session if "session" in request.scope else {}
    user_id = cookie.get("uid")
    if isinstance(user_id, int):
        actor = await accounts.actor_from_session(db_session, user_id, cookie.get("epoch"))
        own(request.scope)[ACTOR_KEY] = actor
        if actor is not None and request.method == "GET" and request.headers.get("hx-request") != "true":
            # A whole page: its menu shows what waits for this person (read by nav_items).
            from machinery_network.dashboards.attention import menu_counts

            own(request.scope)[MENU_COUNTS_KEY] = await menu_counts(db_session, actor, request.app.state.settings)
        return actor
    return None


async def provide_actor(actor_or_none: OptionalActor) -> Actor:
    if actor_or_none is None:
        raise NotAuthenticated()
    return actor_or_none


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def providers() -> dict[str, Provide]:
    """The app's dependencies under the names the handlers' parameters carry (see ``injected``)."""
    return {
        "db_session": Provide(provide_db_session),
        "actor_or_none": Provide(provide_optional_actor),
        "actor": Provide(provide_actor),
        "settings": Provide(provide_settings),
    }
