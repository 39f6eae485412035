"""The Litestar application: wiring only (routes, dependencies, error mapping, sessions, CSRF).

Requests get one database session each, committed after the handler succeeded (before the response
is sent, so a failed commit still becomes an error response) and rolled back on any error.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException, NotFoundException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from machinery_network import __version__
from machinery_network.accounts import service as accounts
from machinery_network.api import API_PREFIX
from machinery_network.auth import Actor
from machinery_network.config import DEFAULT_MAP_TILES, Settings, get_settings, tile_host
from machinery_network.db import (
    OPERATOR_NETWORK,
    make_engine,
    make_sessionmaker,
    resolve_database_url,
    use_network,
)
from machinery_network.errors import DomainError, NotAuthenticated, Unavailable
from machinery_network.i18n import gettext_de, translate
from machinery_network.injected import AppSettings, DbSession, OptionalActor
from machinery_network.money import format_decimal_de, format_eur
from machinery_network.openapi import DecimalSchemaPlugin, FinalizedJsonRenderPlugin
from machinery_network.web.assets import cache_control, static_url
from machinery_network.web.nav import MENU_COUNTS_KEY, nav_items

log = logging.getLogger(__name__)
WEB_ROOT = Path(__file__).resolve().parent / "web"


# --- dependencies ----------------------------------------------------------------------------


_SESSION_KEY = "mn_db_session"


def _own(scope: Scope) -> dict[str, Any]:
    """The scope as the plain dict it is, for the app's own keys (the request's session, its actor and
    menu counts): Litestar types it as a TypedDict of the ASGI keys only."""
    return cast(dict[str, Any], scope)


async def provide_db_session(request: Request[Any, Any, Any], state: State, settings: AppSettings) -> AsyncSession:
    """The request's session; ``DbSessionMiddleware`` commits or rolls it back and closes it.

    Not a ``yield`` dependency on purpose: when a later dependency raises during resolution (a 401
    for a bad token), Litestar never runs the cleanup of earlier generator dependencies, and the
    session would be left open until the garbage collector finalised it at some random moment.

    It takes ``settings`` (unused) to keep the dependencies a chain (settings → db_session →
    actor_or_none → actor): Litestar resolves dependencies of one level concurrently in an anyio
    task group, which costs more than resolving them does (about 7 % of a booking request's CPU).
    """
    session: AsyncSession = state.sessionmaker()
    _own(request.scope)[_SESSION_KEY] = session
    return session


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
                session = _own(scope).pop(_SESSION_KEY, None)
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
            session = _own(scope).pop(_SESSION_KEY, None)
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
        status = 503 if _is_connection_error(exc) else 500
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
        _own(request.scope)[_ACTOR_KEY] = actor
        return actor
    if request.url.path.startswith(API_PREFIX):
        # The JSON API is exempt from CSRF, so it must not accept the session cookie.
        return None
    cookie = request.session if "session" in request.scope else {}
    user_id = cookie.get("uid")
    if isinstance(user_id, int):
        actor = await accounts.actor_from_session(db_session, user_id, cookie.get("epoch"))
        _own(request.scope)[_ACTOR_KEY] = actor
        if actor is not None and request.method == "GET" and request.headers.get("hx-request") != "true":
            # A whole page: its menu shows what waits for this person (read by nav_items).
            from machinery_network.dashboards.attention import menu_counts

            _own(request.scope)[MENU_COUNTS_KEY] = await menu_counts(db_session, actor, request.app.state.settings)
        return actor
    return None


async def provide_actor(actor_or_none: OptionalActor) -> Actor:
    if actor_or_none is None:
        raise NotAuthenticated()
    return actor_or_none


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


# --- error mapping ---------------------------------------------------------------------------


def _is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(API_PREFIX) or path == "/health" or not _wants_html(request)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


def _json_error(status_code: int, detail: str, extra: Any = None) -> Response[Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra is not None:
        body["extra"] = extra
    return Response(body, status_code=status_code, media_type=MediaType.JSON)


_ACTOR_KEY = "mn_actor"
"""Scope key of the actor resolved for the request, so an error page can show that person's menu."""


class _MenuOwner:
    """Who the menu of an error page belongs to when the request never resolved its actor (an unknown
    path answers before any dependency runs): name and role as the session cookie holds them. Only the
    menu is drawn from it; every page behind the menu checks the login again."""

    def __init__(self, role: str, name: str) -> None:
        self.role = role
        self.name = name


def _menu_owner(request: Request[Any, Any, Any]) -> Any:
    actor = request.scope.get(_ACTOR_KEY)
    if actor is not None:
        return actor
    backend = request.app.state.get("session_backend")
    if backend is None or request.url.path.startswith(API_PREFIX):
        return None
    try:
        keys = backend.get_cookie_keys(request)
        data = backend.load_data([request.cookies[key].encode() for key in keys]) if keys else {}
    except Exception:  # noqa: BLE001 - a damaged or foreign cookie means: no menu
        return None
    role = data.get("role")
    if not isinstance(data.get("uid"), int) or not isinstance(role, str):
        return None
    return _MenuOwner(role, str(data.get("name") or ""))


# Messages of the error pages whose exceptions carry no German text of their own.
_HTML_ERROR_KEYS = {
    400: "error.bad_request",
    403: "auth.forbidden",
    404: "not_found",
    405: "error.method",
    413: "error.too_large",
    429: "error.too_many",
    500: "error.internal",
    503: "db.unavailable",
}


def _html_error(request: Request[Any, Any, Any], status_code: int, message: str) -> Response[Any]:
    if status_code == 401:
        from litestar.response import Redirect

        return Redirect(f"/login?next={request.url.path}")
    if status_code == 413:  # the upload limit in words, not Litestar's English reason
        limit = request.app.state.settings.upload_max_bytes
        size = (f"{format_decimal_de(round(limit / 1048576, 1))} MB" if limit >= 1048576
                else f"{-(-limit // 1024)} KB")
        message = gettext_de("error.too_large", size=size)
    return Template(
        "error.html",
        context={"status_code": status_code, "message": message, "actor": _menu_owner(request)},
        status_code=status_code,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_api(request):
        extra = exc.extra if exc.extra is not None else ({"field": exc.field} if exc.field else None)
        return _json_error(exc.status_code, exc.message("en"), extra)
    return _html_error(request, exc.status_code, exc.message("de"))


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Schema validation failures are 422 (the contract's bad-input status), with the field errors."""
    if _is_api(request):
        return _json_error(422, exc.detail or "Validation failed", exc.extra)
    return _html_error(request, 422, gettext_de("validation"))


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if _is_api(request):
        return _json_error(exc.status_code, exc.detail, exc.extra or None)
    if exc.status_code == 403 and "csrf" in (exc.detail or "").lower():
        message = gettext_de("auth.csrf")
    else:  # Litestar's reasons are English: the page says it in German
        message = gettext_de(_HTML_ERROR_KEYS.get(exc.status_code, "error.bad_request"))
    return _html_error(request, exc.status_code, message)


def database_down_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database is unreachable or every pooled connection stays busy past the pool's timeout:
    503, and the pool reconnects once the database answers again."""
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated and not _is_connection_error(exc):
        return internal_error_handler(request, exc)
    log.warning("database unavailable: %s", exc)
    err = Unavailable("db.unavailable")
    if _is_api(request):
        return _json_error(503, err.message("en"))
    return _html_error(request, 503, err.message("de"))


def _is_connection_error(exc: BaseException) -> bool:
    import asyncpg

    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(
            chain,
            ConnectionError
            | OSError
            | asyncpg.exceptions.CannotConnectNowError
            | asyncpg.exceptions.ConnectionDoesNotExistError
            | asyncpg.exceptions.AdminShutdownError
            | asyncpg.exceptions.InterfaceError,
        ):
            return True
        chain = chain.__cause__ or getattr(chain, "orig", None)
        if chain is exc:
            break
    return False


def _is_bad_value(exc: BaseException) -> bool:
    """A value PostgreSQL (or asyncpg, before sending) refuses as data: an integer beyond int4 in a
    query parameter, a NUL character in text, a number out of range (SQLSTATE class 22)."""
    import asyncpg

    chain: BaseException | None = exc
    for _ in range(5):
        if chain is None:
            break
        if isinstance(chain, asyncpg.exceptions.DataError):
            return True
        chain = chain.__cause__ or getattr(chain, "orig", None)
    return False


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _is_connection_error(exc):
        return database_down_handler(request, OperationalError("", {}, exc))
    if _is_bad_value(exc):  # bad input that slipped past the schemas: 422, never a 500
        log.info("value refused by the database on %s %s: %s", request.method, request.url.path, exc)
        if _is_api(request):
            return _json_error(422, "Invalid value", {"reason": str(getattr(exc, "orig", exc)).splitlines()[0]})
        return _html_error(request, 422, gettext_de("validation"))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return _json_error(500, "Internal server error")
    return _html_error(request, 500, gettext_de("error.internal"))


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
    is Litestar's ``request_max_body_size``, a 413)."""
    await reject_out_of_range_ids(request)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and "json" in content_type and json_too_deep(await request.body()):
        raise ClientException(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", status_code=400)


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
# Static files (htmx is 52 KB) go out gzipped to browsers that accept it; other answers as they are: the
# compression is a middleware of the static files' router only.
STATIC_COMPRESSION = DefineMiddleware(
    CompressionMiddleware, config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6)
)
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


# --- routes owned by the app itself --------------------------------------------------------------


@get(["/health", f"{API_PREFIX}/health"], tags=["system"], exclude_from_csrf=True)
async def health(db_session: DbSession) -> dict[str, str]:
    await db_session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


# --- the factory -----------------------------------------------------------------------------------


def tune_gc() -> None:
    """For a served process: the long-lived heap (routes, models, metadata) leaves the collector's sight
    and young objects are collected less often. Full collections were the tail of request latency
    (figures in the README, "Benchmarks and drills")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def create_served_app() -> Litestar:
    """The app of one worker of ``serve --workers N`` (uvicorn factory): settings from the environment."""
    from machinery_network import embedded

    settings = get_settings()
    app = create_app(
        settings,
        scheduler=os.environ.get("MN_SERVE_SCHEDULER", "1") == "1",
        shutdown_hooks=[] if settings.database_url else [embedded.stop],
    )
    tune_gc()
    return app


def _template_engine(engine: JinjaTemplateEngine) -> None:
    from machinery_network.web.common import form_page_url, pop_flash

    env = engine.engine
    env.globals["_"] = gettext_de
    env.globals["pop_flash"] = pop_flash  # the success message after a form post, shown once
    env.globals["translate"] = translate
    env.globals["form_page_url"] = form_page_url  # where a refused form post's page belongs
    env.globals["nav_items"] = nav_items  # the actor's menu, the current page marked
    env.globals["static_url"] = static_url  # /static/<name>?v=<content hash>, cached for a year
    env.filters["eur"] = format_eur
    env.filters["eur_symbol"] = lambda cents: format_eur(cents, symbol=True) if cents is not None else ""
    env.filters["num"] = format_decimal_de
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}


def create_app(
    settings: Settings | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    *,
    scheduler: bool = False,
    debug: bool = False,
    shutdown_hooks: list[Callable[[], None]] | None = None,
) -> Litestar:
    """Build the application. Tests pass their own sessionmaker; ``serve`` lets it resolve the database."""
    settings = settings or get_settings()  # an entry point: the environment's settings unless given
    from machinery_network.api import api_router
    from machinery_network.web import ROUTES as WEB_ROUTES

    secret = settings.resolved_secret()
    owned_engine = None
    if sessionmaker is None:
        owned_engine = make_engine(resolve_database_url(settings), pool_size=settings.db_pool_size,
                                   role=settings.db_role)
        sessionmaker = make_sessionmaker(owned_engine)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        job_scheduler = None
        if scheduler:
            from machinery_network.scheduler import start_scheduler

            job_scheduler = await start_scheduler(sessionmaker, settings)
        outbox_worker = None
        if owned_engine is not None:  # a served process (tests drive delivery themselves)
            from machinery_network.notifications.sender import start_outbox_worker

            outbox_worker = start_outbox_worker(sessionmaker, settings)  # None without MN_SMTP_URL
        try:
            yield
        finally:
            if outbox_worker is not None:
                outbox_worker.cancel()
            if job_scheduler is not None:
                job_scheduler.shutdown(wait=False)
            if owned_engine is not None:
                await owned_engine.dispose()
            # e.g. stopping the embedded PostgreSQL: here, because uvicorn re-raises SIGTERM after
            # its graceful shutdown and atexit hooks would never run.
            for hook in shutdown_hooks or []:
                hook()

    session_key = hashlib.sha256(("session:" + secret).encode()).digest()
    session_config = CookieBackendConfig(
        secret=session_key,
        key="mn_session",
        httponly=True,
        samesite="lax",
        secure=settings.production,
        max_age=12 * 3600,
        # The JSON API takes bearer tokens only (see provide_optional_actor): no cookie work there.
        exclude=[API_PREFIX, "/health"],
    )
    csrf_secret = hashlib.sha256(("csrf:" + secret).encode()).hexdigest()

    return Litestar(
        route_handlers=[
            health,
            api_router(),
            *WEB_ROUTES,
            create_static_files_router(path="/static", directories=[WEB_ROOT / "static"], include_in_schema=False,
                                       middleware=[STATIC_COMPRESSION]),
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "actor_or_none": Provide(provide_optional_actor),
            "actor": Provide(provide_actor),
            "settings": Provide(provide_settings),
        },
        state=State({"sessionmaker": sessionmaker, "settings": settings,
                     "session_backend": ClientSideSessionBackend(config=session_config)}),
        before_request=guard_request,
        before_send=[add_security_headers],
        request_max_body_size=settings.upload_max_bytes + 1024 * 1024,
        lifespan=[lifespan],
        exception_handlers={
            DomainError: domain_error_handler,
            ValidationException: validation_error_handler,
            NotFoundException: http_error_handler,
            HTTPException: http_error_handler,
            OperationalError: database_down_handler,
            InterfaceError: database_down_handler,
            PoolTimeout: database_down_handler,
            ConnectionError: database_down_handler,
            OSError: database_down_handler,
            Exception: internal_error_handler,
        },
        middleware=[
            session_config.middleware,
            DbSessionMiddleware,
        ],
        csrf_config=CSRFConfig(
            secret=csrf_secret,
            cookie_name="mn_csrf",
            header_name="x-csrftoken",
            cookie_samesite="lax",
            cookie_secure=settings.production,
            exclude=[API_PREFIX, "/health", "/calendar"],
        ),
        template_config=TemplateConfig(
            directory=WEB_ROOT / "templates", engine=JinjaTemplateEngine, engine_callback=_template_engine
        ),
        openapi_config=OpenAPIConfig(
            title="machinery-network",
            version=__version__,
            path="/schema",
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", description="POST /api/v1/auth/token")
                }
            ),
            security=[{"BearerToken": []}],
            render_plugins=[FinalizedJsonRenderPlugin(), ScalarRenderPlugin()],
        ),
        plugins=[DecimalSchemaPlugin()],
        debug=debug,
    )
