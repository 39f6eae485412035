"""Blocks: the building yard's maintenance or own use of an item, occupying it like an approved booking."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import waitlist
from machinery_network.bookings.models import Block, Occupancy
from machinery_network.bookings.queries import find_overlap, lock_item, overlap_error
from machinery_network.bookings.schemas import BlockCreate
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotFound


async def create_block(
    session: AsyncSession, actor: Actor, item_id: int, data: BlockCreate, settings: Settings
) -> Block:
    """Maintenance or own use by the building yard: 409 when an approved booking or block is in the way."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    data = data.model_copy(update={"start": data.start.astimezone(UTC), "end": data.end.astimezone(UTC)})
    if data.end <= data.start:
        raise Invalid("booking.end_before_start", field="end")
    other = await find_overlap(session, item_id, data.start, data.end)
    if other is not None:
        raise overlap_error(other, settings)
    block = Block(item_id=item_id, start_at=data.start, end_at=data.end, reason=data.reason,
                  created_by=actor.id, created_at=clock.now())
    await lock_item(session, item_id)
    try:
        async with session.begin_nested():
            session.add(block)
            await session.flush()
            session.add(Occupancy(item_id=item_id, start_at=data.start, end_at=data.end, block_id=block.id,
                                  buffer_minutes=item.buffer_minutes))
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            other = await find_overlap(session, item_id, data.start, data.end)
            if other is not None:
                raise overlap_error(other, settings) from exc
            raise Conflict("booking.overlap_gone") from exc
        raise
    return block


async def remove_block(session: AsyncSession, actor: Actor, block_id: int, settings: Settings) -> None:
    block = await session.get(Block, block_id)
    if block is None:
        raise NotFound("block.not_found", id=block_id)
    item = await get_item(session, block.item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    await session.delete(block)  # its occupancy goes with it (ON DELETE CASCADE)
    await session.flush()
    await waitlist.offer_next(session, item, settings)
