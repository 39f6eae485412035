"""The audit trail of a booking: every status change writes a ``BookingEvent`` (who, when, from, to)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import table_of
from machinery_network.auth import Actor
from machinery_network.bookings.models import Booking, BookingEvent


async def record(
    session: AsyncSession, booking: Booking, actor: Actor, to_status: str, note: str | None = None,
    *, at: datetime | None = None,
) -> None:
    """Who moved the booking from which status to which, and when (``at``, default now); the booking
    takes the new status.

    ``inline``: no RETURNING of the new id (nobody reads it), because the event of a partner network's
    item (its farmer cancels) is a row his network may write but not read, and row-level security
    checks returned rows against the reading policy."""
    await session.execute(
        insert(table_of(BookingEvent)).inline().values(booking_id=booking.id, actor_id=actor.id, from_status=booking.status,
                                    to_status=to_status, note=note, at=at or clock.now())
    )
    booking.status = to_status
