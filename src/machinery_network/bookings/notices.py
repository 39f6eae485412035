"""The notices and mails of booking events: mail texts in ``bookings/mail/*.txt`` (Jinja), notice
texts in the catalogue (``notice.booking_*``).

Requests and approvals write their notices and mails inside their one driver statement
(``statements``), with the recipient's name filled in by the database; the parameters come from here.
Rejections, cancellations and the day-before reminders are not hot and go through
``notifications.notices.tell`` (``notify``, ``remind``).

Across an agreement (a farmer of a partner network asks for or cancels a shared item), the farmer's
transaction cannot see the owning network's yard heads: the database writes their notices and mails
(``statements.owner_notice``, migration ``0032_partner_notices``) from ``owner_params``. The decisions
need no help: the owning network sees the farmer of a booking of its item and may write his notice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.money import format_eur
from machinery_network.notifications.notices import declare, tell
from machinery_network.notifications.notices import render as render_notice
from machinery_network.notifications.service import Mail, MailTemplates, format_period

MAILS = MailTemplates("machinery_network.bookings")
# The notice kinds of booking events (the machine's are declared in ``machine.defects``).
# waiting: the request did not win a draw (``draws``); offered: a waiting request's period came free
# (``waitlist``).
declare("booking", "booking_requested", "booking_approved", "booking_rejected", "booking_cancelled",
        "booking_waiting", "booking_offered")
declare("reminder", "booking_reminder")
DECISION_FIELDS = ("name", "municipality", "farmer")  # filled per recipient by the database
REQUEST_FIELDS = ("name", "id")
# What a partner network's farmer tells the owning yard heads of (``owner_params``); the database
# function knows these kinds and their mail category (``booking``).
OWNER_KINDS = ("requested", "cancelled")


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
            **MAILS.render_split(kind, params, DECISION_FIELDS),
            **in_app_params(f"notice.booking_{kind}", {"item": item_name, "period": params["period"]}, "/bookings")}


def in_app_params(key: str, params: dict[str, str], link: str | None = None) -> dict[str, Any]:
    """The notice parameters of the driver statements (``statements._notice_columns``)."""
    return {"notice_key": key, "notice_params": json.dumps(params, ensure_ascii=False),
            "notice_text": render_notice(key, params), "notice_link": link}


def request_params(
    *, item_name: str, farmer_name: str, start: datetime, end: datetime, estimated_cents: int | None,
    note: str | None, settings: Settings,
) -> dict[str, str]:
    """The parameters of the yard heads' mails in ``statements.request_statement``."""
    params = {**_common(item_name, start, end, estimated_cents, settings), "farmer": farmer_name, "note": note or ""}
    notice = in_app_params("notice.booking_requested",
                           {"item": item_name, "period": params["period"], "farmer": farmer_name})
    del notice["notice_link"]  # the statement links to the new request itself
    return {**MAILS.render_split("requested", params, REQUEST_FIELDS), **notice}


def owner_params(
    kind: str, *, booking_id: int, item_name: str, farmer_name: str, start: datetime, end: datetime,
    estimated_cents: int | None, note: str | None, now: datetime, settings: Settings,
) -> dict[str, Any]:
    """The parameters of ``statements.owner_notice``: the owning yard heads of a partner network's item
    told of a request or a cancellation (``OWNER_KINDS``). The mail comes cut at the recipient's name
    (``subject`` and ``body``: the pieces the database joins with each yard head's name)."""
    if kind not in OWNER_KINDS:
        raise ValueError(f"the owning yard heads are not told of {kind!r} across networks")
    params = {**_common(item_name, start, end, estimated_cents, settings), "farmer": farmer_name,
              "note": note or "", "id": booking_id, "reason": "", "municipality": "", "expires": ""}
    texts = {"item": item_name, "period": params["period"], "farmer": farmer_name}
    if kind == "cancelled":  # as ``notify`` tells it within one network
        texts.update(reason="", expires="")
    notice = in_app_params(f"notice.booking_{kind}", texts)
    del notice["notice_link"]  # the database links to the booking
    split = MAILS.render_split(kind, params, ("name",))
    return {"booking_id": booking_id, "kind": f"booking_{kind}", "now": now, **notice,
            "subject": _pieces(split, "subject"), "body": _pieces(split, "body")}


