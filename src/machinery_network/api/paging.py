"""The JSON side of paging: a list route's ``limit`` and ``cursor`` (the ``paging`` dependency, one
declaration for every list route), and a page answered as a JSON array with the ``Link: rel="next"``
header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromQuery

from machinery_network.injected import CurrentActor
from machinery_network.paging import Page, PageRequest, next_link, page_request

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageQuery:
    """The page a list request asks for, as sent; ``page`` reads it for the route's order (422 when
    ``limit`` or ``cursor`` does not fit)."""

    limit: str | None
    cursor: str | None

    def page(self, *, order: str, width: int) -> PageRequest:
        return page_request(self.limit, self.cursor, order=order, width=width)


async def provide_paging(
    actor: CurrentActor, limit: FromQuery[str | None] = None, cursor: FromQuery[str | None] = None
) -> PageQuery:
    """The ``paging`` dependency of the API's list routes. It takes ``actor`` (unused; every list needs a
    signed-in actor anyway) to keep the dependencies one chain, as ``dependencies.provide_db_session`` explains."""
    return PageQuery(limit, cursor)


Paging: TypeAlias = NamedDependency[PageQuery]
"""A list route declares ``paging: Paging``."""


def paged_response(request: Request[Any, Any, Any], page: Page[T], public: Callable[[T], Any]) -> Response[list[Any]]:
    """The page's rows as a JSON array; ``Link`` names the next page (same path and filters, new cursor)."""
    headers: dict[str, str] = {}
    url = request.url
    link = next_link(f"{url.scheme}://{url.netloc}{url.path}", list(request.query_params.multi_items()), page.next_cursor)
    if link is not None:
        headers["Link"] = link
    return Response([public(row) for row in page.rows], headers=headers)
