"""Ready for Litestar 3: the app builds (routes, dependencies, OpenAPI schema) without Litestar
deprecation warnings, and the JSON API hangs under one router at /api/v1."""

from __future__ import annotations

import re
import warnings

from litestar import Router
from litestar.exceptions import LitestarDeprecationWarning
from sqlalchemy.ext.asyncio import async_sessionmaker

from machinery_network.api import API_PREFIX, api_router
from machinery_network.app import create_app
from machinery_network.config import Settings

# The HTML pages' handlers (web/) are being moved to explicit declarations by the web forms work;
# until that has landed their warnings are listed apart. Everything else must be clean.
WEB_PAGES_CLEAN = False


def _build(tmp_path) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LitestarDeprecationWarning)
        app = create_app(Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32), async_sessionmaker())
        assert any(path.startswith(f"{API_PREFIX}/") for path in app.openapi_schema.paths)
    return [str(w.message) for w in caught if issubclass(w.category, LitestarDeprecationWarning)]


def _is_web_page(message: str) -> bool:
    match = re.match(r"\[paths='([^']*)'", message)
    return bool(match) and not match.group(1).startswith((API_PREFIX, "/health"))


def test_the_app_builds_without_deprecation_warnings(tmp_path):
    """``_build`` records every warning (``always``); any one outside the pages fails the test, as the
    ``error`` filter would."""
    messages = _build(tmp_path)
    offending = messages if WEB_PAGES_CLEAN else [m for m in messages if not _is_web_page(m)]
    assert offending == []


def test_the_api_is_one_router_under_the_prefix(tmp_path):
    router = api_router()
    assert isinstance(router, Router) and router.path == API_PREFIX == "/api/v1"
    app = create_app(Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32), async_sessionmaker())
    api_paths = {route.path for route in app.routes if route.path.startswith(API_PREFIX)}
    assert {f"{API_PREFIX}/items", f"{API_PREFIX}/bookings", f"{API_PREFIX}/settlements"} <= api_paths