def _pieces(split: dict[str, str], part: str) -> list[str]:
    """``part_0``, ``part_1``, … of ``MailTemplates.render_split``, in order."""
    pieces: list[str] = []
    while (piece := split.get(f"{part}_{len(pieces)}")) is not None:
        pieces.append(piece)
    return pieces


async def notify(
    session: AsyncSession, kind: str, booking: Booking, item: Item, settings: Settings, *, reason: str | None = None,
    yard_heads: bool = True,
) -> None:
    """A rejection or an offer from the waiting list goes to the farmer; a cancellation also to the active
    yard heads of the item's municipality (the farmer's notice and mail first), unless ``yard_heads`` is
    false (an item of a partner network: ``owner_params``)."""
    recipients = col(User.id) == booking.farmer_id
    if kind == "cancelled" and yard_heads:
        recipients = or_(recipients, and_(col(User.role) == Role.yard_head,
                                          col(User.municipality_id) == item.municipality_id,
                                          col(User.active)))
    users = list(await session.scalars(
        select(User).where(recipients).order_by(col(User.id) != booking.farmer_id, col(User.id))
    ))
    municipality = await session.get(Municipality, item.municipality_id)
    farmer = next((user for user in users if user.id == booking.farmer_id), None)
    expires = booking.offer_expires_at.astimezone(settings.tz) if booking.offer_expires_at else None
    params = {**_common(item.name, booking.start_at, booking.end_at, booking.estimated_cents, settings),
              "reason": reason or "", "municipality": municipality.name if municipality else "",
              "farmer": farmer.name if farmer else "",
              "expires": f"{expires:%d.%m.%Y %H:%M} Uhr" if expires else ""}
    texts = {"item": item.name, "period": params["period"], "reason": reason or "", "farmer": params["farmer"],
             "expires": params["expires"]}
    for user in users:
        link = "/bookings" if user.id == booking.farmer_id else f"/manage/bookings/{booking.id}"
        await tell(session, user, f"booking_{kind}", f"notice.booking_{kind}", texts, link=link,
                   mail=MAILS.render(kind, {**params, "name": user.name}))


def _next_day_window(now: datetime, settings: Settings) -> tuple[datetime, datetime]:
    """Tomorrow in the network's zone, as [start, end)."""
    from datetime import time

    tomorrow = now.astimezone(settings.tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(), tzinfo=settings.tz)
    return start, datetime.combine(tomorrow + timedelta(days=1), time(), tzinfo=settings.tz)


async def remind(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """The day-before reminder of every approved booking that starts tomorrow (network time): exactly
    once per booking, whichever process and however often this runs (the notice's ``dedupe_key``).
    Answers how many reminders were written now."""
    start, end = _next_day_window(now, settings)
    rows = (await session.execute(
        select(Booking, Item, User)
        .join(Item, col(Item.id) == col(Booking.item_id))
        .join(User, col(User.id) == col(Booking.farmer_id))
        .where(col(Booking.status) == "approved", col(Booking.start_at) >= start, col(Booking.start_at) < end,
               col(User.active))
        .order_by(col(Booking.start_at), col(Booking.id))
    )).all()
    written = 0
    for booking, item, farmer in rows:
        period = format_period(booking.start_at, booking.end_at, settings.tz)
        mail = MAILS.render("reminder", {"name": farmer.name, "item": item.name, "period": period,
                                         "base_url": settings.base_url.rstrip("/")})
        told = await tell(session, farmer, "booking_reminder", "notice.booking_reminder",
                          {"item": item.name, "period": period}, link="/bookings", mail=mail,
                          dedupe_key=f"reminder:{booking.id}", now=now)
        written += told is not None
    return written


def told_of_decision(
    kind: str, *, farmer_name: str, municipality: str, item_name: str, start: datetime, end: datetime,
    estimated_cents: int | None, settings: Settings, reason: str | None = None,
) -> tuple[dict[str, str], Mail]:
    """The notice parameters and the mail of a decision told to its farmer, for writers that tell many
    at once (the draw: ``draws.deciding``): ``kind`` is the mail template (``approved``, ``draw_waiting``)."""
    params = {**_common(item_name, start, end, estimated_cents, settings), "reason": reason or "",
              "municipality": municipality, "farmer": farmer_name, "expires": "", "name": farmer_name}
    texts = {"item": item_name, "period": params["period"]}
    if reason is not None:
        texts["reason"] = reason
    return texts, MAILS.render(kind, params)
