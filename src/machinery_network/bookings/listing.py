"""Paged lists of bookings (``GET /api/v1/bookings``, the yard head's inbox ``/manage/bookings``).

Orders, each a keyset over indexed columns (see ``paging``):

- ``start``: by start, then id: a farmer's own bookings, finance, admin, and every view with a ``status``
  filter. A yard head's or finance officer's list reads only the bookings of his municipality's items.
- ``inbox``: a yard head's default view (no ``status`` filter): open requests first, the oldest request
  first (by ``created_at``, then id), then the other bookings by start, then id. Nothing is cut: the
  requests are read before anything else, however many other bookings the municipality has.

``BOOKING_SORTS`` names them for the ``sort`` parameter: ``start`` and ``received`` (``created_at``), each
either way (``-`` first: descending), then id; ``open`` is the inbox order. ``q`` searches the item's and the
farmer's name in SQL, before the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, func, literal_column, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.catalogue.models import Item
from machinery_network.errors import Invalid, NotAllowed
from machinery_network.paging import (
    KeyValue,
    Page,
    PageRequest,
    Sort,
    Sorts,
    finish,
    key_name,
    keyset,
    like_pattern,
    sorts,
)

# The transaction's network and the networks lending to it (the items row-level security shows).
_OWN_NETWORK = "(SELECT mn_current_network())"
_SEEN_NETWORKS = "(SELECT array_prepend(mn_current_network(), mn_partner_networks()))::integer[]"

START_ORDER = "bookings:start,id"
OWN_ORDER = "bookings:own,start-desc,id"
INBOX_ORDER = "bookings:requested-first"
START_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(Booking.start_at), col(Booking.id))
REQUEST_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(Booking.created_at), col(Booking.id))
OPEN = Sort("open", INBOX_ORDER, (col(Booking.status), *REQUEST_KEYS))  # the cursor: (phase, key, id)
BOOKING_SORTS = sorts("bookings", {"start": START_KEYS, "received": REQUEST_KEYS}, default="start",
                      tags={"start": START_ORDER}, special=[OPEN])
INBOX_SORTS = replace(BOOKING_SORTS, default="open")
"""The yard head's inbox page without a status filter: the inbox order first."""
FILTERED_INBOX_SORTS = Sorts(
    {**{name: sort for name, sort in BOOKING_SORTS.by_name.items() if sort is not OPEN},
     "open": BOOKING_SORTS.by_name["start"]},
    default="start", columns=BOOKING_SORTS.columns,
)
"""The inbox page with a status filter: by start unless chosen otherwise (``open`` there means by start)."""


@dataclass(frozen=True, slots=True)
class ListedBooking:
    """A booking of a list with its item and farmer (what the inbox shows)."""

    booking: Booking
    item: Item
    farmer: User


def order_of(actor: Actor, status: str | None) -> tuple[str, int]:
    """The order (and cursor width) of the actor's view: the yard head's default view is the inbox."""
    sort = choose_sort(actor, status, None)
    return sort.order, len(sort.keys)


def choose_sort(actor: Actor, status: str | None, sort: str | None) -> Sort:
    """The order ``sort`` names; without one, the yard head's default view (no ``status``) is the inbox
    (``open``), every other view by start. ``open`` with a ``status`` filter is 422 naming ``sort``."""
    if sort is None or not sort.strip():
        return OPEN if actor.role == Role.yard_head and status is None else BOOKING_SORTS.choose(None)
    chosen = BOOKING_SORTS.choose(sort)
    if chosen is OPEN and status is not None:
        raise Invalid("page.sort", field="sort", allowed=", ".join(n for n in BOOKING_SORTS.by_name if n != "open"))
    return chosen


@dataclass(frozen=True, slots=True)
class _Scope:
    """Who sees which bookings: ``farmer_id`` (his own), ``municipality_id`` (its items'), or all."""

    farmer_id: int | None
    municipality_id: int | None
    item_id: int | None


