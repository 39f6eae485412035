"""The fair draw for contested days (issue #18): contested seasons, collecting, running, replaying.

- The yard head marks an item as contested from one day to another (``mark_contested``) with a weekly
  deadline (weekday and local time, e.g. Thursday 12:00): the deadline of a week (Monday to Monday,
  local time) is that weekday and time in the week before it.
- A request for a day of a contested season whose week has not been drawn yet is collected: status
  ``requested`` with ``in_draw`` (set by the request statement, ``statements.request_lookup``); the
  yard head cannot approve it by hand (``service.approve``).
- After the deadline, ``run_draw`` allocates the week once: under a transaction advisory lock per item
  (``DRAW_LOCK``) and the unique constraint ``uq_draws_item_period`` (a second run is refused, as a
  second settlement is). The seed is drawn fresh (``secrets``) and stored; the allocation is
  ``allocation.allocate``; winners are approved by the approval statement (the exclusion constraint
  stays the guarantee), the others rejected with their reason; every farmer gets a mail.
- ``replay`` runs the allocation again from the stored seed and entries: the same decisions.

The scheduler calls ``run_due_draws`` every few minutes; the yard head ``POST /items/{id}/draws``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import SYSTEM, Actor, require_for_municipality
from machinery_network.bookings import notices
from machinery_network.bookings.allocation import Decision, Reason, Request, allocate
from machinery_network.bookings.draw_models import ContestedSeason, Draw, DrawEntry
from machinery_network.bookings.models import Booking, BookingEvent, BookingStatus, Occupancy
from machinery_network.bookings.queries import lock_item
from machinery_network.bookings.statements import approval_statement
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import (
    EXCLUSION_VIOLATION,
    driver,
    for_network,
    network_ids,
    session_scope,
    sqlstate,
)
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.i18n import translate
from machinery_network.money import format_decimal_de

log = logging.getLogger(__name__)

DRAW_LOCK = 7302  # first key of pg_advisory_xact_lock(int, int): the draws of one item
WON_OR_USED = (BookingStatus.approved.value, BookingStatus.completed.value)


# --- weeks and deadlines ----------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def deadline_of(week: date, season: ContestedSeason, settings: Settings) -> datetime:
    """When requests for the week starting ``week`` (a Monday) stop being collected."""
    day = week - timedelta(days=7) + timedelta(days=season.deadline_weekday - 1)
    return datetime.combine(day, season.deadline_time, settings.tz)


def week_bounds(week: date, settings: Settings) -> tuple[datetime, datetime]:
    """The week as instants: Monday 00:00 to the next Monday 00:00, local time."""
    return (datetime.combine(week, time(), settings.tz), datetime.combine(week + timedelta(days=7), time(), settings.tz))


# --- contested seasons ------------------------------------------------------------------------------


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
    season = ContestedSeason(item_id=item.id, first_day=data.first_day, last_day=data.last_day,
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
        select(ContestedSeason).where(ContestedSeason.item_id == item_id).order_by(ContestedSeason.first_day)))


async def pending_draw(session: AsyncSession, booking: Any, settings: Settings) -> bool:
    """Whether a request collected for the draw still waits for it (then no hand approval). A request
    that slipped in while its week was being drawn is an ordinary request afterwards."""
    if not booking.in_draw:
        return False
    week = week_start(booking.start_at.astimezone(settings.tz).date())
    drawn = await session.scalar(select(Draw.id).where(Draw.item_id == booking.item_id, Draw.period_start == week))
    return drawn is None


# --- running a draw ------------------------------------------------------------------------------


@dataclass
class DrawResult:
    draw: Draw
    item: Item
    entries: list[DrawEntry]
    names: dict[int, str]


async def _try_lock(session: AsyncSession, item_id: int) -> bool:
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:ns, :item)"),
                                     {"ns": DRAW_LOCK, "item": item_id}))


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
        week = week_start(season.first_day)
        while week <= season.last_day and deadline_of(week, season, settings) <= now:
            if (season.item_id, week) not in drawn and week_bounds(week, settings)[1] > now:
                due.append(DueWeek(season.item_id, season.id, season.first_day, week))
            week += timedelta(days=7)
    return sorted(due, key=lambda d: (d.week, d.item_id))


async def run_draw(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, trigger: str = "hand",
    seed: int | None = None, due: DueWeek | None = None,
) -> DrawResult:
    """Run the item's due draw: the earliest week past its deadline and not drawn yet (or ``due``, as the
    scheduler found it; the unique constraint still refuses a week drawn meanwhile)."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head, admin=actor is SYSTEM)
    if not await _try_lock(session, item.id):
        raise Conflict("draw.busy")
    now = clock.now()
    if due is None:
        seasons = list(await session.scalars(select(ContestedSeason).where(ContestedSeason.item_id == item.id)))
        drawn = {(item.id, week) for week in await session.scalars(
            select(Draw.period_start).where(Draw.item_id == item.id))}
        due = next(iter(due_weeks(seasons, drawn, now, settings)), None)
        if due is None:
            raise Conflict("draw.none_due")
    week = due.week
    start, end = week_bounds(week, settings)
    requests = list(await session.scalars(
        select(Booking)
        .where(Booking.item_id == item.id, Booking.in_draw, Booking.status == BookingStatus.requested,
               Booking.start_at >= start, Booking.start_at < end)
        .order_by(Booking.id)
        .with_for_update()
    ))
    occupied: list[tuple[datetime, datetime]] = []
    if requests:
        await lock_item(session, item.id)
        occupied = [(row.start_at, row.end_at) for row in await session.execute(
            select(Occupancy.start_at, Occupancy.end_at)
            .where(Occupancy.item_id == item.id, Occupancy.start_at < end + timedelta(days=1),
                   Occupancy.end_at > start - timedelta(days=1))
            .order_by(Occupancy.start_at))]
    draw = Draw(item_id=item.id, season_id=due.season_id, period_start=week, period_end=week + timedelta(days=6),
                seed=seed if seed is not None else secrets.randbits(63),
                occupied=[[s.isoformat(), e.isoformat()] for s, e in occupied], trigger=trigger,
                actor_id=actor.id, ran_at=now)
    # Exactly once per (item, week): the unique constraint decides, without a savepoint.
    draws = Draw.__table__
    draw.id = await session.scalar(
        pg_insert(draws).values({c.name: getattr(draw, c.name) for c in draws.c if c.name not in ("id", "network_id")})
        .on_conflict_do_nothing(constraint="uq_draws_item_period").returning(draws.c.id))
    if draw.id is None:
        raise Conflict("draw.already_run")
    if not requests:  # nothing collected: the week is drawn, later requests for it are ordinary ones
        return DrawResult(draw, item, [], {})
    since = datetime.combine(due.first_day, time(), settings.tz)
    hours = await season_hours(session, item.id, {b.farmer_id for b in requests}, since, start)
    decisions = allocate([Request(b.id, b.farmer_id, b.start_at, b.end_at) for b in requests], hours, occupied,
                         draw.seed, buffer_minutes=item.buffer_minutes)
    entries = await _apply(session, actor, draw, item, {b.id: b for b in requests}, decisions, settings)
    names = {} if trigger == "scheduler" else dict((await session.execute(  # the result page's, not the job's
        select(User.id, User.name).where(User.id.in_({e.farmer_id for e in entries})))).all())
    log.info("draw %s of item %s week %s: %d requests, %d won", draw.id, item.id, week, len(entries),
             sum(1 for e in entries if e.won))
    return DrawResult(draw, item, entries, names)


