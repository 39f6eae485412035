"""The HTML handlers declare what Litestar 3 no longer infers: injected values, path and query parameters."""

from __future__ import annotations

import warnings

from litestar.exceptions import LitestarDeprecationWarning

from machinery_network.app import create_app
from machinery_network.config import Settings
from machinery_network.web.routes import ROUTES


def test_web_handlers_raise_no_litestar_deprecation_warning(tmp_path):
    settings = Settings(DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none", MN_DATA_DIR=tmp_path,
                        MN_SECRET_KEY="warning-check")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LitestarDeprecationWarning)
        create_app(settings)
    messages = [str(w.message) for w in caught if issubclass(w.category, LitestarDeprecationWarning)]
    web = [
        message for message in messages
        for handler in ROUTES
        for path in handler.paths
        # "dependencies=…" names the app's providers on the way to the handler, not the handler
        if f"handler='{handler.handler_name}'" in message and f"'{path}'" in message
        and "dependencies=" not in message
    ]
    assert web == []