def _scope(actor: Actor, item_id: int | None) -> _Scope:
    if actor.role == Role.farmer:
        return _Scope(actor.id, None, item_id)
    if actor.role in (Role.yard_head, Role.finance):
        return _Scope(None, actor.municipality_id, item_id)
    if not actor.is_admin:
        raise NotAllowed()
    return _Scope(None, None, item_id)


def _search(query: str | None) -> ColumnElement[bool] | None:
    """``query`` in the item's name or the farmer's name (the items row of the same query: in the per-item
    read it is the outer item, so an item that matches takes all its bookings; the farmers through their
    trigram index)."""
    if query is None or not query.strip():
        return None
    pattern = like_pattern(query.strip())
    farmers = select(col(User.id)).where(or_(col(User.name).ilike(pattern), col(User.email).ilike(pattern)))
    return or_(col(Item.name).ilike(pattern), col(Booking.farmer_id).in_(farmers))


async def _read(
    session: AsyncSession, scope: _Scope, conditions: list[ColumnElement[bool]],
    keys: tuple[SQLColumnExpression[Any], ...], page: PageRequest, *, descending: bool = False,
    match: ColumnElement[bool] | None = None,
) -> list[ListedBooking]:
    """``page.limit + 1`` bookings of the scope after the cursor, in ``keys`` order (``descending``: all
    keys descending); ``match`` is the search (``_search``).

    A municipality's bookings are read item by item (``LATERAL``: each item's first rows from its index on
    (item_id, key…), then merged), so the cost follows the municipality's items and the page size, never
    the bookings of the whole network, whatever the planner guesses about how the items spread; the admin's
    the same over every item his network sees (row-level security), never the other networks' bookings."""
    conditions = list(conditions)
    if scope.item_id is not None:
        conditions.append(col(Booking.item_id) == scope.item_id)
    # The admin's list (no item chosen) is read item by item too, over the items the network sees: one
    # index in start order over all bookings would walk every network's bookings before its own.
    network_wide = scope.farmer_id is None and scope.municipality_id is None and scope.item_id is None
    if scope.municipality_id is None and not network_wide:
        stmt = select(Booking)
        if scope.farmer_id is not None:
            stmt = stmt.where(col(Booking.farmer_id) == scope.farmer_id)
        if match is not None:
            stmt = stmt.join(Item, col(Item.id) == col(Booking.item_id)).where(match)
        ids = keyset(stmt.where(*conditions), keys, page, descending=descending).with_only_columns(col(Booking.id))
    else:
        if match is not None:
            conditions.append(match)
        per_item = keyset(
            select(col(Booking.id), *keys).where(col(Booking.item_id) == col(Item.id), *conditions), keys, page,
            descending=descending,
        ).lateral("per_item")
        outer_keys = tuple(per_item.c[key_name(k)] for k in keys)
        ids = select(per_item.c.id).select_from(Item).join(per_item, true())
        if scope.municipality_id is not None:
            ids = ids.where(col(Item.municipality_id) == scope.municipality_id)
        else:  # what row-level security shows, said so that an index on the items' network answers it
            ids = ids.where(col(Item.network_id) == func.any(literal_column(_SEEN_NETWORKS)),
                            or_(col(Item.network_id) == literal_column(_OWN_NETWORK), col(Item.shared)))
        ids = ids.order_by(*(k.desc() if descending else k for k in outer_keys)).limit(page.limit + 1)
    # The page's ids first (in the page's order), then their rows by primary key: the cost follows the page,
    # whatever the planner guesses about joining a page of ids to the whole table.
    chosen = list(await session.scalars(ids))
    if not chosen:
        return []
    bookings = {b.id: b for b in await session.scalars(select(Booking).where(col(Booking.id).in_(chosen)))}
    found = bookings.values()
    items = {i.id: i for i in await session.scalars(select(Item).where(col(Item.id).in_({b.item_id for b in found})))}
    farmers = {u.id: u for u in await session.scalars(select(User).where(col(User.id).in_({b.farmer_id for b in found})))}
    return [ListedBooking(b, items[b.item_id], farmers[b.farmer_id]) for b in (bookings[i] for i in chosen)]


