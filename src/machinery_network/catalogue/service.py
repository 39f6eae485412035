"""Use cases of the catalogue: items offered at cost price by a municipality's building yard."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.schemas import ItemCreate, ItemUpdate
from machinery_network.errors import NotFound
from machinery_network.schemas import apply_changes


async def create_item(session: AsyncSession, actor: Actor, data: ItemCreate) -> Item:
    require_for_municipality(actor, data.municipality_id, Role.yard_head)
    await get_municipality(session, data.municipality_id)
    item = Item(**data.model_dump())
    session.add(item)
    await session.flush()
    return item


async def update_item(session: AsyncSession, actor: Actor, item_id: int, data: ItemUpdate) -> Item:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    apply_changes(item, data.model_dump(exclude_unset=True), clearable=("operator_rate_cents", "description"))
    await session.flush()
    return item


async def get_item(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFound("item.not_found", id=item_id)
    return item


async def list_items(
    session: AsyncSession,
    *,
    municipality_id: int | None = None,
    kind: str | None = None,
    query: str | None = None,
    include_inactive: bool = False,
) -> list[Item]:
    stmt = select(Item).order_by(Item.municipality_id, Item.name, Item.id)
    if municipality_id is not None:
        stmt = stmt.where(Item.municipality_id == municipality_id)
    if kind:
        stmt = stmt.where(Item.kind == kind)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Item.name.ilike(pattern), Item.description.ilike(pattern)))
    if not include_inactive:
        stmt = stmt.where(Item.active)
    return list(await session.scalars(stmt))
