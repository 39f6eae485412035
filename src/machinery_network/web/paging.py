"""The HTML side of paging: the links under a list ("Weitere Einträge", "Zum Anfang der Liste"), and the
controls of a list that can grow (search box, sortable column headers, page size: ``ListView``).

Pages take the same ``limit``, ``cursor``, ``sort`` and ``q`` query parameters as the API
(``machinery_network.paging``); the link to the next page keeps every filter of the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request

from machinery_network.errors import Invalid
from machinery_network.paging import Page, PageRequest, Sort, Sorts

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


# --- search, sort and page size of a list ------------------------------------------------------------

PAGE_SIZES = (25, 50, 100)
"""The page sizes a list offers (``limit``); any other from 1 to ``MAX_HTML_LIMIT`` is taken too."""
MAX_HTML_LIMIT = 100


def html_limit(value: str | None, default: int) -> int:
    """The page size of an HTML list: ``default`` unless ``limit`` names one (1 to ``MAX_HTML_LIMIT``, else
    422 naming ``limit``)."""
    if value is None or not value.strip():
        return default
    try:
        limit = int(value.strip())
    except ValueError as exc:
        raise Invalid("page.limit", field="limit", max=MAX_HTML_LIMIT) from exc
    if not 1 <= limit <= MAX_HTML_LIMIT:
        raise Invalid("page.limit", field="limit", max=MAX_HTML_LIMIT)
    return limit


@dataclass(frozen=True, slots=True)
class ListView:
    """An HTML list's search (``q``), order (``sort``) and page size (``limit``), read from the page's query
    and kept in every link: a sort link keeps the search, the page size and every filter and starts again
    at the first page; the pager's links keep all of them (the cursor belongs to the order)."""

    path: str
    query: tuple[tuple[str, str], ...]
    q: str
    sorts: Sorts
    sort: Sort
    limit: int
    page: PageRequest

    @property
    def search(self) -> str | None:
        """The search term for the query (``None`` when blank)."""
        return self.q.strip() or None

    @property
    def sizes(self) -> list[int]:
        return sorted({*PAGE_SIZES, self.limit})

    @property
    def sort_names(self) -> list[str]:
        """Every order of the list: the special ones, then each column ascending and descending (the
        options of the sort choice)."""
        return [*self.sorts.special, *(name for column in self.sorts.columns for name in (column, f"-{column}"))]

    def _url(self, params: list[tuple[str, str]]) -> str:
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def sort_url(self, column: str) -> str:
        """The link of a column header: by that column ascending; descending when it is the order now."""
        target = f"-{column}" if self.sort.name == column else column
        params = [(k, v) for k, v in self.query if k not in ("sort", "cursor")]
        if target != self.sorts.default:
            params.append(("sort", target))
        return self._url(params)

    def aria_sort(self, column: str) -> str | None:
        """``aria-sort`` of a column header: only the column the list is sorted by has one."""
        if self.sort.column != column:
            return None
        return "descending" if self.sort.descending else "ascending"


def list_view(
    request: Request[Any, Any, Any] | None, sorts: Sorts, *, path: str, default_limit: int
) -> ListView:
    """The list's controls from the page's query. ``request`` is ``None`` for a list re-rendered under a
    refused form post: then its first page in the default order."""
    params: list[tuple[str, str]] = list(request.query_params.multi_items()) if request is not None else []
    values = dict(params)
    sort = sorts.choose(values.get("sort"))
    limit = html_limit(values.get("limit"), default_limit)
    page = sort.page(limit, values.get("cursor"))
    query = tuple((k, v) for k, v in params if k != "cursor")
    return ListView(path, query, values.get("q", ""), sorts, sort, limit, page)