def _sort_of(page: PageRequest) -> Sort:
    for sort in BOOKING_SORTS.by_name.values():
        if sort.order == page.order:
            return sort
    return BOOKING_SORTS.choose(None)


async def page_bookings(
    session: AsyncSession, actor: Actor, page: PageRequest, *, status: str | None = None, item_id: int | None = None,
    then: Sequence[str] | None = None, query: str | None = None,
) -> Page[ListedBooking]:
    """One page of the bookings the actor may see, in the order the page request was made for (a sort of
    ``BOOKING_SORTS``; ``choose_sort`` names the default). In the inbox order, ``then`` narrows what follows
    the open requests to those statuses (the inbox page: the approved ones); in another order without a
    ``status``, the list is the open requests and ``then``'s statuses. ``query``: see ``_search``."""
    if status is not None and status not in BookingStatus.__members__:
        raise Invalid("booking.bad_status", field="status")
    scope = _scope(actor, item_id)
    match = _search(query)
    sort = _sort_of(page)
    if sort is OPEN:
        return await _inbox(session, scope, page, then, match)
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(col(Booking.status) == status)
    elif then:
        conditions.append(col(Booking.status).in_([BookingStatus.requested, *then]))
    rows = await _read(session, scope, conditions, sort.keys, page, descending=sort.descending, match=match)
    return finish(rows, page, lambda r: sort.key_of(r.booking))


async def _inbox(
    session: AsyncSession, scope: _Scope, page: PageRequest, then: Sequence[str] | None,
    match: ColumnElement[bool] | None,
) -> Page[ListedBooking]:
    """Phase 0: open requests by (created_at, id); phase 1: the rest by (start_at, id). The cursor's first
    value names the phase of the last row shown."""
    phase = 0 if page.after is None else page.after[0]
    if phase not in (0, 1):
        raise Invalid("page.cursor", field="cursor")
    keyed: list[tuple[tuple[KeyValue, ...], ListedBooking]] = []
    if phase == 0:
        after = None if page.after is None else page.after[1:]
        sub = PageRequest(limit=page.limit, after=after, order=page.order)
        for row in await _read(session, scope, [col(Booking.status) == BookingStatus.requested], REQUEST_KEYS,
                               sub, match=match):
            keyed.append(((0, row.booking.created_at, row.booking.id), row))
    if len(keyed) <= page.limit:
        after = page.after[1:] if page.after is not None and phase == 1 else None
        rest = col(Booking.status).in_(then) if then else col(Booking.status) != BookingStatus.requested
        sub = PageRequest(limit=page.limit - len(keyed), after=after, order=page.order)
        for row in await _read(session, scope, [rest], START_KEYS, sub, match=match):
            keyed.append(((1, row.booking.start_at, row.booking.id), row))
    keys = {row.booking.id: key for key, row in keyed}
    return finish([row for _, row in keyed], page, lambda r: keys[r.booking.id])


async def page_own_bookings(session: AsyncSession, actor: Actor, page: PageRequest) -> Page[ListedBooking]:
    """A farmer's own bookings, the latest start first (then id, descending): his bookings page. Read
    backwards from the index ``ix_bookings_farmer_start`` (farmer_id, start_at, id)."""
    if actor.role != Role.farmer:
        raise NotAllowed()
    # The page's ids first, then their rows by primary key: the cost follows the page, whatever the planner
    # guesses about joining a page of ids to the whole table.
    ids = list(await session.scalars(
        keyset(select(col(Booking.id)).where(col(Booking.farmer_id) == actor.id), START_KEYS, page, descending=True)
    ))
    bookings = list(await session.scalars(
        select(Booking).where(col(Booking.id).in_(ids)).order_by(*(k.desc() for k in START_KEYS))
    ))
    items = {i.id: i for i in await session.scalars(
        select(Item).where(col(Item.id).in_({b.item_id for b in bookings})))}
    farmer = await session.get(User, actor.id)
    assert farmer is not None
    rows = [ListedBooking(b, items[b.item_id], farmer) for b in bookings]
    return finish(rows, page, lambda r: (r.booking.start_at, r.booking.id))
