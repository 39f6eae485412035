"""Helpers shared by the HTML handlers: rendering with the actor, the redirect after a form post.
Form parsing and the form action live in ``web.forms``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Redirect, Template

from machinery_network.auth import Actor


def render(template: str, actor: Actor | None, *, status_code: int = 200, **context: Any) -> Template:
    return Template(template, context={"actor": actor, **context}, status_code=status_code)


def redirect(path: str, request: Request[Any, Any, Any] | None = None) -> Response[Any]:
    """After a successful form post: a redirect (htmx gets HX-Redirect so the whole page changes)."""
    if request is not None and request.headers.get("hx-request") == "true":
        return Response(content="", status_code=200, headers={"HX-Redirect": path})
    return Redirect(path, status_code=303)
