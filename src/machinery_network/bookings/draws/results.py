"""Reading and replaying draws: a draw with its entries, the item's draws, the reasons in words, a
farmer's season hours, and the replay of the allocation from the stored seed and entries.

The result is public within the network: staff of the item's municipality, admins and every farmer
see it (farmers see the other farmers only as numbers, ``api.draws.draw_public``). ``replay`` runs the
allocation again from the stored seed, requests, season hours and taken periods: the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor
from machinery_network.bookings.allocation import Decision, Request, allocate
from machinery_network.bookings.draw_models import Draw, DrawEntry
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.errors import NotAllowed, NotFound
from machinery_network.i18n import translate
from machinery_network.money import format_decimal_de
from machinery_network.paging import Page, PageRequest, finish, keyset

WON_OR_USED = (BookingStatus.approved.value, BookingStatus.completed.value)
DRAW_ORDER = "draws:period-desc"
HOURS = Decimal("0.001")


@dataclass
class DrawResult:
    draw: Draw
    item: Item
    entries: list[DrawEntry]
    names: dict[int, str]


async def get_draw(session: AsyncSession, actor: Actor, draw_id: int) -> DrawResult:
    """A draw with its entries: staff of the item's municipality, admin, and every farmer (the result
    is public within the network; farmers see the other farmers' names only as numbers)."""
    draw = await session.get(Draw, draw_id)
    if draw is None:
        raise NotFound("draw.not_found", id=draw_id)
    item = await get_item(session, draw.item_id)
    if actor.role in (Role.yard_head, Role.finance) and actor.municipality_id != item.municipality_id:
        raise NotAllowed("auth.wrong_municipality")
    entries = list(await session.scalars(select(DrawEntry).where(col(DrawEntry.draw_id) == draw_id)
                                         .order_by(col(DrawEntry.position))))
    names: dict[int, str] = {}
    if entries:
        rows = await session.execute(select(col(User.id), col(User.name)).where(
            col(User.id).in_({e.farmer_id for e in entries})))
        names = {user_id: name for user_id, name in rows if user_id is not None}
    return DrawResult(draw, item, entries, names)


async def list_draws(session: AsyncSession, item_id: int) -> list[Draw]:
    await get_item(session, item_id)
    return list(await session.scalars(select(Draw).where(col(Draw.item_id) == item_id)
                                      .order_by(col(Draw.period_start).desc())))


async def page_draws(session: AsyncSession, item_id: int, page: PageRequest) -> Page[Draw]:
    """One page of the item's draws, the latest period first (``uq_draws_item_period``: one draw per period)."""
    await get_item(session, item_id)
    period_start = Draw.metadata.tables["draws"].c.period_start  # the Core column the keyset compares
    stmt = keyset(select(Draw).where(col(Draw.item_id) == item_id), (period_start,), page, descending=True)
    return finish(list(await session.scalars(stmt)), page, lambda d: (d.period_start,))


def reason_text(reason: str, season_hours: Decimal, draw_id: int | None, seed: int, lang: str = "de") -> str:
    """Why the farmer got the slot or not, in words (the waiting request's reason and the result page)."""
    return translate(f"draw.reason.{reason}", lang, id=draw_id, seed=seed,
                     hours=format_decimal_de(Decimal(season_hours).quantize(Decimal("0.01"))))


async def season_hours(
    session: AsyncSession, item_id: int, farmer_ids: set[int], since: datetime, until: datetime
) -> dict[int, Decimal]:
    """Each farmer's hours of the item from ``since`` (the contested season's first day) to ``until``
    (the drawn week), of his approved or completed bookings."""
    if not farmer_ids:
        return {}
    start, end = col(Booking.start_at), col(Booking.end_at)
    seconds = func.sum(func.extract("epoch", func.least(end, until) - func.greatest(start, since)))
    rows = await session.execute(
        select(col(Booking.farmer_id), seconds)
        .where(col(Booking.item_id) == item_id, col(Booking.farmer_id).in_(farmer_ids),
               col(Booking.status).in_(WON_OR_USED), start < until, end > since)
        .group_by(col(Booking.farmer_id)))
    return {farmer: (Decimal(s) / Decimal(3600)).quantize(HOURS) for farmer, s in rows}


def replay(result: DrawResult) -> list[Decision]:
    """The allocation run again from the stored seed, requests, season hours and taken periods."""
    entries = result.entries
    requests = [Request(e.booking_id, e.farmer_id, e.start_at, e.end_at) for e in entries]
    hours = {e.farmer_id: e.season_hours for e in entries}
    occupied = [(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in result.draw.occupied]
    return allocate(requests, hours, occupied, result.draw.seed, buffer_minutes=result.item.buffer_minutes)


def replays(result: DrawResult) -> bool:
    """Whether the replay gives exactly the stored decisions (a won request the constraint refused
    would show here: it never does under the locks)."""
    stored = [(e.booking_id, e.position, e.won, e.reason, e.against_booking_id) for e in result.entries]
    again = [(d.booking_id, d.position, d.won, d.reason.value, d.against_booking_id) for d in replay(result)]
    return stored == again
