"""The Litestar application: the factory that wires the parts together.

Each part has its module: what handlers get injected (``dependencies``), what runs around every request
(``middleware``: the request's database session, guards, security headers), how errors become answers
(``http_errors``), the process's start and stop (``lifespan``) and the list of routes (``routes``).
Requests get one database session each, committed after the handler succeeded (before the response is
sent, so a failed commit still becomes an error response) and rolled back on any error.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from machinery_network import __version__
from machinery_network.api import API_PREFIX
from machinery_network.api.lane import BookingLane
from machinery_network.config import Settings, get_settings
from machinery_network.db import make_engine, make_sessionmaker, resolve_database_url
from machinery_network.dependencies import providers
from machinery_network.http_errors import EXCEPTION_HANDLERS
from machinery_network.i18n import gettext_de, translate
from machinery_network.lifespan import app_lifespan, tune_gc
from machinery_network.middleware import (
    DbSessionMiddleware,
    add_security_headers,
    guard_request,
    json_too_deep,
)
from machinery_network.money import format_decimal_de, format_eur
from machinery_network.openapi import DecimalSchemaPlugin, FinalizedJsonRenderPlugin
from machinery_network.routes import WEB_ROOT, route_handlers
from machinery_network.web.assets import static_url
from machinery_network.web.nav import nav_items


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
    secret = settings.resolved_secret()
    owned_engine = None
    if sessionmaker is None:
        owned_engine = make_engine(resolve_database_url(settings), pool_size=settings.db_pool_size,
                                   role=settings.db_role)
        sessionmaker = make_sessionmaker(owned_engine)

    session_key = hashlib.sha256(("session:" + secret).encode()).digest()
    session_config = CookieBackendConfig(
        secret=session_key,
        key="mn_session",
        httponly=True,
        samesite="lax",
        secure=settings.production,
        max_age=12 * 3600,
        # The JSON API takes bearer tokens only (see dependencies.provide_optional_actor): no cookie work there.
        exclude=[API_PREFIX, "/health"],
    )
    csrf_secret = hashlib.sha256(("csrf:" + secret).encode()).hexdigest()

    app = Litestar(
        route_handlers=route_handlers(),
        dependencies=providers(),
        state=State({"sessionmaker": sessionmaker, "settings": settings,
                     "session_backend": ClientSideSessionBackend(config=session_config)}),
        before_request=guard_request,
        before_send=[add_security_headers],
        request_max_body_size=settings.upload_max_bytes + 1024 * 1024,  # the lane's max_body too
        lifespan=[app_lifespan(sessionmaker, settings, scheduler=scheduler, owned_engine=owned_engine,
                               shutdown_hooks=shutdown_hooks)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
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
    # The busiest route's ordinary case is served in front of the app's routing, on the engine's pool
    # (``api.lane``); every other answer of that route still comes from the app. Installed inside
    # ``Litestar.__call__``, so its answers get the ``before_send`` headers like every other.
    engine = owned_engine or _engine_of(sessionmaker)
    if engine is not None:
        app.asgi_handler = BookingLane(app.asgi_handler, engine, settings,
                                       max_body=settings.upload_max_bytes + 1024 * 1024, too_deep=json_too_deep)
    return app


def _engine_of(sessionmaker: object) -> AsyncEngine | None:
    """The engine a given sessionmaker's sessions check their connections out of; ``None`` when they are
    bound to one connection (a test's outer transaction), which the lane could not share, or when a test
    passed a plain function."""
    bind = getattr(sessionmaker, "kw", {}).get("bind")
    return bind if isinstance(bind, AsyncEngine) else None
