"""The outbox: notifications are written as rows in the same transaction as the change they report.

Delivery (``notifications.sender``) happens later, outside any request, so a slow or broken mail
server never blocks or fails a booking decision, and a message is never lost: it stays in the
table until it was sent.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from machinery_network import clock
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
    """One message to one user (for callers that already hold the user)."""
    message = OutboxMessage(
        recipient_id=recipient.id, recipient_email=recipient.email, subject=subject[:500], body=body, attempts=0,
        created_at=clock.now(),
    )
    session.add(message)
    return message


_MARKER = re.compile("\x00(\\w+)\x00")


def _sql_text(template: str, params: dict[str, Any], columns: dict[str, ColumnElement[Any]]) -> ColumnElement[str]:
    """``template`` formatted with ``params``; the placeholders named in ``columns`` become those SQL
    expressions (concatenated), so one INSERT … SELECT can address every recipient by name."""
    text = template.format(**params, **{key: f"\x00{key}\x00" for key in columns})
    pieces = _MARKER.split(text)  # literal, key, literal, key, …, literal
    expression: ColumnElement[str] = literal(pieces[0], String)
    for index in range(1, len(pieces), 2):
        expression = expression + columns[pieces[index]] + literal(pieces[index + 1], String)
    return expression


def _estimate_line(estimated_cents: int | None) -> str:
    if estimated_cents is None:
        return ""
    return MESSAGES["estimate"]["line"].format(amount=format_eur(estimated_cents, symbol=True))


async def notify_booking(
    session: AsyncSession, kind: str, booking: Booking, item: Item, *, reason: str | None = None
) -> None:
    """An outbox row per recipient for an approval, rejection or cancellation, in one statement.

    Approval and rejection go to the farmer; a cancellation also goes to the active yard heads of
    the item's municipality (the farmer's copy is his confirmation).
    """
    settings = get_settings()
    farmer = aliased(User)
    recipients = User.id == booking.farmer_id
    if kind == "cancelled":
        recipients = or_(recipients, and_(User.role == Role.yard_head,
                                          User.municipality_id == item.municipality_id, User.active))
    params = {
        "item": item.name, "period": format_period(booking.start_at, booking.end_at, settings.tz),
        "reason": reason or "", "estimate": _estimate_line(booking.estimated_cents),
        "base_url": settings.base_url.rstrip("/"),
    }
    columns = {"name": User.name, "municipality": Municipality.name, "farmer": farmer.name}
    template = MESSAGES[kind]
    await session.execute(
        insert(OutboxMessage).from_select(
            ["recipient_id", "recipient_email", "subject", "body", "attempts", "created_at"],
            select(User.id, User.email, func.left(_sql_text(template["subject"], params, columns), 500),
                   _sql_text(template["body"], params, columns), literal(0, Integer),
                   literal(clock.now(), DateTime(timezone=True)))
            .select_from(User)
            .join(Municipality, Municipality.id == item.municipality_id)
            .join(farmer, farmer.id == booking.farmer_id)
            .where(recipients)
            .order_by(User.id != booking.farmer_id, User.id),  # the farmer's first
        )
    )


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
        "estimate": _estimate_line(estimated_cents),
        "note": MESSAGES["note"]["line"].format(note=note) if note else "",
        "base_url": settings.base_url.rstrip("/"),
    }
    columns = {"name": User.name, "id": cast(booking_ids.c.id, String)}
    template = MESSAGES["requested"]
    return (
        insert(OutboxMessage)
        .from_select(
            ["recipient_id", "recipient_email", "subject", "body", "attempts", "created_at"],
            select(User.id, User.email, func.left(_sql_text(template["subject"], params, columns), 500),
                   _sql_text(template["body"], params, columns), literal(0, Integer),
                   literal(now, DateTime(timezone=True)))
            .select_from(User)
            .join(booking_ids, literal(True))
            .where(User.role == Role.yard_head, User.municipality_id == municipality_id, User.active),
        )
        .cte("request_notice")
    )
