"""The outbox: notifications are written as rows in the same transaction as the change they report.

Delivery (``notifications.sender``) happens later, outside any request, so a slow or broken mail
server never blocks or fails a booking decision, and a message is never lost: it stays in the
table until it was sent.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CTE, DateTime, Integer, String, cast, insert, literal, select
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


_NAME, _ID = "\x00name\x00", "\x00id\x00"


def request_notice(
    booking_ids: CTE,
    *,
    item_name: str,
    municipality_id: int,
    farmer_name: str,
    start: datetime,
    end: datetime,
    estimated_cents: int | None,
    note: str | None,
    now: datetime,
) -> CTE:
    """A data-modifying CTE: one outbox row per active yard head of the item's municipality, for a new
    request whose id comes from ``booking_ids`` (a CTE with an ``id`` column).

    Written in the same statement as the booking itself: the busiest route stays at one write.
    """
    settings = get_settings()
    params = {
        "item": item_name, "period": format_period(start, end, settings.tz), "farmer": farmer_name,
        "estimate": MESSAGES["estimate"]["line"].format(amount=format_eur(estimated_cents, symbol=True))
        if estimated_cents is not None else "",
        "note": MESSAGES["note"]["line"].format(note=note) if note else "",
        "base_url": settings.base_url.rstrip("/"), "name": _NAME, "id": _ID,
    }
    template = MESSAGES["requested"]
    subject = template["subject"].format(**params)[:500]
    before_name, rest = template["body"].format(**params).split(_NAME, 1)
    before_id, after_id = rest.split(_ID, 1)
    body = (
        literal(before_name, String) + User.name + literal(before_id, String)
        + cast(booking_ids.c.id, String) + literal(after_id, String)
    )
    return (
        insert(OutboxMessage)
        .from_select(
            ["recipient_id", "recipient_email", "subject", "body", "attempts", "created_at"],
            select(User.id, User.email, literal(subject, String), body, literal(0, Integer),
                   literal(now, DateTime(timezone=True)))
            .select_from(User)
            .join(booking_ids, literal(True))
            .where(User.role == Role.yard_head, User.municipality_id == municipality_id, User.active),
        )
        .cte("request_notice")
    )
