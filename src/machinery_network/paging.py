"""Keyset paging shared by every list: ``limit`` and ``cursor``, the keyset condition, the ``Link`` header.

Every list route takes ``limit`` (default 100, at most 1,000; anything else is 422 naming ``limit``) and an
opaque ``cursor`` (422 naming ``cursor`` when it is not one of ours). A list has one documented order, given
as a tuple of key columns that ends in a unique column (the id); the next page is the rows whose key tuple
comes after the last row's, written as a row comparison ``(a, b, id) > (x, y, z)`` so PostgreSQL reads it
from an index on the same columns (no ``OFFSET``: the cost of a page does not grow with its position).

The query asks for ``limit + 1`` rows; the extra row only tells whether there is a next page. The cursor is
the last row's key, JSON in base64url (typed: dates, datetimes, ints, strings, booleans, null) with a tag
naming the order it belongs to, so a cursor of another list or order is refused instead of misread.

A list that can be sorted in several ways names them in ``Sorts``: the ``sort`` query parameter chooses one
by name (``name``: ascending, ``-name``: descending; anything else is 422 naming ``sort``). Each order has
its own key columns and its own cursor tag, so a cursor always continues the order it was made in.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar, TypeVarTuple
from urllib.parse import urlencode

from sqlalchemy import Select, SQLColumnExpression, tuple_

from machinery_network.errors import Invalid

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

KeyValue = int | str | bool | date | datetime | None
T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated ``limit`` and the decoded key of the last row of the previous page (``None``: first page)."""

    limit: int = DEFAULT_LIMIT
    after: tuple[KeyValue, ...] | None = None
    order: str = ""

    def next_cursor(self, key: Sequence[KeyValue]) -> str:
        return encode_cursor(self.order, key)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None


def key_name(key: SQLColumnExpression[Any]) -> str:
    """The name a key column has in a row of the query (a mapped attribute's or a label's)."""
    name = getattr(key, "key", None)
    if not isinstance(name, str):
        raise TypeError(f"a key column without a name: {key!r}")
    return name


@dataclass(frozen=True, slots=True)
class Sort:
    """One order of a list: its name in ``sort`` (``-`` first: descending), the tag its cursors carry, and
    the key columns (all in the same direction, the last one unique)."""

    name: str
    order: str
    keys: tuple[SQLColumnExpression[Any], ...]
    descending: bool = False

    @property
    def column(self) -> str:
        """The name without its direction (what a column header sorts by)."""
        return self.name.lstrip("-")

    def page(self, limit: str | int | None, cursor: str | None) -> PageRequest:
        """The page request of this order (the cursor must be one of this order's)."""
        return page_request(limit, cursor, order=self.order, width=len(self.keys))

    def key_of(self, row: Any) -> tuple[KeyValue, ...]:
        """The key of a row that has the key columns as attributes (an ORM object, a labelled row)."""
        return tuple(getattr(row, key_name(key)) for key in self.keys)


@dataclass(frozen=True, slots=True)
class Sorts:
    """The orders a list offers, by name; ``default`` when ``sort`` is not given."""

    by_name: Mapping[str, Sort]
    default: str
    columns: tuple[str, ...] = field(default=())
    special: tuple[str, ...] = field(default=())
    """Orders that are not one column either way (the inbox's "open requests first"), offered first."""

    def choose(self, value: str | None) -> Sort:
        """The order ``value`` names (``None`` or blank: the default); 422 naming ``sort`` otherwise."""
        name = (value or "").strip() or self.default
        found = self.by_name.get(name)
        if found is None:
            raise Invalid("page.sort", field="sort", allowed=", ".join(self.by_name))
        return found


def sorts(
    list_name: str, columns: Mapping[str, Sequence[SQLColumnExpression[Any]]], *, default: str,
    tags: Mapping[str, str] | None = None, special: Sequence[Sort] = (),
) -> Sorts:
    """Each of ``columns`` ascending (its name) and descending (``-`` and its name), cursor tags
    ``<list_name>:<sort name>`` unless ``tags`` names an older one (cursors already handed out stay valid);
    ``special`` orders besides them, by their own name."""
    by_name: dict[str, Sort] = {sort.name: sort for sort in special}
    for name, keys in columns.items():
        for descending in (False, True):
            sort_name = f"-{name}" if descending else name
            tag = (tags or {}).get(sort_name, f"{list_name}:{sort_name}")
            by_name[sort_name] = Sort(sort_name, tag, tuple(keys), descending)
    if default not in by_name:
        raise ValueError(f"unknown default order {default!r}")
    return Sorts(by_name, default, tuple(columns), tuple(sort.name for sort in special))


