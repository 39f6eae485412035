"""Contested seasons and their weeks: marking an item as contested, the weekly deadline, which weeks are
due for the draw, and whether a collected request still waits for it.

The yard head marks an item as contested from one day to another (``mark_contested``) with a weekly
deadline (weekday and local time, e.g. Thursday 12:00): the deadline of a week (Monday to Monday, local
time) is that weekday and time in the week before it. A request for a day of a contested season whose
week has not been drawn yet is collected: status ``requested`` with ``in_draw`` (set by the request
statement, ``statements.request_lookup``); the yard head cannot approve it by hand (``pending_draw``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.draw_models import ContestedSeason, Draw
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import EXCLUSION_VIOLATION, sqlstate
from machinery_network.errors import Conflict, Invalid


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def deadline_of(week: date, season: ContestedSeason, settings: Settings) -> datetime:
    """When requests for the week starting ``week`` (a Monday) stop being collected."""
    day = week - timedelta(days=7) + timedelta(days=season.deadline_weekday - 1)
    return datetime.combine(day, season.deadline_time, settings.tz)


def week_bounds(week: date, settings: Settings) -> tuple[datetime, datetime]:
    """The week as instants: Monday 00:00 to the next Monday 00:00, local time."""
    return (datetime.combine(week, time(), settings.tz), datetime.combine(week + timedelta(days=7), time(), settings.tz))


@dataclass
class SeasonInput:
    first_day: date
    last_day: date
    deadline_weekday: int
    deadline_time: time


async def mark_contested(session: AsyncSession, actor: Actor, item_id: int, data: SeasonInput) -> ContestedSeason:
    """The yard head of the item's municipality marks it as contested from ``first_day`` to ``last_day``."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    for name in ("first_day", "last_day"):
        if not 2000 <= getattr(data, name).year < 2200:
            raise Invalid("field.date", field=name)
    if data.last_day < data.first_day:
        raise Invalid("draw.season_days", field="last_day")
    if (data.last_day - data.first_day).days > 366:
        raise Invalid("draw.season_too_long", field="last_day")
    if not 1 <= data.deadline_weekday <= 7:
        raise Invalid("draw.deadline_weekday", field="deadline_weekday")
    season = ContestedSeason(item_id=item_id, first_day=data.first_day, last_day=data.last_day,
                             deadline_weekday=data.deadline_weekday, deadline_time=data.deadline_time,
                             created_by=actor.id, created_at=clock.now())
    try:
        async with session.begin_nested():
            session.add(season)
            await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            raise Conflict("draw.season_overlap") from exc
        raise
    return season


async def list_seasons(session: AsyncSession, item_id: int) -> list[ContestedSeason]:
    await get_item(session, item_id)
    return list(await session.scalars(
        select(ContestedSeason).where(col(ContestedSeason.item_id) == item_id)
        .order_by(col(ContestedSeason.first_day))))


class Collectable(Protocol):
    """What ``pending_draw`` reads of a booking (a ``Booking`` or the approval's ``BookingData``)."""

    in_draw: bool
    item_id: int
    start_at: datetime


async def pending_draw(session: AsyncSession, booking: Collectable, settings: Settings) -> bool:
    """Whether a request collected for the draw still waits for it (then no hand approval). A request
    that slipped in while its week was being drawn is an ordinary request afterwards."""
    if not booking.in_draw:
        return False
    week = week_start(booking.start_at.astimezone(settings.tz).date())
    drawn = await session.scalar(select(col(Draw.id)).where(col(Draw.item_id) == booking.item_id,
                                                       col(Draw.period_start) == week))
    return drawn is None


@dataclass(frozen=True)
class DueWeek:
    """A week of a contested season whose deadline has passed and that has not been drawn."""

    item_id: int
    season_id: int
    first_day: date
    week: date


def due_weeks(seasons: list[ContestedSeason], drawn: set[tuple[int, date]], now: datetime,
              settings: Settings) -> list[DueWeek]:
    """Every due week of ``seasons`` (``drawn``: the (item, week) pairs drawn already), earliest first."""
    due = []
    for season in seasons:
        assert season.id is not None  # stored seasons
        week = week_start(season.first_day)
        while week <= season.last_day and deadline_of(week, season, settings) <= now:
            if (season.item_id, week) not in drawn and week_bounds(week, settings)[1] > now:
                due.append(DueWeek(season.item_id, season.id, season.first_day, week))
            week += timedelta(days=7)
    return sorted(due, key=lambda d: (d.week, d.item_id))


async def due_of_item(session: AsyncSession, item_id: int, now: datetime, settings: Settings) -> DueWeek | None:
    """The item's earliest due week, if any."""
    seasons = list(await session.scalars(select(ContestedSeason).where(col(ContestedSeason.item_id) == item_id)))
    drawn = {(item_id, week) for week in await session.scalars(
        select(col(Draw.period_start)).where(col(Draw.item_id) == item_id))}
    return next(iter(due_weeks(seasons, drawn, now, settings)), None)


async def find_due(session: AsyncSession, settings: Settings) -> list[DueWeek]:
    """Every due week of the network's contested seasons that are running (two queries)."""
    now = clock.now()
    today = now.astimezone(settings.tz).date()
    seasons = list(await session.scalars(
        select(ContestedSeason).where(col(ContestedSeason.last_day) >= today - timedelta(days=7),
                                      col(ContestedSeason.first_day) <= today + timedelta(days=14))))
    if not seasons:
        return []
    drawn = {(item_id, week) for item_id, week in (await session.execute(
        select(col(Draw.item_id), col(Draw.period_start)).where(
            col(Draw.item_id).in_({s.item_id for s in seasons}),
            col(Draw.period_start) >= week_start(min(s.first_day for s in seasons)))))}
    return due_weeks(seasons, drawn, now, settings)
