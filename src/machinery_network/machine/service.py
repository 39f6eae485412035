"""Use cases at the machine: hand-over (checkout), return (checkin), a defect that blocks the item,
the repair that ends the block.

A defect "not usable" puts the item out of service from now on: a block until the year 2199 whose
occupancy keeps every approval away (the exclusion constraint). The approved bookings in its way
lose their occupancy (kept as ``defect_bookings``, the yard head decides: move, keep, cancel) and
their farmers are told. A repair ends the block at its time and gives the kept bookings and the
yard's own blocks their occupancy back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import events
from machinery_network.bookings.models import Block, Booking, BookingStatus, Occupancy
from machinery_network.bookings.pricing import period_quantity
from machinery_network.bookings.queries import load, lock_item, occupying
from machinery_network.care.photos import resolve_photo
from machinery_network.catalogue.models import Item, ItemUnit
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import CHECK_VIOLATION, EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.machine.models import (
    Condition,
    Defect,
    DefectAction,
    DefectBooking,
    Handover,
    HandoverPhoto,
    HandoverSurcharge,
    Repair,
)
from machinery_network.machine.photos import checked_photos, photos_from_base64, signature_png, store_photos
from machinery_network.machine.schemas import CheckinInput, CheckoutInput, RepairInput
from machinery_network.notifications.notices import declare, tell
from machinery_network.notifications.service import MailTemplates, format_period

MAILS = MailTemplates("machinery_network.machine")
# Notices to farmers whose approved booking is hit by a defect (booking category): the defect, and the
# booking moved to another item, kept, or cancelled.
declare("booking", "booking_defect", "booking_moved", "booking_kept", "booking_defect_cancelled")
# "Until repaired": the latest end the period CHECKs allow (migration 0008: before 2200).
OUT_OF_SERVICE_END = datetime(2199, 12, 31, tzinfo=UTC)


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


SURCHARGE_NAMES = {"fuel": "Tankzuschlag", "cleaning": "Reinigungszuschlag"}


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


async def post_surcharge(
    session: AsyncSession, actor: Actor, booking: Booking, item: Item, kind: str, settings: Settings
) -> LedgerEntry:
    """The item's fuel or cleaning surcharge as a ledger adjustment whose source is the return."""
    amount = getattr(item, f"{kind}_surcharge_cents")
    assert amount is not None and booking.id is not None
    entry = await ledger.post_adjustment(
        session, actor, farmer_id=booking.farmer_id, municipality_id=item.municipality_id,
        value_date=clock.now().astimezone(settings.tz).date(), amount_cents=amount,
        reason=f"{SURCHARGE_NAMES[kind]} {item.name} (Rückgabe Buchung {booking.id})", settings=settings,
    )
    assert entry.id is not None
    session.add(HandoverSurcharge(booking_id=booking.id, kind=kind, entry_id=entry.id))
    await session.flush()
    return entry


async def surcharge_entries(session: AsyncSession, booking_id: int) -> list[int]:
    return list(await session.scalars(
        select(col(HandoverSurcharge.entry_id)).where(col(HandoverSurcharge.booking_id) == booking_id)
        .order_by(col(HandoverSurcharge.entry_id))))


async def charge_damage(
    session: AsyncSession, actor: Actor, defect_id: int, amount_cents: int, reason: str | None, settings: Settings
) -> LedgerEntry:
    """A damage charge for a defect: a ledger adjustment to the farmer of the defect's booking, linked
    to the defect (once: the database's unique link)."""
    defect = await session.get(Defect, defect_id, with_for_update=True)
    if defect is None:
        raise NotFound("machine.defect_not_found")
    item = await get_item(session, defect.item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    if defect.charge_entry_id is not None:
        raise Conflict("machine.damage_charged")
    booking = await session.get(Booking, defect.booking_id) if defect.booking_id is not None else None
    if booking is None:
        raise Conflict("machine.damage_without_booking")
    entry = await ledger.post_adjustment(
        session, actor, farmer_id=booking.farmer_id, municipality_id=item.municipality_id,
        value_date=clock.now().astimezone(settings.tz).date(), amount_cents=amount_cents,
        reason=(reason or f"Schaden an {item.name}: {defect.description}")[:2000], settings=settings,
    )
    defect.charge_entry_id = entry.id
    await session.flush()
    return entry


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


# --- the yard head's decisions on the affected bookings ----------------------------------------------


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


__all__ = ["OUT_OF_SERVICE_END", "AffectedRow", "affected_bookings", "decide", "free_alternatives", "checkin", "checkout", "record_repair", "report_defect"]