async def season_hours(
    session: AsyncSession, item_id: int, farmer_ids: set[int], since: datetime, until: datetime
) -> dict[int, Decimal]:
    """Each farmer's hours of the item from ``since`` (the contested season's first day) to ``until``
    (the drawn week), of his approved or completed bookings."""
    if not farmer_ids:
        return {}
    seconds = func.sum(func.extract("epoch", func.least(Booking.end_at, until) - func.greatest(Booking.start_at, since)))
    rows = await session.execute(
        select(Booking.farmer_id, seconds)
        .where(Booking.item_id == item_id, Booking.farmer_id.in_(farmer_ids), Booking.status.in_(WON_OR_USED),
               Booking.start_at < until, Booking.end_at > since)
        .group_by(Booking.farmer_id))
    return {farmer: (Decimal(s) / Decimal(3600)).quantize(Decimal("0.001")) for farmer, s in rows.all()}


def reason_text(entry: DrawEntry | Decision, draw: Draw, lang: str = "de") -> str:
    """Why the farmer got the slot or not, in words (the rejection's reason and the result page)."""
    return translate(f"draw.reason.{entry.reason}", lang, id=draw.id, seed=draw.seed,
                     hours=format_decimal_de(Decimal(entry.season_hours).quantize(Decimal("0.01"))))


