"""Helpers shared by the HTML handlers: rendering with the actor, the redirect after a form post.
Form parsing and the form action live in ``web.forms``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request, Response
from litestar.response import Redirect, Template

from machinery_network.auth import Actor
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.injected import AppSettings, CurrentActor, DbSession, OptionalActor

# What the app injects into handlers (``injected``), here too for the pages.
__all__ = [
    "FLASH", "AppSettings", "CurrentActor", "DbSession", "OptionalActor", "form_page_url", "pop_flash", "redirect", "render",
    "time_formatter",
]


def render(template: str, actor: Actor | None, *, status_code: int = 200, **context: Any) -> Template:
    return Template(template, context={"actor": actor, **context}, status_code=status_code)


def time_formatter(settings: Settings) -> Callable[..., str]:
    """The pages' ``fmt``: an instant as text in the network's time zone (empty for none)."""
    tz = settings.tz

    def fmt(value: datetime | None, pattern: str = "%d.%m.%Y %H:%M") -> str:
        return value.astimezone(tz).strftime(pattern) if value else ""

    return fmt


FLASH = "flash"
"""Session key of the success message shown once by the next full page (``pop_flash`` in base.html)."""


def redirect(path: str, request: Request[Any, Any, Any] | None = None, *, flash: str | None = None) -> Response[Any]:
    """After a successful form post: a redirect (htmx gets HX-Redirect so the whole page changes).
    ``flash`` is the message key of the success message the next page shows."""
    if flash is not None and request is not None and "session" in request.scope:
        # Merged, not replaced: the session holds the login too.
        request.set_session({**(request.session or {}), FLASH: flash})
    if request is not None and request.headers.get("hx-request") == "true":
        return Response(content="", status_code=200, headers={"HX-Redirect": path})
    return Redirect(path, status_code=303)


@pass_context
def pop_flash(context: Context) -> str | None:
    """The pending success message in German, removed from the session (shown once)."""
    request = context.get("request")
    if request is None or "session" not in request.scope or not isinstance(request.session, dict):
        return None
    key = request.session.pop(FLASH, None)
    return gettext_de(key) if isinstance(key, str) else None


def form_page_url(request: Request[Any, Any, Any] | None) -> str | None:
    """For a page answering a form post (a refusal re-rendered in place): the address of the page the
    form was on, taken from the same-origin Referer, so app.js can put it in the address bar instead of
    the post's URL (a reload then shows the page, not a resent form). None for other answers."""
    if request is None or request.method != "POST":
        return None
    from urllib.parse import urlsplit

    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path.startswith("/") or referer.netloc != request.headers.get("host", ""):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")
