"""Ready for Litestar 3: the app builds (routes, dependencies, OpenAPI schema) with Litestar's
deprecation warnings as errors, and the JSON API hangs under one router at /api/v1."""

from __future__ import annotations

import warnings

from litestar import Router
from litestar.exceptions import LitestarDeprecationWarning, LitestarWarning
from sqlalchemy.ext.asyncio import async_sessionmaker

from machinery_network.api import API_PREFIX, api_router
from machinery_network.app import create_app
from machinery_network.config import Settings


def test_the_app_builds_with_deprecation_warnings_as_errors(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", LitestarDeprecationWarning)
        warnings.simplefilter("error", LitestarWarning)  # e.g. a middleware excluded from every path
        app = create_app(Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32), async_sessionmaker())
        schema = app.openapi_schema
    assert any(path.startswith(f"{API_PREFIX}/") for path in schema.paths)
    assert any(route.path == "/login" for route in app.routes)  # the pages are part of the build


def test_the_api_is_one_router_under_the_prefix(tmp_path):
    router = api_router()
    assert isinstance(router, Router) and router.path == API_PREFIX == "/api/v1"
    app = create_app(Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32), async_sessionmaker())
    api_paths = {route.path for route in app.routes if route.path.startswith(API_PREFIX)}
    assert {f"{API_PREFIX}/items", f"{API_PREFIX}/bookings", f"{API_PREFIX}/settlements"} <= api_paths
