"""The mails of booking decisions: texts in ``bookings/mail/*.txt`` (Jinja), written to the outbox.

Requests and approvals write their mails inside their one driver statement (``statements``), with
the recipient's name filled in by the database; the parameters come from here. Rejections and
cancellations are not hot and write theirs through the ORM (``notify``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.money import format_eur
from machinery_network.notifications.service import MailTemplates, enqueue, format_period

MAILS = MailTemplates("machinery_network.bookings")
DECISION_FIELDS = ("name", "municipality", "farmer")  # filled per recipient by the database
REQUEST_FIELDS = ("name", "id")


def _common(item_name: str, start: datetime, end: datetime, estimated_cents: int | None,
            settings: Settings) -> dict[str, Any]:
    return {
        "item": item_name, "period": format_period(start, end, settings.tz),
        "estimate": format_eur(estimated_cents, symbol=True) if estimated_cents is not None else "",
        "base_url": settings.base_url.rstrip("/"),
    }


def decision_params(
    kind: str, *, farmer_id: int, municipality_id: int, item_name: str, start: datetime, end: datetime,
    estimated_cents: int | None, now: datetime, settings: Settings, reason: str | None = None,
) -> dict[str, Any]:
    """The parameters of ``statements.decision_notice(kind)``."""
    params = {**_common(item_name, start, end, estimated_cents, settings), "reason": reason or ""}
    return {"farmer_id": farmer_id, "municipality_id": municipality_id, "now": now,
            **MAILS.render_split(kind, params, DECISION_FIELDS)}


def request_params(
    *, item_name: str, farmer_name: str, start: datetime, end: datetime, estimated_cents: int | None,
    note: str | None, settings: Settings,
) -> dict[str, str]:
    """The parameters of the yard heads' mails in ``statements.request_statement``."""
    params = {**_common(item_name, start, end, estimated_cents, settings), "farmer": farmer_name, "note": note or ""}
    return MAILS.render_split("requested", params, REQUEST_FIELDS)


async def notify(
    session: AsyncSession, kind: str, booking: Booking, item: Item, settings: Settings, *, reason: str | None = None
) -> None:
    """A rejection or an offer from the waiting list goes to the farmer; a cancellation also to the active yard heads of the item's
    municipality (the farmer's mail first)."""
    recipients = User.id == booking.farmer_id
    if kind == "cancelled":
        recipients = or_(recipients, and_(User.role == Role.yard_head, User.municipality_id == item.municipality_id,
                                          User.active))
    users = list(await session.scalars(
        select(User).where(recipients).order_by(User.id != booking.farmer_id, User.id)
    ))
    municipality = await session.get(Municipality, item.municipality_id)
    farmer = next((user for user in users if user.id == booking.farmer_id), None)
    expires = booking.offer_expires_at.astimezone(settings.tz) if booking.offer_expires_at else None
    params = {**_common(item.name, booking.start_at, booking.end_at, booking.estimated_cents, settings),
              "reason": reason or "", "municipality": municipality.name if municipality else "",
              "farmer": farmer.name if farmer else "",
              "expires": f"{expires:%d.%m.%Y %H:%M} Uhr" if expires else ""}
    for user in users:
        enqueue(session, recipient=user, mail=MAILS.render(kind, {**params, "name": user.name}))


async def notify_rejected_many(
    session: AsyncSession, rejected: list[tuple[int, datetime, datetime, int | None, Item, str]], settings: Settings
) -> None:
    """The rejection mails of many requests (the draws'): (farmer id, start, end, estimate, item, reason)
    each; one query for the farmers and one for the municipalities."""
    if not rejected:
        return
    farmers = {user.id: user for user in await session.scalars(
        select(User).where(User.id.in_({farmer_id for farmer_id, *_ in rejected})))}
    municipalities = dict((await session.execute(select(Municipality.id, Municipality.name).where(
        Municipality.id.in_({item.municipality_id for *_, item, _ in rejected})))).all())
    for farmer_id, start, end, estimated_cents, item, reason in rejected:
        farmer = farmers.get(farmer_id)
        if farmer is None:
            continue
        params = {**_common(item.name, start, end, estimated_cents, settings), "reason": reason,
                  "municipality": municipalities.get(item.municipality_id, ""), "farmer": farmer.name,
                  "expires": "", "name": farmer.name}
        enqueue(session, recipient=farmer, mail=MAILS.render("rejected", params))
