"""The hand-over (checkout) and the return (checkin) under an idempotency key
(``machinery_network.idempotency``): the JSON API's ``Idempotency-Key`` header or the phone form's
``idempotency_key`` field. The first request with a key hands the machine over (or takes it back); a
retry with the same key and content records nothing and answers what the first one recorded, instead of
409 ``machine.already_checked_out`` (``already_checked_in``). Without a key, the use case as it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import idempotency
from machinery_network.auth import Actor
from machinery_network.bookings.models import Booking
from machinery_network.bookings.queries import load
from machinery_network.config import Settings
from machinery_network.errors import Conflict
from machinery_network.machine.handover import checkin, checkout, require_at_machine
from machinery_network.machine.models import Defect, DefectBooking, Handover
from machinery_network.machine.schemas import CheckinInput, CheckoutInput

T = TypeVar("T")


async def _once(
    session: AsyncSession, actor: Actor, booking_id: int, key: str | None, kind: str, data: BaseModel,
    files: list[bytes | None], work: Callable[[], Awaitable[T]], replay: Callable[[], Awaitable[T]],
) -> tuple[T, bool]:
    """``work`` once per key (its record: the booking, whose hand-over row it is); a retry answers
    ``replay`` and True. The scope names the step and the booking, so a key never replays elsewhere."""
    if key is None:
        return await work(), False
    scope = f"{kind}:{booking_id}"
    claimed = await idempotency.claim(session, actor, key, scope, idempotency.fingerprint(scope, data, files))
    if claimed.first_id is not None:
        return await replay(), True
    done = await work()
    await idempotency.record(session, claimed, booking_id)
    return done, False


async def checkout_once(
    session: AsyncSession, actor: Actor, booking_id: int, data: CheckoutInput, settings: Settings, key: str | None,
    *, signature: bytes | None = None, photos: list[bytes] | None = None,
) -> tuple[Handover, bool]:
    """``checkout`` under ``key``: the hand-over, and whether it was a replay of the first request's."""
    return await _once(
        session, actor, booking_id, key, "checkout", data, [*(photos or []), signature],
        lambda: checkout(session, actor, booking_id, data, settings, signature=signature, photos=photos),
        lambda: handed_over(session, actor, booking_id),
    )


async def checkin_once(
    session: AsyncSession, actor: Actor, booking_id: int, data: CheckinInput, settings: Settings, key: str | None,
    *, signature: bytes | None = None, photos: list[bytes] | None = None,
) -> tuple[Handover, Defect | None, list[int], bool]:
    """``checkin`` under ``key``: what ``checkin`` answers (the hand-over, the defect reported with it, the
    bookings in its way), and whether it was a replay of the first request's."""
    (handover, defect, affected), replayed = await _once(
        session, actor, booking_id, key, "checkin", data, [*(photos or []), signature],
        lambda: checkin(session, actor, booking_id, data, settings, signature=signature, photos=photos),
        lambda: returned(session, actor, booking_id),
    )
    return handover, defect, affected, replayed


async def handed_over(session: AsyncSession, actor: Actor, booking_id: int) -> Handover:
    """A booking's recorded hand-over, as ``checkout`` answered it."""
    booking, item = await load(session, booking_id)
    require_at_machine(actor, booking, item)
    handover = await session.get(Handover, booking_id, populate_existing=True)
    if handover is None:
        raise Conflict("machine.not_checked_out")
    return handover


async def returned(session: AsyncSession, actor: Actor, booking_id: int) -> tuple[Handover, Defect | None, list[int]]:
    """A booking's recorded return as ``checkin`` answered it: the hand-over, the defect reported with
    it (only a return reports a defect of a booking) and the bookings in that defect's way."""
    handover = await handed_over(session, actor, booking_id)
    if handover.checkin_at is None:
        raise Conflict("machine.not_checked_out")
    defect = (await session.scalars(
        select(Defect).where(col(Defect.booking_id) == booking_id).order_by(col(Defect.id)).limit(1))).first()
    affected: list[int] = []
    if defect is not None:
        affected = list(await session.scalars(
            select(col(DefectBooking.booking_id)).join(Booking, col(Booking.id) == col(DefectBooking.booking_id))
            .where(col(DefectBooking.defect_id) == defect.id).order_by(col(Booking.start_at), col(Booking.id))))
    return handover, defect, affected