async def _apply(
    session: AsyncSession, actor: Actor, draw: Draw, item: Item, bookings: dict[int, Booking],
    decisions: list[Decision], settings: Settings,
) -> list[DrawEntry]:
    """Approve the winners through the approval statement, reject the others with their reason, and
    record every decision."""
    conn = await driver(session)
    now = clock.now()
    entries, rejected = [], []
    for decision in decisions:
        booking = bookings[decision.booking_id]
        won, reason = decision.won, decision.reason
        if won:
            approved = await _approve(conn, actor, booking, item, now, settings)
            if approved:  # written by the statement: the loaded row learns it without a write of its own
                for name, value in (("status", BookingStatus.approved.value), ("decided_by", actor.id),
                                    ("decided_at", now)):
                    set_committed_value(booking, name, value)
            else:  # the constraint refused (cannot happen under the locks; the guarantee all the same)
                won, reason = False, Reason.occupied
        entry = DrawEntry(draw_id=draw.id, booking_id=booking.id, farmer_id=booking.farmer_id,
                          start_at=booking.start_at, end_at=booking.end_at, season_hours=decision.season_hours,
                          position=decision.position, won=won, reason=reason.value,
                          against_booking_id=decision.against_booking_id)
        entries.append(entry)
        if not won:
            text_de = reason_text(entry, draw)
            session.add(BookingEvent(booking_id=booking.id, actor_id=actor.id, from_status=booking.status,
                                     to_status=BookingStatus.rejected.value, note=text_de, at=now))
            booking.status = BookingStatus.rejected.value
            booking.reject_reason, booking.decided_by, booking.decided_at = text_de, actor.id, now
            rejected.append((booking, text_de))
    await notices.notify_rejected_many(session, rejected, item, settings)
    session.add_all(entries)
    await session.flush()
    return entries


async def _approve(conn: asyncpg.Connection, actor: Actor, booking: Booking, item: Item, now: datetime,
                   settings: Settings) -> bool:
    try:
        row = await approval_statement().fetchrow(conn, {
            "item_id": item.id, "booking_id": booking.id, "start": booking.start_at, "end": booking.end_at,
            "actor_id": actor.id, "now": now,
            **notices.decision_params(
                "approved", farmer_id=booking.farmer_id, municipality_id=item.municipality_id, item_name=item.name,
                start=booking.start_at, end=booking.end_at, estimated_cents=booking.estimated_cents, now=now,
                settings=settings,
            ),
        })
    except asyncpg.ExclusionViolationError:
        return False
    return row is not None


# --- reading and replaying ------------------------------------------------------------------------


async def get_draw(session: AsyncSession, actor: Actor, draw_id: int) -> DrawResult:
    """A draw with its entries: staff of the item's municipality, admin, and every farmer (the result
    is public within the network; farmers see the other farmers' names only as numbers)."""
    draw = await session.get(Draw, draw_id)
    if draw is None:
        raise NotFound("draw.not_found", id=draw_id)
    item = await get_item(session, draw.item_id)
    if actor.role in (Role.yard_head, Role.finance) and actor.municipality_id != item.municipality_id:
        raise NotAllowed("auth.wrong_municipality")
    entries = list(await session.scalars(select(DrawEntry).where(DrawEntry.draw_id == draw.id)
                                         .order_by(DrawEntry.position)))
    names = dict((await session.execute(select(User.id, User.name).where(
        User.id.in_({e.farmer_id for e in entries})))).all()) if entries else {}
    return DrawResult(draw, item, entries, names)


async def list_draws(session: AsyncSession, item_id: int) -> list[Draw]:
    await get_item(session, item_id)
    return list(await session.scalars(select(Draw).where(Draw.item_id == item_id).order_by(Draw.period_start.desc())))


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


# --- the scheduler ----------------------------------------------------------------------------------


async def find_due(session: AsyncSession, settings: Settings) -> list[DueWeek]:
    """Every due week of the network's contested seasons that are running (two queries)."""
    now = clock.now()
    today = now.astimezone(settings.tz).date()
    seasons = list(await session.scalars(
        select(ContestedSeason).where(ContestedSeason.last_day >= today - timedelta(days=7),
                                      ContestedSeason.first_day <= today + timedelta(days=14))))
    if not seasons:
        return []
    drawn = {(row.item_id, row.period_start) for row in await session.execute(
        select(Draw.item_id, Draw.period_start).where(
            Draw.item_id.in_({s.item_id for s in seasons}),
            Draw.period_start >= week_start(min(s.first_day for s in seasons))))}
    return due_weeks(seasons, drawn, now, settings)


async def run_due_draws(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> list[int]:
    """The scheduler's job: every due draw of every network, each in its own transaction. A draw
    another process is running (lock) or has run (unique constraint) is skipped. Returns the draw ids."""
    done: list[int] = []
    async with session_scope(sessionmaker) as session:
        networks = await network_ids(session)
    for network_id in networks:
        maker = for_network(sessionmaker, network_id)
        async with session_scope(maker) as session:
            due = await find_due(session, settings)
        for week in due:
            try:
                async with session_scope(maker) as session:
                    result = await run_draw(session, SYSTEM, week.item_id, settings, trigger="scheduler", due=week)
                    done.append(result.draw.id)
            except Conflict as exc:
                if exc.key not in ("draw.busy", "draw.already_run"):
                    log.warning("draw of item %s: %s", week.item_id, exc.message("en"))
            except Exception:  # noqa: BLE001 - logged; the next item still runs
                log.exception("draw of item %s failed", week.item_id)
    return done
