"""The HTML side of paging: the links under a list ("Weitere Einträge", "Zum Anfang der Liste").

Pages take the same ``limit`` and ``cursor`` query parameters as the API (``machinery_network.paging``);
the link to the next page keeps every filter of the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request

from machinery_network.paging import Page

HTML_LIMIT = 50
"""Rows per HTML page (a farmer scrolls on a phone; the API's default is 100)."""


@dataclass(frozen=True, slots=True)
class Pager:
    next_url: str | None
    first_url: str | None  # set on every page after the first


def pager(request: Request[Any, Any, Any], page: Page[Any], *, path: str | None = None) -> Pager:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    target = path or request.url.path
    first = f"{target}?{urlencode(query)}" if query else target
    later = bool(request.query_params.get("cursor"))
    if page.next_cursor is None:
        return Pager(None, first if later else None)
    return Pager(f"{target}?{urlencode([*query, ('cursor', page.next_cursor)])}", first if later else None)
