"""Every route of the app in one list: the health check (owned by the app itself), the JSON API under
its prefix, the HTML pages and the static files.
"""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.config.compression import CompressionConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from sqlalchemy import text

from machinery_network import __version__
from machinery_network.api import API_PREFIX
from machinery_network.injected import DbSession

WEB_ROOT = Path(__file__).resolve().parent / "web"
"""The HTML front end's files: ``templates/`` and ``static/``."""

# Static files (htmx is 52 KB) go out gzipped to browsers that accept it; other answers as they are: the
# compression is a middleware of the static files' router only.
STATIC_COMPRESSION = DefineMiddleware(
    CompressionMiddleware, config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6)
)


@get(["/health", f"{API_PREFIX}/health"], tags=["system"], exclude_from_csrf=True)
async def health(db_session: DbSession) -> dict[str, str]:
    await db_session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


def route_handlers() -> list[ControllerRouterHandler]:
    """The app's routes; the API's router is made anew for each app."""
    from machinery_network.api import api_router
    from machinery_network.web.routes import ROUTES as WEB_ROUTES

    return [
        health,
        api_router(),
        *WEB_ROUTES,
        create_static_files_router(path="/static", directories=[WEB_ROOT / "static"], include_in_schema=False,
                                   middleware=[STATIC_COMPRESSION]),
    ]