def parse_limit(value: str | int | None) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError as exc:
        raise Invalid("page.limit", field="limit", max=MAX_LIMIT) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("page.limit", field="limit", max=MAX_LIMIT)
    return limit


def _encode_value(value: KeyValue) -> list[Any]:
    if value is None:
        return ["n", None]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def _decode_value(pair: Any) -> KeyValue:
    if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
        raise ValueError("not a key value")
    tag, raw = pair
    if tag == "n" and raw is None:
        return None
    if tag == "b" and isinstance(raw, bool):
        return raw
    if tag == "i" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if tag == "t" and isinstance(raw, str):
        parsed = datetime.fromisoformat(raw)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if tag == "d" and isinstance(raw, str):
        return date.fromisoformat(raw)
    if tag == "s" and isinstance(raw, str):
        return raw
    raise ValueError("unknown key value")


def encode_cursor(order: str, key: Sequence[KeyValue]) -> str:
    payload = json.dumps({"o": order, "k": [_encode_value(v) for v in key]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(order: str, cursor: str, width: int) -> tuple[KeyValue, ...]:
    """The key a cursor carries; 422 naming ``cursor`` when it is not a cursor of this order."""
    try:
        text = cursor.strip()
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, dict) or payload.get("o") != order:
            raise ValueError("cursor of another list")
        values = payload.get("k")
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong key width")
        return tuple(_decode_value(v) for v in values)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError) as exc:
        raise Invalid("page.cursor", field="cursor") from exc


def page_request(limit: str | int | None, cursor: str | None, *, order: str, width: int) -> PageRequest:
    """Validate the query parameters of a list route for the named order of ``width`` key columns."""
    after = decode_cursor(order, cursor, width) if cursor is not None and cursor.strip() else None
    return PageRequest(limit=parse_limit(limit), after=after, order=order)


def keyset(
    stmt: Select[*Ts], keys: Sequence[SQLColumnExpression[Any]], page: PageRequest, *, descending: bool = False
) -> Select[*Ts]:
    """``stmt`` ordered by ``keys`` (all ascending, or all descending), after the cursor, ``limit + 1`` rows."""
    if page.after is not None:
        if len(page.after) != len(keys):
            raise Invalid("page.cursor", field="cursor")
        row, after = tuple_(*keys), tuple_(*page.after)
        stmt = stmt.where(row < after if descending else row > after)
    order = [k.desc() for k in keys] if descending else list(keys)
    return stmt.order_by(*order).limit(page.limit + 1)


def finish(rows: Sequence[T], page: PageRequest, key_of: Callable[[T], Sequence[KeyValue]]) -> Page[T]:
    """Cut the look-ahead row and name the cursor of the next page when there is one."""
    if len(rows) > page.limit:
        kept = list(rows[: page.limit])
        return Page(kept, page.next_cursor(key_of(kept[-1])))
    return Page(list(rows), None)


def like_pattern(query: str) -> str:
    """A search term as an ILIKE pattern matching it anywhere (its ``%``, ``_`` and ``\\`` taken literally)."""
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_pattern(query: str | None) -> str | None:
    """The ILIKE pattern of a list's search term (``query``), None when there is none or it is blank: a list
    searches in SQL, before the limit."""
    if query is None or not query.strip():
        return None
    return like_pattern(query.strip())


def next_link(url_path: str, query: Sequence[tuple[str, str]], cursor: str | None) -> str | None:
    """The RFC 8288 ``Link`` header value of the next page: the same query with the new cursor."""
    if cursor is None:
        return None
    params = [(k, v) for k, v in query if k != "cursor"]
    params.append(("cursor", cursor))
    return f'<{url_path}?{urlencode(params)}>; rel="next"'
