"""A defect and the repair that ends it.

A defect "not usable" puts the item out of service from now on: a block until the year 2199 whose
occupancy keeps every approval away (the exclusion constraint). The approved bookings in its way
lose their occupancy (kept as ``defect_bookings``; the yard head decides in ``decisions``: move,
keep, cancel) and their farmers are told. A repair ends the block at its time and gives the kept
bookings and the yard's own blocks their occupancy back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.models import Block, Booking, BookingStatus, Occupancy
from machinery_network.bookings.queries import lock_item, occupying
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.machine.models import Defect, DefectBooking, Repair
from machinery_network.machine.schemas import RepairInput
from machinery_network.notifications.notices import declare, tell
from machinery_network.notifications.service import MailTemplates, format_period

MAILS = MailTemplates("machinery_network.machine")
# Notices to farmers whose approved booking is hit by a defect (booking category): the defect, and the
# booking moved to another item, kept, or cancelled.
declare("booking", "booking_defect", "booking_moved", "booking_kept", "booking_defect_cancelled")
# "Until repaired": the latest end the period CHECKs allow (migration 0008: before 2200).
OUT_OF_SERVICE_END = datetime(2199, 12, 31, tzinfo=UTC)


async def report_defect(
    session: AsyncSession, actor: Actor, item: Item, description: str, *, usable: bool,
    booking: Booking | None, settings: Settings,
) -> tuple[Defect, list[int]]:
    """Record a defect; "not usable" blocks the item from now until a repair and tells every farmer
    with an approved booking in the way. Answers the defect and the affected bookings' ids."""
    assert item.id is not None
    now = clock.now()
    defect = Defect(item_id=item.id, booking_id=booking.id if booking else None, description=description,
                    usable=usable, reported_by=actor.id, reported_at=now)
    session.add(defect)
    await session.flush()
    assert defect.id is not None
    if usable:
        return defect, []
    await lock_item(session, item.id)  # approvals of the item wait (they take the same lock)
    in_the_way = list(await session.scalars(
        select(Occupancy)
        .where(col(Occupancy.item_id) == item.id, occupying(now, OUT_OF_SERVICE_END, item.buffer_minutes))
        .order_by(col(Occupancy.start_at), col(Occupancy.id))
    ))
    affected: list[int] = []
    cutoff = now - timedelta(minutes=item.buffer_minutes)
    for occupancy in in_the_way:
        if booking is not None and occupancy.booking_id == booking.id and occupancy.start_at < cutoff:
            occupancy.end_at = min(occupancy.end_at, cutoff)  # the returned booking keeps its past
            continue
        if occupancy.booking_id is not None and occupancy.booking_id != (booking.id if booking else None):
            affected.append(occupancy.booking_id)
            session.add(DefectBooking(defect_id=defect.id, booking_id=occupancy.booking_id))
        # Bookings and the yard's own blocks in the way give up their occupancy for now; a repair
        # gives it back to the kept bookings and the blocks.
        await session.delete(occupancy)
    await session.flush()
    block = Block(item_id=item.id, start_at=now, end_at=OUT_OF_SERVICE_END,
                  reason=f"Schaden, nicht einsatzbereit: {description}"[:2000], created_by=actor.id, created_at=now)
    session.add(block)
    await session.flush()
    session.add(Occupancy(item_id=item.id, start_at=now, end_at=OUT_OF_SERVICE_END, block_id=block.id,
                          buffer_minutes=item.buffer_minutes))
    defect.block_id = block.id
    await session.flush()
    await _tell_affected(session, item, defect, affected, settings)
    return defect, affected


async def _tell_affected(
    session: AsyncSession, item: Item, defect: Defect, booking_ids: list[int], settings: Settings
) -> None:
    if not booking_ids:
        return
    rows = (await session.execute(
        select(Booking, User).join(User, col(User.id) == col(Booking.farmer_id)).where(col(Booking.id).in_(booking_ids))
        .order_by(col(Booking.start_at), col(Booking.id))
    )).all()
    since = defect.reported_at.astimezone(settings.tz)
    for affected, farmer in rows:
        params = {"item": item.name, "description": defect.description,
                  "period": format_period(affected.start_at, affected.end_at, settings.tz),
                  "since": f"{since:%d.%m.%Y %H:%M}"}
        await tell(session, farmer, "booking_defect", "notice.booking_defect", params, link="/bookings",
                   mail=MAILS.render("defect_affected", {**params, "name": farmer.name,
                                                         "base_url": settings.base_url.rstrip("/")}))


async def record_repair(
    session: AsyncSession, actor: Actor, item_id: int, data: RepairInput
) -> tuple[Repair, list[int]]:
    """A repair of the item: it closes the open defects and ends their blocks now; the kept
    bookings and the yard's own blocks that are still ahead occupy their periods again."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    now = clock.now()
    await lock_item(session, item_id)
    repair = Repair(item_id=item_id, description=data.description, cost_cents=data.cost_cents, repaired_at=now,
                    created_by=actor.id, created_at=now)
    session.add(repair)
    await session.flush()
    defects = list(await session.scalars(
        select(Defect).where(col(Defect.item_id) == item_id, col(Defect.repair_id).is_(None)).with_for_update()
    ))
    for defect in defects:
        defect.repair_id = repair.id
        if defect.block_id is None:
            continue
        block = await session.get(Block, defect.block_id)
        if block is None:
            continue
        if block.start_at < now:
            block.end_at = now
            await session.execute(update(Occupancy).where(col(Occupancy.block_id) == block.id).values(end_at=now))
        else:
            await session.execute(delete(Occupancy).where(col(Occupancy.block_id) == block.id))
            defect.block_id = None
            await session.delete(block)
    await session.flush()
    await _give_back(session, item, [d.id for d in defects if d.id is not None], now)
    return repair, [d.id for d in defects if d.id is not None]


async def _give_back(session: AsyncSession, item: Item, defect_ids: list[int], now: datetime) -> None:
    """Occupancies again for the undecided or kept bookings of these defects and the item's own
    blocks that lost theirs, as far as they are still ahead; one that no longer fits stays without."""
    bookings = list(await session.scalars(
        select(Booking).join(DefectBooking, col(DefectBooking.booking_id) == col(Booking.id))
        .where(col(DefectBooking.defect_id).in_(defect_ids), col(Booking.status) == BookingStatus.approved,
               col(Booking.end_at) > now, (col(DefectBooking.action).is_(None)) | (col(DefectBooking.action) == "kept"),
               ~select(col(Occupancy.id)).where(col(Occupancy.booking_id) == col(Booking.id)).exists())
    )) if defect_ids else []
    assert item.id is not None
    blocks = list(await session.scalars(
        select(Block).where(col(Block.item_id) == item.id, col(Block.end_at) > now,
                            ~select(col(Occupancy.id)).where(col(Occupancy.block_id) == col(Block.id)).exists())
    ))
    for start, end, booking_id, block_id in [
        *((b.start_at, b.end_at, b.id, None) for b in bookings), *((b.start_at, b.end_at, None, b.id) for b in blocks)
    ]:
        try:
            async with session.begin_nested():
                session.add(Occupancy(item_id=item.id, start_at=start, end_at=end, booking_id=booking_id,
                                      block_id=block_id, buffer_minutes=item.buffer_minutes))
                await session.flush()
        except IntegrityError as exc:
            if sqlstate(exc) != EXCLUSION_VIOLATION:
                raise


