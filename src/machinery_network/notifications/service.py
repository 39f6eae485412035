"""The outbox: notifications are written as rows in the same transaction as the change they report.

Delivery (``notifications.sender``) happens later, outside any request, so a slow or broken mail
server never blocks or fails a booking decision, and a message is never lost: it stays in the
table until it was sent.
"""

from __future__ import annotations

import functools
import re
import string
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    ColumnElement,
    DateTime,
    Insert,
    Integer,
    String,
    and_,
    bindparam,
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
from machinery_network.bookings.models import Booking, BookingData
from machinery_network.catalogue.models import Item
from machinery_network.config import get_settings
from machinery_network.db import DriverStatement, driver, for_driver
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


# --- statements built once -----------------------------------------------------------------------
#
# A notification is one INSERT … SELECT over its recipients, so each is addressed by name without a
# query first. Building such a statement costs about half a millisecond of Python, more than the rest
# of a booking request's own work, so each shape is built once with bind parameters: the template's
# text between the per-recipient placeholders ({name}, {municipality}, {farmer}, {id}) is bound as
# parameters ``<part>_0``, ``<part>_1``, … and the placeholders become column expressions.

_DECISION_FIELDS = ("name", "municipality", "farmer")  # filled per recipient by the database
_REQUEST_FIELDS = ("name", "id")
_FORMATTER = string.Formatter()


def _sql_text(part: str, template: str, columns: dict[str, ColumnElement[Any]]) -> ColumnElement[str]:
    expression: ColumnElement[str] = bindparam(f"{part}_0", type_=String)
    fields = [field for _, field, _, _ in _FORMATTER.parse(template) if field in columns]
    for index, field in enumerate(fields, start=1):
        expression = expression + columns[field] + bindparam(f"{part}_{index}", type_=String)
    return expression


def _text_params(part: str, template: str, params: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    markers = {field: f"\x00{field}\x00" for field in fields}
    pieces = re.split("\x00(?:" + "|".join(fields) + ")\x00", template.format(**params, **markers))
    return {f"{part}_{index}": piece for index, piece in enumerate(pieces)}


_OUTBOX_COLUMNS = ["recipient_id", "recipient_email", "subject", "body", "attempts", "created_at"]


def decision_notice(kind: str, after: CTE | None = None) -> Insert:
    """The outbox rows of a decision: an approval or rejection goes to the farmer; a cancellation
    also to the active yard heads of the municipality. With ``after`` (a data-modifying CTE), the
    rows are written only if that CTE returned a row, so the caller can make it part of its own
    statement. Parameters: ``decision_params``."""
    template = MESSAGES[kind]
    farmer = aliased(User)
    recipients: ColumnElement[bool] = User.id == bindparam("farmer_id", type_=Integer)
    if kind == "cancelled":
        recipients = or_(recipients, and_(User.role == Role.yard_head,
                                          User.municipality_id == bindparam("municipality_id", type_=Integer),
                                          User.active))
    columns = {"name": User.name, "municipality": Municipality.name, "farmer": farmer.name}
    rows = (
        select(User.id, User.email, func.left(_sql_text("subject", template["subject"], columns), 500),
               _sql_text("body", template["body"], columns), literal(0, Integer),
               bindparam("now", type_=DateTime(timezone=True)))
        .select_from(User)
        .join(Municipality, Municipality.id == bindparam("municipality_id", type_=Integer))
        .join(farmer, farmer.id == bindparam("farmer_id", type_=Integer))
        .where(recipients)
        .order_by(User.id != bindparam("farmer_id", type_=Integer), User.id)  # the farmer's first
    )
    if after is not None:
        rows = rows.where(select(after).exists())
    return insert(OutboxMessage.__table__).from_select(_OUTBOX_COLUMNS, rows)


@functools.cache
def _decision_statement(kind: str) -> DriverStatement:
    return for_driver(decision_notice(kind))


def _estimate_line(estimated_cents: int | None) -> str:
    if estimated_cents is None:
        return ""
    return MESSAGES["estimate"]["line"].format(amount=format_eur(estimated_cents, symbol=True))


def decision_params(
    kind: str, booking: Booking | BookingData, item_name: str, municipality_id: int, now: datetime,
    *, reason: str | None = None,
) -> dict[str, Any]:
    """The parameters of ``decision_notice(kind)`` for ``booking`` of the item ``item_name``."""
    settings = get_settings()
    template = MESSAGES[kind]
    params = {
        "item": item_name, "period": format_period(booking.start_at, booking.end_at, settings.tz),
        "reason": reason or "", "estimate": _estimate_line(booking.estimated_cents),
        "base_url": settings.base_url.rstrip("/"),
    }
    return {
        "farmer_id": booking.farmer_id, "municipality_id": municipality_id, "now": now,
        **_text_params("subject", template["subject"], params, _DECISION_FIELDS),
        **_text_params("body", template["body"], params, _DECISION_FIELDS),
    }


async def notify_booking(
    session: AsyncSession, kind: str, booking: Booking, item: Item, *, reason: str | None = None
) -> None:
    """An outbox row per recipient for an approval, rejection or cancellation, in one statement."""
    await _decision_statement(kind).fetch(
        await driver(session),
        decision_params(kind, booking, item.name, item.municipality_id, clock.now(), reason=reason),
    )


def request_notice(booking_ids: CTE) -> CTE:
    """A data-modifying CTE (built once by the caller): one outbox row per active yard head of the
    municipality ``:municipality_id`` for the new request whose id comes from ``booking_ids``.
    Its parameters come from ``request_notice_params``."""
    template = MESSAGES["requested"]
    columns = {"name": User.name, "id": cast(booking_ids.c.id, String)}
    return (
        insert(OutboxMessage.__table__)
        .from_select(
            _OUTBOX_COLUMNS,
            select(User.id, User.email, func.left(_sql_text("subject", template["subject"], columns), 500),
                   _sql_text("body", template["body"], columns), literal(0, Integer),
                   bindparam("now", type_=DateTime(timezone=True)))
            .select_from(User)
            .join(booking_ids, literal(True))
            .where(User.role == Role.yard_head, User.municipality_id == bindparam("municipality_id", type_=Integer),
                   User.active),
        )
        .cte("request_notice")
    )


def request_notice_params(
    *, item_name: str, farmer_name: str, start: datetime, end: datetime, estimated_cents: int | None,
    note: str | None,
) -> dict[str, str]:
    settings = get_settings()
    template = MESSAGES["requested"]
    params = {
        "item": item_name, "period": format_period(start, end, settings.tz), "farmer": farmer_name,
        "estimate": _estimate_line(estimated_cents),
        "note": MESSAGES["note"]["line"].format(note=note) if note else "",
        "base_url": settings.base_url.rstrip("/"),
    }
    return {
        **_text_params("subject", template["subject"], params, _REQUEST_FIELDS),
        **_text_params("body", template["body"], params, _REQUEST_FIELDS),
    }
