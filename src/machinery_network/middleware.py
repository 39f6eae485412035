"""What runs around every request: its database session ended (committed or rolled back), the guards
before any handler (id range, JSON nesting), and the security headers on every answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, NotFoundException
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.api.lane import LANE_ERROR
from machinery_network.config import DEFAULT_MAP_TILES, tile_host
from machinery_network.dependencies import SESSION_KEY, own
from machinery_network.errors import Unavailable
from machinery_network.http_errors import is_connection_error
from machinery_network.web.assets import cache_control

log = logging.getLogger(__name__)


# --- the request's database session ------------------------------------------------------------


class DbSessionMiddleware:
    """Ends the request's session: commit just before a 2xx/3xx response starts (so a failed commit
    still becomes an error response), roll back for any other status or an exception, always close."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_wrapper(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                session = own(scope).pop(SESSION_KEY, None)
                if session is not None:
                    failure = await _finish_session(session, commit=message["status"] < 400)
                    if failure is not None:
                        replaced = True
                        await failure(scope, receive, send)
                        return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            session = own(scope).pop(SESSION_KEY, None)
            if session is not None:  # no response was started (client gone, crash): roll back
                await _finish_session(session, commit=False)


async def _finish_session(session: AsyncSession, *, commit: bool) -> ASGIApp | None:
    """Commit or roll back, then close; on a failed commit return the error response to send instead."""
    try:
        if commit:
            await session.commit()
        else:
            await session.rollback()
        return None
    except Exception as exc:
        log.warning("committing the request's session failed: %s", exc)
        status = 503 if is_connection_error(exc) else 500
        detail = Unavailable("db.unavailable").message("en") if status == 503 else "Internal server error"
        body = json.dumps({"status_code": status, "detail": detail}).encode()

        async def failure(scope: Scope, receive: Receive, send: Send) -> None:
            start: HTTPResponseStartEvent = {
                "type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
            end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
            await send(start)
            await send(end)

        with contextlib.suppress(Exception):
            await session.rollback()
        return failure
    finally:
        with contextlib.suppress(Exception):
            await session.close()


# --- guards before any handler --------------------------------------------------------------------


_MAX_ID = 2**31 - 1  # ids are PostgreSQL integers


async def reject_out_of_range_ids(request: Request[Any, Any, Any]) -> None:
    """An integer path parameter beyond the id range names nothing: 404 (not a database error)."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 <= value <= _MAX_ID:
            raise NotFoundException()


# A JSON body nests at most this deep: GeoJSON polygons with holes need 4 levels, nothing here needs
# more than 10. Deeper bodies are refused before they are parsed (the parser recurses; 200,000 levels
# were a RecursionError, a 500).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` (JSON text) nests arrays or objects more than ``limit`` levels deep; strings are
    skipped, so brackets inside them do not count. Linear in the body's size, without recursion."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


async def guard_request(request: Request[Any, Any, Any]) -> None:
    """Before any handler: ids within range, and JSON bodies within the nesting limit (the size limit
    is Litestar's ``request_max_body_size``, a 413). A booking request that ``api.lane`` began and
    that failed there arrives with its exception, answered here as the route's own would be."""
    failure = own(request.scope).pop(LANE_ERROR, None)
    if failure is not None:
        raise failure
    await reject_out_of_range_ids(request)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and "json" in content_type and json_too_deep(await request.body()):
        raise ClientException(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", status_code=400)



# --- security headers ----------------------------------------------------------------------------


# Every HTML answer: only the app's own scripts and styles (htmx and Leaflet are served from /static), no
# framing, no MIME sniffing, no full URLs in the Referer. The one foreign host is the map's tile server
# (MN_MAP_TILES), for images only. The OpenAPI viewers under /schema load theirs from a CDN and get the
# other headers only.
def content_security_policy(tile_source: str | None) -> str:
    images = f"'self' data: {tile_source}" if tile_source else "'self' data:"
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


CONTENT_SECURITY_POLICY = content_security_policy(tile_host(DEFAULT_MAP_TILES))
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` of the app: every response (404s of unknown paths included) gets
    ``SECURITY_HEADERS``, every HTML response the CSP, static files their cache lifetime."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    headers.extend(SECURITY_HEADERS)
    if message["status"] in (200, 304):
        cache = cache_control(scope.get("path", ""), scope.get("query_string", b""))
        if cache is not None:
            headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
            headers.append((b"cache-control", cache))
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and not scope.get("path", "").startswith("/schema"):
        app = scope.get("app")
        settings = getattr(app.state, "settings", None) if app is not None else None
        policy = content_security_policy(settings.map_tile_host) if settings is not None else CONTENT_SECURITY_POLICY
        headers.append((b"content-security-policy", policy.encode()))
    message["headers"] = headers
