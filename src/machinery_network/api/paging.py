"""The JSON side of paging: a page answered as a JSON array with the ``Link: rel="next"`` header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Request, Response

from machinery_network.paging import Page, next_link

T = TypeVar("T")


def paged_response(request: Request[Any, Any, Any], page: Page[T], public: Callable[[T], Any]) -> Response[list[Any]]:
    """The page's rows as a JSON array; ``Link`` names the next page (same path and filters, new cursor)."""
    headers: dict[str, str] = {}
    url = request.url
    link = next_link(f"{url.scheme}://{url.netloc}{url.path}", list(request.query_params.multi_items()), page.next_cursor)
    if link is not None:
        headers["Link"] = link
    return Response([public(row) for row in page.rows], headers=headers)
