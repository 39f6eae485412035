"""iCalendar feeds (RFC 5545) so bookings show in the calendars people already use.

One feed per item (approved/completed bookings and blocks, without farmer names: the item page,
where its address is shown, is open to every user) and one per farmer (his own requests and
bookings). The secret token in the URL is the only credential a calendar client can send; it is
created on first use and stored in ``items.calendar_token`` / ``users.calendar_token``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_role
from machinery_network.bookings.models import Block, Booking, BookingStatus, Occupancy
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.db import network_of, use_network
from machinery_network.errors import NotFound
from machinery_network.i18n import gettext_de
from machinery_network.text import clean_lines, one_line

PAST = timedelta(days=180)
PRODID = "-//machinery-network//Buchungen//DE"
UID_DOMAIN = "machinery-network"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


async def item_token(session: AsyncSession, actor: Actor, item_id: int) -> str:
    """The item's feed token (created on first use); any signed-in user may subscribe."""
    item = await get_item(session, item_id)
    if not item.calendar_token:
        item.calendar_token = _new_token()
        await session.flush()
    return item.calendar_token


async def farmer_token(session: AsyncSession, actor: Actor) -> str:
    require_role(actor, Role.farmer)
    user = await session.get(User, actor.id)
    assert user is not None  # a signed-in farmer
    if not user.calendar_token:
        user.calendar_token = _new_token()
        await session.flush()
    return user.calendar_token


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(name))
    return cal


def _event(uid: str, start: datetime, end: datetime, summary: str, *, description: str | None = None,
           status: str = "CONFIRMED") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", clock.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", one_line(summary))  # names may hold line breaks a content line cannot
    event.add("status", status)
    if description:
        event.add("description", clean_lines(description))
    return event


async def _enter_network(session: AsyncSession, token: str) -> None:
    """Feeds are read without a login: the token names the network to read in."""
    network_id = await network_of(session, "calendar", token) if token else None
    if network_id is not None:
        await use_network(session, network_id)


async def item_feed(session: AsyncSession, token: str) -> bytes:
    await _enter_network(session, token)
    item = await session.scalar(select(Item).where(col(Item.calendar_token) == token))
    if item is None or not token:
        raise NotFound("calendar.not_found")
    since = clock.now() - PAST
    rows = await session.execute(
        select(Occupancy, col(Block.reason))
        .outerjoin(Block, col(Block.id) == col(Occupancy.block_id))
        .where(col(Occupancy.item_id) == item.id, col(Occupancy.end_at) > since)
        .order_by(col(Occupancy.start_at))
    )
    cal = _calendar(item.name)
    for occupancy, reason in rows.all():
        if occupancy.booking_id is not None:
            uid, summary = f"booking-{occupancy.booking_id}", f"{item.name}: {gettext_de('bookings.busy_booking')}"
        else:
            uid, summary = f"block-{occupancy.block_id}", f"{item.name}: {gettext_de('bookings.busy_block')}"
        cal.add_component(_event(uid, occupancy.start_at, occupancy.end_at, summary,
                                 description=reason if occupancy.block_id else None))
    feed: bytes = cal.to_ical()
    return feed


async def farmer_feed(session: AsyncSession, token: str) -> bytes:
    await _enter_network(session, token)
    user = await session.scalar(select(User).where(col(User.calendar_token) == token))
    if user is None or not token:
        raise NotFound("calendar.not_found")
    since = clock.now() - PAST
    rows = await session.execute(
        select(Booking, Item)
        .join(Item, col(Item.id) == col(Booking.item_id))
        .where(col(Booking.farmer_id) == user.id, col(Booking.end_at) > since,
               col(Booking.status).in_([BookingStatus.requested, BookingStatus.approved, BookingStatus.completed]))
        .order_by(col(Booking.start_at))
    )
    cal = _calendar(gettext_de("bookings.title"))
    for booking, item in rows.all():
        status_word = gettext_de(f"status.{booking.status}")
        cal.add_component(_event(
            f"booking-{booking.id}", booking.start_at, booking.end_at, f"{item.name} ({status_word})",
            description=booking.note, status="TENTATIVE" if booking.status == BookingStatus.requested else "CONFIRMED",
        ))
    feed: bytes = cal.to_ical()
    return feed
