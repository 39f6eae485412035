"""Use cases of the catalogue: items offered at cost price by a municipality's building yard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts import datev_settings
from machinery_network.accounts.models import Municipality, Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.rules import RULES
from machinery_network.catalogue.models import Item, ItemRate
from machinery_network.catalogue.schemas import ItemCreate, ItemUpdate
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, like_pattern, sorts
from machinery_network.schemas import apply_changes

RATE_FIELDS = ("rate_cents", "operator_rate_cents", "vat_percent")


def _record_rates(session: AsyncSession, item: Item, actor: Actor, valid_from: date) -> None:
    session.add(ItemRate(item_id=row_id(item), valid_from=valid_from, rate_cents=item.rate_cents,
                         operator_rate_cents=item.operator_rate_cents, vat_percent=item.vat_percent,
                         created_by=actor.id, created_at=clock.now()))


def _check_vat_rate(vat_percent: Decimal | None, settings: Settings) -> None:
    """422 unless the rate is one of the network's VAT rates (``MN_VAT_RATES``), each of which every
    export can map to its account."""
    if vat_percent is not None and vat_percent not in settings.vat_rates:
        raise Invalid("catalogue.vat_not_a_network_rate", field="vat_percent",
                      rates=", ".join(f"{rate.normalize():f}" for rate in settings.vat_rates))


def _check_datev_account(municipality: Municipality, vat_percent: Decimal) -> None:
    """422 unless the municipality's DATEV settings book this VAT rate somewhere (0, 7 and 19 % have
    automatic accounts; another configured rate needs its account first), so that every month's DATEV
    export can always be produced."""
    if datev_settings.effective(municipality).revenue_for(vat_percent) is None:
        raise Invalid("catalogue.vat_without_datev_account", field="vat_percent",
                      rate=datev_settings.rate_key(vat_percent))


async def create_item(session: AsyncSession, actor: Actor, data: ItemCreate, settings: Settings) -> Item:
    _check_vat_rate(data.vat_percent, settings)  # bad input first, as the schema's checks
    require_for_municipality(actor, data.municipality_id, Role.yard_head)
    _check_datev_account(await get_municipality(session, data.municipality_id), data.vat_percent)
    item = Item(**data.model_dump())
    session.add(item)
    await session.flush()
    _record_rates(session, item, actor, clock.today(settings.tz))
    await session.flush()
    return item


async def update_item(
    session: AsyncSession, actor: Actor, item_id: int, data: ItemUpdate, settings: Settings
) -> Item:
    """A change of the rates is kept in the item's rate history with its ``valid_from`` day (today
    unless given; a past day only documents when it was agreed, approved bookings keep theirs)."""
    _check_vat_rate(data.vat_percent, settings)  # bad input first, as the schema's checks
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    changes = data.model_dump(exclude_unset=True)
    valid_from = changes.pop("valid_from", None)
    before = tuple(getattr(item, field) for field in RATE_FIELDS)
    apply_changes(item, changes, clearable=("operator_rate_cents", "description", "max_quantity",
                                            "max_operator_hours", "fuel_surcharge_cents",
                                            "cleaning_surcharge_cents", *RULES))
    if item.vat_percent != before[RATE_FIELDS.index("vat_percent")]:
        _check_datev_account(await get_municipality(session, item.municipality_id), item.vat_percent)
    if tuple(getattr(item, field) for field in RATE_FIELDS) != before or valid_from is not None:
        today = clock.today(settings.tz)  # the local day, as the costing service sees it
        valid_from = valid_from or today
        if valid_from > today:
            raise Invalid("item.valid_from_future", field="valid_from")
        last = await session.scalar(
            select(col(ItemRate.valid_from)).where(col(ItemRate.item_id) == item.id)
            .order_by(col(ItemRate.valid_from).desc(), col(ItemRate.id).desc()).limit(1)
        )
        if last is not None and valid_from < last:
            raise Invalid("item.valid_from_before_last", field="valid_from", last=last.isoformat())
        _record_rates(session, item, actor, valid_from)
    try:
        async with session.begin_nested():
            # A new buffer cascades to the item's occupancies (migration 0009); the exclusion
            # constraint refuses it when two of them would lie closer than that.
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            raise Conflict("item.buffer_conflict", field="buffer_minutes") from exc
        raise
    return item


async def rate_history(session: AsyncSession, item_id: int) -> list[ItemRate]:
    """The item's rates, oldest first."""
    await get_item(session, item_id)
    return list(await session.scalars(
        select(ItemRate).where(col(ItemRate.item_id) == item_id).order_by(col(ItemRate.valid_from), col(ItemRate.id))
    ))


async def get_item(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFound("item.not_found", id=item_id)
    return item


def _items_where(
    stmt: Select[Item], municipality_id: int | None, kind: str | None, query: str | None, include_inactive: bool
) -> Select[Item]:
    """The catalogue's filters, applied in SQL before any limit (the search through the trigram indexes)."""
    if municipality_id is not None:
        stmt = stmt.where(col(Item.municipality_id) == municipality_id)
    if kind:
        stmt = stmt.where(col(Item.kind) == kind)
    if query:
        # The matches first (trigram indexes, materialized), then ordered and limited: otherwise the planner,
        # which cannot estimate how rare '%…%' is, may walk the whole catalogue in list order instead.
        pattern = like_pattern(query)
        matches = (
            select(col(Item.id)).where(or_(col(Item.name).ilike(pattern), col(Item.description).ilike(pattern)))
            .cte("matches").prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(matches, matches.c.id == col(Item.id))
    if not include_inactive:
        stmt = stmt.where(col(Item.active))
    return stmt


async def list_items(
    session: AsyncSession,
    *,
    municipality_id: int | None = None,
    kind: str | None = None,
    query: str | None = None,
    include_inactive: bool = False,
) -> list[Item]:
    stmt = _items_where(select(Item), municipality_id, kind, query, include_inactive)
    return list(await session.scalars(stmt.order_by(*ITEM_KEYS)))


ITEM_ORDER = "items:municipality,name,id"
ITEM_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(Item.municipality_id), col(Item.name), col(Item.id))
_COLUMNS: dict[str, tuple[SQLColumnExpression[Any], ...]] = {
    "name": (col(Item.name), col(Item.id)), "rate": (col(Item.rate_cents), col(Item.id)),
}
ITEM_SORTS = sorts("items", _COLUMNS, default="municipality",
                   special=[Sort("municipality", ITEM_ORDER, ITEM_KEYS)])
"""The catalogue's orders (``sort``): by municipality, then name (the default), or by name or rate either
way: the indexes ``ix_items_listing`` (municipality_id, name, id), ``ix_items_active_name`` and
``ix_items_active_rate`` (active items), ``ix_items_municipality_rate`` (one municipality's)."""
MANAGED_ITEM_SORTS = sorts("items-of-municipality", _COLUMNS, default="name")
"""A yard head's items (one municipality): by name (the default) or rate, either way."""


async def page_items(
    session: AsyncSession,
    page: PageRequest,
    *,
    municipality_id: int | None = None,
    kind: str | None = None,
    query: str | None = None,
    include_inactive: bool = False,
    sort: Sort | None = None,
) -> Page[Item]:
    """One page of the catalogue in the order ``sort`` (default: by municipality, name, id)."""
    sort = sort or ITEM_SORTS.choose(None)
    stmt = keyset(_items_where(select(Item), municipality_id, kind, query, include_inactive), sort.keys, page,
                  descending=sort.descending)
    rows = list(await session.scalars(stmt))
    return finish(rows, page, sort.key_of)
