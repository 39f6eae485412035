"""What a return or a defect costs the farmer: the item's fuel and cleaning surcharges and a damage
charge, each a ledger adjustment linked to its source."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import Conflict, NotFound
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.machine.models import Defect, HandoverSurcharge

SURCHARGE_NAMES = {"fuel": "Tankzuschlag", "cleaning": "Reinigungszuschlag"}


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


