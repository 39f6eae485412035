"""Repeating bookings (issue #18): "every Tuesday 7–11 from May to September".

A series writes one ordinary request per occurrence (``service.request``, with ``series_id``), so each
goes through the booking rules, the overlap check and, on a contested day, the draw, and is decided on
its own. Occurrences that cannot be requested are listed on creation: the conflicts (an approved
booking or a block in the way) and the refusals (a booking rule, a start in the past or beyond the
horizon). A series that would create none is refused (422) and leaves nothing behind. At most
``MAX_OCCURRENCES`` occurrences. ``cancel_series`` cancels every open occurrence that has not started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.bookings import service
from machinery_network.bookings.draw_models import BookingSeries
from machinery_network.bookings.models import Booking, BookingData, BookingStatus
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.i18n import translate

MAX_OCCURRENCES = 60
OPEN = (BookingStatus.requested, BookingStatus.approved, BookingStatus.waiting, BookingStatus.offered)
# Refusals that concern the whole series, not one day: raised as they are.
WHOLE_SERIES = ("booking.item_inactive", "booking.no_operator", "item.not_found")


@dataclass
class SeriesInput:
    item_id: int
    weekdays: list[int]
    start_time: time
    end_time: time
    first_day: date
    last_day: date
    with_operator: bool = False
    expected_quantity: Any = None
    note: str | None = None


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: Sequence[BookingData | Booking] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def occurrences(weekdays: list[int], first_day: date, last_day: date) -> list[date]:
    """The days from ``first_day`` to ``last_day`` (both included) on one of the ISO ``weekdays``."""
    wanted = set(weekdays)
    days: list[date] = []
    day = first_day
    while day <= last_day and len(days) <= MAX_OCCURRENCES:
        if day.isoweekday() in wanted:
            days.append(day)
        day += timedelta(days=1)
    return days


def _check(data: SeriesInput) -> list[date]:
    if not data.weekdays or any(not 1 <= d <= 7 for d in data.weekdays):
        raise Invalid("series.weekdays", field="weekdays")
    if data.end_time <= data.start_time:
        raise Invalid("series.times", field="end_time")
    for name, field_name in (("first_day", "from"), ("last_day", "until")):
        if not 2000 <= getattr(data, name).year < 2200:
            raise Invalid("field.date", field=field_name)
    if data.last_day < data.first_day:
        raise Invalid("series.days", field="until")
    days = occurrences(data.weekdays, data.first_day, data.last_day)
    if not days:
        raise Invalid("series.no_days", field="weekdays")
    if len(days) > MAX_OCCURRENCES:
        raise Invalid("series.too_many", field="until", limit=MAX_OCCURRENCES,
                      extra={"field": "until", "limit": MAX_OCCURRENCES,
                             "message": translate("series.too_many", "de", limit=MAX_OCCURRENCES)})
    return days


async def create_series(session: AsyncSession, actor: Actor, data: SeriesInput, settings: Settings) -> SeriesResult:
    """A farmer's repeating booking: one request per occurrence, the rest listed."""
    require_role(actor, Role.farmer)
    days = _check(data)
    assert actor.id is not None  # a farmer is a user
    await get_item(session, data.item_id)  # 404 before anything is written
    series = BookingSeries(item_id=data.item_id, farmer_id=actor.id, weekdays=sorted(set(data.weekdays)),
                           start_time=data.start_time, end_time=data.end_time, first_day=data.first_day,
                           last_day=data.last_day, with_operator=data.with_operator, note=data.note,
                           created_at=clock.now())
    session.add(series)
    await session.flush()
    made: list[BookingData | Booking] = []
    result = SeriesResult(series, made)
    tz = settings.tz
    for day in days:
        start, end = datetime.combine(day, data.start_time, tz), datetime.combine(day, data.end_time, tz)
        request = BookingCreate(item_id=data.item_id, start=start, end=end, with_operator=data.with_operator,
                                expected_quantity=data.expected_quantity, note=data.note)
        try:
            made.append(await service.request(session, actor, request, settings, series_id=series.id))
        except Conflict as exc:
            conflict = (exc.extra or {}).get("conflict")
            result.conflicts.append({"date": day.isoformat(), "start": start.isoformat(), "end": end.isoformat(),
                                     "conflict": conflict, "message": exc.message("de")})
        except Invalid as exc:
            if exc.key in WHOLE_SERIES:
                raise
            rule = (exc.extra or {}).get("rule") if isinstance(exc.extra, dict) else None
            result.refused.append({"date": day.isoformat(), "start": start.isoformat(), "end": end.isoformat(),
                                   "rule": rule or exc.key, "message": exc.message("de")})
    if not result.bookings:
        raise Invalid("series.nothing_created", field="weekdays",
                      extra={"field": "weekdays", "conflicts": result.conflicts, "refused": result.refused,
                             "message": translate("series.nothing_created", "de")})
    return result


async def _load(session: AsyncSession, actor: Actor, series_id: int, *, lock: bool = False) -> BookingSeries:
    stmt = select(BookingSeries).where(col(BookingSeries.id) == series_id)
    series = await session.scalar(stmt.with_for_update() if lock else stmt)
    if series is None:
        raise NotFound("series.not_found", id=series_id)
    if actor.role == Role.farmer and series.farmer_id != actor.id:
        raise NotAllowed()
    if actor.role != Role.farmer and not actor.is_admin:
        item = await get_item(session, series.item_id)
        if actor.role not in (Role.yard_head, Role.finance) or actor.municipality_id != item.municipality_id:
            raise NotAllowed()
    return series


async def occurrences_of(session: AsyncSession, series_id: int) -> list[Booking]:
    return list(await session.scalars(
        select(Booking).where(col(Booking.series_id) == series_id).order_by(col(Booking.start_at), col(Booking.id))
        .execution_options(populate_existing=True)))


async def get_series(session: AsyncSession, actor: Actor, series_id: int) -> SeriesResult:
    series = await _load(session, actor, series_id)
    return SeriesResult(series, list(await occurrences_of(session, series_id)))


async def cancel_series(session: AsyncSession, actor: Actor, series_id: int, settings: Settings) -> SeriesResult:
    """The farmer cancels every open occurrence that has not started; the others stay as they are."""
    require_role(actor, Role.farmer)
    series = await _load(session, actor, series_id, lock=True)
    now = clock.now()
    for booking in await occurrences_of(session, series_id):
        if booking.status in OPEN and booking.start_at > now:
            assert booking.id is not None
            await service.cancel(session, actor, booking.id, settings)
    series.cancelled_at = now
    await session.flush()
    return SeriesResult(series, list(await occurrences_of(session, series_id)))


async def list_series(session: AsyncSession, actor: Actor) -> list[BookingSeries]:
    """The farmer's own series, newest first."""
    require_role(actor, Role.farmer)
    return list(await session.scalars(select(BookingSeries).where(col(BookingSeries.farmer_id) == actor.id)
                                      .order_by(col(BookingSeries.id).desc()).limit(100)))
