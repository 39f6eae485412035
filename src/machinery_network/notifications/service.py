"""The outbox: notifications are written as rows in the same transaction as the change they report.

Delivery (``notifications.sender``) happens later, outside any request, so a slow or broken mail
server never blocks or fails a booking decision, and a message is never lost: it stays in the
table until it was sent.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.config import get_settings
from machinery_network.money import format_eur
from machinery_network.notifications.messages import MESSAGES
from machinery_network.notifications.models import OutboxMessage


def format_period(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'24.11.2026 08:00 – 12:00' or '24.11.2026 08:00 – 25.11.2026 12:00', in the network's zone."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    if s.date() == e.date():
        return f"{s:%d.%m.%Y %H:%M} – {e:%H:%M}"
    return f"{s:%d.%m.%Y %H:%M} – {e:%d.%m.%Y %H:%M}"


def enqueue(session: AsyncSession, *, recipient: User, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(
        recipient_id=recipient.id, recipient_email=recipient.email, subject=subject[:500], body=body, attempts=0
    )
    session.add(message)
    return message


async def notify_booking(
    session: AsyncSession, kind: str, booking: Booking, item: Item, *, reason: str | None = None
) -> list[OutboxMessage]:
    """An outbox row per recipient for an approval, rejection or cancellation.

    Approval and rejection go to the farmer; a cancellation goes to the building yard's heads of the
    item's municipality (and to the farmer as a confirmation).
    """
    settings = get_settings()
    tz = settings.tz
    row = (
        await session.execute(
            select(User, Municipality)
            .join(Municipality, Municipality.id == item.municipality_id)
            .where(User.id == booking.farmer_id)
        )
    ).first()
    farmer, municipality = row if row is not None else (None, None)
    recipients: list[User] = [farmer] if farmer is not None else []
    if kind == "cancelled":
        heads = await session.scalars(
            select(User).where(
                User.role == Role.yard_head, User.municipality_id == item.municipality_id, User.active
            ).order_by(User.id)
        )
        recipients.extend(heads)
    template = MESSAGES[kind]
    estimate = ""
    if booking.estimated_cents is not None:
        estimate = MESSAGES["estimate"]["line"].format(amount=format_eur(booking.estimated_cents, symbol=True))
    params = {
        "item": item.name,
        "period": format_period(booking.start_at, booking.end_at, tz),
        "municipality": municipality.name if municipality else "",
        "reason": reason or "",
        "farmer": farmer.name if farmer else "",
        "estimate": estimate,
        "base_url": settings.base_url.rstrip("/"),
    }
    return [
        enqueue(
            session, recipient=user, subject=template["subject"].format(**params),
            body=template["body"].format(name=user.name, **params),
        )
        for user in recipients
    ]
