"""Hand-over (checkout) and return (checkin) of a booked machine, and the photos taken at them.

A return may carry the item's surcharges (``surcharges``) and report a defect; a defect "not usable"
blocks the item at once (``defects``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.bookings.pricing import period_quantity
from machinery_network.bookings.queries import load
from machinery_network.care.photos import resolve_photo
from machinery_network.catalogue.models import Item, ItemUnit
from machinery_network.config import Settings
from machinery_network.db import CHECK_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.machine.defects import report_defect
from machinery_network.machine.models import Condition, Defect, Handover, HandoverPhoto
from machinery_network.machine.photos import checked_photos, photos_from_base64, signature_png, store_photos
from machinery_network.machine.schemas import CheckinInput, CheckoutInput
from machinery_network.machine.surcharges import SURCHARGE_NAMES, post_surcharge


def require_at_machine(actor: Actor, booking: Booking, item: Item) -> None:
    """The item's yard head, or the booking's farmer."""
    if actor.role == Role.farmer and actor.id == booking.farmer_id:
        return
    require_for_municipality(actor, item.municipality_id, Role.yard_head)


async def _locked(session: AsyncSession, actor: Actor, booking_id: int) -> tuple[Booking, Item]:
    booking, item = await load(session, booking_id, lock=True)
    require_at_machine(actor, booking, item)
    if booking.status != BookingStatus.approved:
        raise Conflict("machine.not_approved", status=booking.status)
    return booking, item


async def last_meter(session: AsyncSession, item_id: int) -> Decimal | None:
    """The item's highest meter reading of any hand-over or return."""
    value = await session.scalar(
        select(func.greatest(func.max(col(Handover.checkin_meter)), func.max(col(Handover.checkout_meter))))
        .where(col(Handover.item_id) == item_id)
    )
    return Decimal(value) if value is not None else None


async def checkout(
    session: AsyncSession, actor: Actor, booking_id: int, data: CheckoutInput, settings: Settings,
    *, signature: bytes | None = None, photos: list[bytes] | None = None,
) -> Handover:
    """Hand the machine over: an approved booking, not earlier than the configured lead before its start."""
    booking, item = await _locked(session, actor, booking_id)
    assert item.id is not None
    pictures = await checked_photos(photos or photos_from_base64(data.photos, settings), settings)
    signature = signature or signature_png(data.signature)
    now = clock.now()
    lead = timedelta(hours=settings.handover_lead_hours)
    if now < booking.start_at - lead:
        raise Conflict("machine.too_early", hours=settings.handover_lead_hours)
    if await session.get(Handover, booking_id) is not None:
        raise Conflict("machine.already_checked_out")
    last = await last_meter(session, item.id)
    if last is not None and data.meter < last:
        raise Invalid("machine.meter_backwards", field="meter", last=f"{last:f}",
                      extra={"field": "meter", "last": float(last)})
    handover = Handover(
        booking_id=booking_id, item_id=item.id, checkout_meter=data.meter, checkout_fuel_percent=data.fuel_percent,
        checkout_condition=data.condition, checkout_remarks=data.remarks or None, checkout_by=actor.id,
        checkout_at=now, checkout_signature=signature, checkout_signed_at=now if signature else None,
    )
    session.add(handover)
    await session.flush()
    store_photos(session, settings, booking_id, "checkout", pictures)
    await session.flush()
    return handover


def proposed_quantity(item: Item, booking: Booking, meter_difference: Decimal, settings: Settings) -> Decimal | None:
    """The completion's quantity proposed from the return: the meter's hours for unit hour, else
    what the booked period gives (days touched), else nothing."""
    if item.unit == ItemUnit.hour:
        return meter_difference
    return period_quantity(item.unit, booking.start_at, booking.end_at, settings)


async def checkin(
    session: AsyncSession, actor: Actor, booking_id: int, data: CheckinInput, settings: Settings,
    *, signature: bytes | None = None, photos: list[bytes] | None = None,
) -> tuple[Handover, Defect | None, list[int]]:
    """Take the machine back; a defect "not usable" blocks the item at once (``report_defect``)."""
    booking, item = await _locked(session, actor, booking_id)
    pictures = await checked_photos(photos or photos_from_base64(data.photos, settings), settings)
    signature = signature or signature_png(data.signature)
    if data.surcharges:
        require_for_municipality(actor, item.municipality_id, Role.yard_head)
        if len(set(data.surcharges)) != len(data.surcharges):
            raise Invalid("machine.surcharge_twice", field="surcharges")
        for kind in data.surcharges:
            if getattr(item, f"{kind}_surcharge_cents") is None:
                raise Invalid("machine.surcharge_not_set", field="surcharges", kind=SURCHARGE_NAMES[kind])
    handover = await session.get(Handover, booking_id, with_for_update=True)
    if handover is None:
        raise Conflict("machine.not_checked_out")
    if handover.checkin_at is not None:
        raise Conflict("machine.already_checked_in")
    if data.meter < handover.checkout_meter:
        raise Invalid("machine.meter_below_checkout", field="meter", checkout=f"{handover.checkout_meter:f}",
                      extra={"field": "meter", "checkout_meter": float(handover.checkout_meter)})
    text = (data.description or data.remarks or "").strip() or None
    defect = data.condition == Condition.defect
    if defect and text is None:
        raise Invalid("machine.defect_needs_description", field="description")
    usable = (data.usable if data.usable is not None else True) if defect else None
    now = clock.now()
    handover.checkin_meter, handover.checkin_fuel_percent = data.meter, data.fuel_percent
    handover.checkin_condition, handover.checkin_remarks, handover.checkin_usable = data.condition, text, usable
    handover.checkin_by, handover.checkin_at = actor.id, now
    handover.checkin_signature, handover.checkin_signed_at = signature, now if signature else None
    handover.proposed_quantity = proposed_quantity(item, booking, data.meter - handover.checkout_meter, settings)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # the database's own word on the meter
        if sqlstate(exc) == CHECK_VIOLATION:
            raise Invalid("machine.meter_below_checkout", field="meter",
                          checkout=f"{handover.checkout_meter:f}") from exc
        raise
    store_photos(session, settings, booking_id, "checkin", pictures)
    await session.flush()
    for kind in data.surcharges:
        await post_surcharge(session, actor, booking, item, kind, settings)
    if not defect:
        return handover, None, []
    assert text is not None and usable is not None
    found, affected = await report_defect(session, actor, item, text, usable=usable, booking=booking,
                                          settings=settings)
    return handover, found, affected


async def photos_of(session: AsyncSession, actor: Actor, booking_id: int) -> list[HandoverPhoto]:
    """The photos of a booking's hand-over and return (the item's yard head, the booking's farmer)."""
    booking, item = await load(session, booking_id)
    require_at_machine(actor, booking, item)
    return list(await session.scalars(
        select(HandoverPhoto).where(col(HandoverPhoto.booking_id) == booking_id).order_by(col(HandoverPhoto.id))))


async def photo_file(session: AsyncSession, actor: Actor, photo_id: int, settings: Settings) -> tuple[Path, str]:
    """The file and content type of one photo, for those who may see its booking; else 404/403."""
    row = await session.get(HandoverPhoto, photo_id)
    if row is None:
        raise NotFound("machine.photo_missing")
    booking, item = await load(session, row.booking_id)
    require_at_machine(actor, booking, item)
    return resolve_photo(settings, row.path), row.content_type


