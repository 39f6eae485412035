"""The waiting list (issue #18): a farmer may wait for a taken period; when it frees up, the first
waiting request that fits is offered to him and held for a while.

- ``POST /bookings {…, waitlist: true}`` over an approved booking or block writes a request with
  status ``waiting`` (201) instead of the 409.
- When a period frees up (an approved booking or an offer cancelled, a block removed, an offer
  expired), ``offer_next`` goes through the item's waiting requests in the order they came (created
  at, id) and offers each that now fits: status ``offered`` with ``offer_expires_at`` (now + the hold,
  at most the start), and an occupancy row that holds the period under the same exclusion
  constraint as an approved booking, so nobody else can take it meanwhile. The farmer is told
  (outbox).
- ``POST /bookings/{id}/accept-offer`` (the farmer, before the offer expires) makes it ``approved``
  at the item's rates of that moment; the occupancy stays.
- ``expire_offers`` (scheduler, every few minutes) marks unanswered offers ``expired``, frees their
  hold and passes the period on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.bookings import notices
from machinery_network.bookings.models import Booking, BookingEvent, BookingStatus, Occupancy
from machinery_network.bookings.queries import find_overlap, load, lock_item
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, NotAllowed

OFFER_HOLD = timedelta(hours=4)


def _event(session: AsyncSession, booking: Booking, actor_id: int | None, to_status: str, now: datetime) -> None:
    assert booking.id is not None
    session.add(BookingEvent(booking_id=booking.id, actor_id=actor_id, from_status=booking.status,
                             to_status=to_status, at=now))
    booking.status = to_status


async def wait(session: AsyncSession, actor: Actor, values: dict[str, Any]) -> Booking:
    """A request on the waiting list (``values``: the columns of a new request)."""
    booking = Booking(**{**values, "status": BookingStatus.waiting.value})
    session.add(booking)
    await session.flush()
    assert booking.id is not None
    session.add(BookingEvent(booking_id=booking.id, actor_id=actor.id, from_status=None,
                             to_status=BookingStatus.waiting.value, at=values["created_at"]))
    await session.flush()
    return booking


async def offer_next(session: AsyncSession, item: Item, settings: Settings) -> list[Booking]:
    """Offer the item's free periods to its waiting requests, first come first served; returns the
    offers made. Under the item's occupancy lock; the exclusion constraint stays the guarantee."""
    assert item.id is not None
    now = clock.now()
    waiting = list(await session.scalars(
        select(Booking)
        .where(col(Booking.item_id) == item.id, col(Booking.status) == BookingStatus.waiting,
               col(Booking.start_at) > now)
        .order_by(col(Booking.created_at), col(Booking.id))
        .with_for_update(skip_locked=True)
    ))
    if not waiting:
        return []
    await lock_item(session, item.id)
    offered = []
    for booking in waiting:
        if await find_overlap(session, item.id, booking.start_at, booking.end_at) is not None:
            continue
        try:
            async with session.begin_nested():
                session.add(Occupancy(item_id=item.id, start_at=booking.start_at, end_at=booking.end_at,
                                      booking_id=booking.id))
                await session.flush()
        except IntegrityError as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                continue
            raise
        booking.offer_expires_at = min(now + OFFER_HOLD, booking.start_at)
        booking.reject_reason = None  # why it waited (a draw's reason) is kept in its event
        _event(session, booking, None, BookingStatus.offered.value, now)
        await notices.notify(session, "offered", booking, item, settings)
        offered.append(booking)
    await session.flush()
    return offered


async def accept_offer(session: AsyncSession, actor: Actor, booking_id: int) -> Booking:
    """The farmer takes the period offered to him: approved at the item's rates of now."""
    require_role(actor, Role.farmer)
    booking, item = await load(session, booking_id, lock=True)
    if booking.farmer_id != actor.id:
        raise NotAllowed()
    if booking.status != BookingStatus.offered:
        raise Conflict("booking.not_offered", status=booking.status)
    now = clock.now()
    if booking.offer_expires_at is None or now >= booking.offer_expires_at:
        raise Conflict("booking.offer_expired")
    booking.approved_rate_cents = item.rate_cents
    booking.approved_operator_rate_cents = item.operator_rate_cents
    booking.approved_vat_percent = item.vat_percent
    booking.decided_by, booking.decided_at = actor.id, now
    _event(session, booking, actor.id, BookingStatus.approved.value, now)
    await session.flush()
    return booking


async def expire_offers(session: AsyncSession, settings: Settings) -> int:
    """Unanswered offers expire: their hold is freed and the period passed on. Returns how many."""
    now = clock.now()
    expired = list(await session.scalars(
        select(Booking)
        .where(col(Booking.status) == BookingStatus.offered, col(Booking.offer_expires_at) <= now)
        .order_by(col(Booking.offer_expires_at), col(Booking.id))
        .with_for_update(skip_locked=True)
    ))
    items: dict[int, Item] = {}
    for booking in expired:
        await session.execute(delete(Occupancy).where(col(Occupancy.booking_id) == booking.id))
        _event(session, booking, None, BookingStatus.expired.value, now)
        item = await session.get(Item, booking.item_id)
        if item is not None:
            assert item.id is not None
            items[item.id] = item
    await session.flush()
    for item in items.values():
        await offer_next(session, item, settings)
    return len(expired)

