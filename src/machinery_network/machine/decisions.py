"""The yard head's decisions on the approved bookings a defect took the machine from: move to another
free item of the same kind, keep waiting for the repair, or cancel; the farmer is told each time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import events
from machinery_network.bookings.models import Booking, BookingStatus, Occupancy
from machinery_network.bookings.queries import load, lock_item, occupying
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.machine.defects import MAILS
from machinery_network.machine.models import Defect, DefectAction, DefectBooking
from machinery_network.notifications.notices import tell
from machinery_network.notifications.service import format_period


@dataclass
class AffectedRow:
    defect: Defect
    booking: Booking
    item: Item
    farmer: User
    action: str | None
    alternatives: list[Item]


async def free_alternatives(session: AsyncSession, item: Item, booking: Booking) -> list[Item]:
    """Active items of the same kind and unit, other than ``item``, free for the booking's period."""
    rows = await session.scalars(
        select(Item).where(
            col(Item.id) != item.id, col(Item.kind) == item.kind, col(Item.unit) == item.unit, col(Item.active),
            ~select(col(Occupancy.id)).where(
                col(Occupancy.item_id) == col(Item.id),
                occupying(booking.start_at, booking.end_at, col(Item.buffer_minutes)),
            ).exists(),
        ).order_by(col(Item.municipality_id) != item.municipality_id, col(Item.name), col(Item.id)).limit(20)
    )
    return list(rows)


async def affected_bookings(session: AsyncSession, actor: Actor, *, open_only: bool = True) -> list[AffectedRow]:
    """The approved bookings in the way of defects of the yard head's items (undecided first)."""
    if actor.role != Role.yard_head:
        raise NotAllowed()
    stmt = (
        select(DefectBooking, Defect, Booking, Item, User)
        .join(Defect, col(Defect.id) == col(DefectBooking.defect_id))
        .join(Booking, col(Booking.id) == col(DefectBooking.booking_id))
        .join(Item, col(Item.id) == col(Defect.item_id))
        .join(User, col(User.id) == col(Booking.farmer_id))
        .where(col(Item.municipality_id) == actor.municipality_id)
        .order_by(col(DefectBooking.action).is_not(None), col(Booking.start_at), col(Booking.id))
    )
    if open_only:
        stmt = stmt.where(col(DefectBooking.action).is_(None))
    rows = []
    for link, defect, booking, item, farmer in (await session.execute(stmt)).all():
        alternatives = await free_alternatives(session, item, booking) if link.action is None else []
        rows.append(AffectedRow(defect, booking, item, farmer, link.action, alternatives))
    return rows


async def decide(
    session: AsyncSession, actor: Actor, defect_id: int, booking_id: int, action: str, settings: Settings,
    *, item_id: int | None = None,
) -> Booking:
    """Move the booking to another free item, keep it waiting for the repair, or cancel it; the farmer
    is told in each case. Once per affected booking (409 after)."""
    link = await session.get(DefectBooking, (defect_id, booking_id), with_for_update=True)
    if link is None:
        raise NotFound("machine.affected_not_found")
    booking, item = await load(session, booking_id, lock=True)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if link.action is not None:
        raise Conflict("machine.already_decided", action=link.action)
    if booking.status != BookingStatus.approved:
        raise Conflict("machine.not_approved", status=booking.status)
    now = clock.now()
    params: dict[str, str] = {}
    if action == DefectAction.moved:
        if item_id is None:
            raise Invalid("machine.move_needs_item", field="item_id")
        target = await get_item(session, item_id)
        if item_id == item.id or target.kind != item.kind or target.unit != item.unit or not target.active:
            raise Invalid("machine.move_not_same_kind", field="item_id")
        await lock_item(session, item_id)
        try:
            async with session.begin_nested():
                await session.execute(delete(Occupancy).where(col(Occupancy.booking_id) == booking.id))
                session.add(Occupancy(item_id=item_id, start_at=booking.start_at, end_at=booking.end_at,
                                      booking_id=booking.id, buffer_minutes=target.buffer_minutes))
                await session.flush()
        except IntegrityError as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                raise Conflict("machine.move_taken", item=target.name) from exc
            raise
        booking.item_id = item_id
        params["target"] = target.name
    elif action == DefectAction.cancelled:
        await session.execute(delete(Occupancy).where(col(Occupancy.booking_id) == booking.id))
        await events.record(session, booking, actor, BookingStatus.cancelled.value, "Gerät nicht einsatzbereit", at=now)
    elif action != DefectAction.kept:
        raise Invalid("machine.unknown_action", field="action")
    link.action, link.decided_by, link.decided_at = action, actor.id, now
    await session.flush()
    farmer = await session.get(User, booking.farmer_id)
    if farmer is not None:
        texts = {"item": item.name, "target": params.get("target", ""),
                 "period": format_period(booking.start_at, booking.end_at, settings.tz)}
        kind = "booking_defect_cancelled" if action == DefectAction.cancelled else f"booking_{action}"
        await tell(session, farmer, kind, f"notice.{kind}", texts, link="/bookings",
                   mail=MAILS.render(f"defect_{action}", {**texts, "name": farmer.name,
                                                          "base_url": settings.base_url.rstrip("/")}))
    await session.flush()
    return booking


