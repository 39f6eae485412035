"""Helpers shared by the HTML handlers: rendering with the actor, the redirect after a form post.
Form parsing and the form action live in ``web.forms``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import Dependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.auth import Actor
from machinery_network.config import Settings

# What the app injects into handlers, by parameter name (``app.create_app``'s ``dependencies``): a
# handler declares ``db_session: DbSession``, ``actor: CurrentActor``, ``actor_or_none: OptionalActor``,
# ``settings: AppSettings``. (Litestar 3 no longer infers dependencies from unannotated names.)
DbSession = Annotated[AsyncSession, Dependency(kind="named")]
CurrentActor = Annotated[Actor, Dependency(kind="named")]
OptionalActor = Annotated[Actor | None, Dependency(kind="named")]
AppSettings = Annotated[Settings, Dependency(kind="named")]


def render(template: str, actor: Actor | None, *, status_code: int = 200, **context: Any) -> Template:
    return Template(template, context={"actor": actor, **context}, status_code=status_code)


def redirect(path: str, request: Request[Any, Any, Any] | None = None) -> Response[Any]:
    """After a successful form post: a redirect (htmx gets HX-Redirect so the whole page changes)."""
    if request is not None and request.headers.get("hx-request") == "true":
        return Response(content="", status_code=200, headers={"HX-Redirect": path})
    return Redirect(path, status_code=303)
