"""The fair draw for contested days (issue #18): contested seasons, collecting, running, replaying.

- The yard head marks an item as contested from one day to another (``mark_contested``) with a weekly
  deadline (weekday and local time, e.g. Thursday 12:00): the deadline of a week (Monday to Monday,
  local time) is that weekday and time in the week before it.
- A request for a day of a contested season whose week has not been drawn yet is collected: status
  ``requested`` with ``in_draw`` (set by the request statement, ``statements.request_lookup``); the
  yard head cannot approve it by hand (``service.approve``).
- After the deadline, ``draw_weeks`` allocates each due week once (``run_draw`` for one item by hand, the
  scheduler's ``run_due_draws`` for all due weeks of a network in one transaction, set-based): under a
  transaction advisory lock per item
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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import and_, func, insert, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import SYSTEM, Actor, require_for_municipality
from machinery_network.bookings import notices
from machinery_network.bookings.allocation import Decision, Reason, Request, allocate
from machinery_network.bookings.draw_models import ContestedSeason, Draw, DrawEntry
from machinery_network.bookings.models import Booking, BookingStatus, Occupancy
from machinery_network.bookings.queries import OCCUPANCY_LOCK_CLASS
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
from machinery_network.paging import Page, PageRequest, finish, keyset

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


@dataclass
class _Week:
    """One (item, week) being drawn: what the allocation reads and what it decided."""

    due: DueWeek
    item: Item
    seed: int
    start: datetime
    end: datetime
    requests: list[Request] = field(default_factory=list)
    estimates: dict[int, int | None] = field(default_factory=dict)
    occupied: list[tuple[datetime, datetime]] = field(default_factory=list)
    draw_id: int | None = None


@dataclass
class DrawOutcome:
    drawn: dict[tuple[int, date], int] = field(default_factory=dict)  # (item, week) → draw id
    busy: set[int] = field(default_factory=set)  # items another transaction is drawing
    already: set[tuple[int, date]] = field(default_factory=set)  # weeks drawn meanwhile


async def draw_weeks(
    session: AsyncSession, actor: Actor, weeks: list[tuple[DueWeek, Item]], settings: Settings, *,
    trigger: str, seeds: dict[int, int] | None = None,
) -> DrawOutcome:
    """Draw ``weeks`` (due ones, with their items) in the session's transaction, set-based: a dozen
    statements whatever their number. Each item is drawn under its advisory lock (``DRAW_LOCK``, tried:
    an item another transaction is drawing is left out); each week's draw row is claimed with
    ``INSERT … ON CONFLICT DO NOTHING`` on the unique (item, week) (a week drawn meanwhile is left out);
    winners are approved by the approval statement under the items' occupancy locks (the exclusion
    constraint stays the guarantee), the others rejected with their reason and told by mail."""
    outcome = DrawOutcome()
    if not weeks:
        return outcome
    now = clock.now()
    ids = sorted({due.item_id for due, _ in weeks})
    locked = set(await session.scalars(
        text("SELECT id FROM unnest(CAST(:ids AS integer[])) AS id WHERE pg_try_advisory_xact_lock(:ns, id)"),
        {"ids": ids, "ns": DRAW_LOCK}))
    outcome.busy = set(ids) - locked
    todo = {(due.item_id, due.week): _Week(due, item, (seeds or {}).get(item.id) or secrets.randbits(63),
                                           *week_bounds(due.week, settings))
            for due, item in weeks if due.item_id in locked}
    if not todo:
        return outcome
    bookings = Booking.__table__
    by_week: dict[date, list[_Week]] = {}
    for w in todo.values():
        by_week.setdefault(w.due.week, []).append(w)
    rows = await session.execute(
        select(bookings.c.id, bookings.c.item_id, bookings.c.farmer_id, bookings.c.start_at, bookings.c.end_at,
               bookings.c.estimated_cents)
        .where(bookings.c.in_draw, bookings.c.status == BookingStatus.requested.value,
               or_(*(and_(bookings.c.item_id.in_([w.item.id for w in ws]), bookings.c.start_at >= ws[0].start,
                          bookings.c.start_at < ws[0].end) for ws in by_week.values())))
        .order_by(bookings.c.id)
        .with_for_update())
    for row in rows:
        w = todo[(row.item_id, week_start(row.start_at.astimezone(settings.tz).date()))]
        w.requests.append(Request(row.id, row.farmer_id, row.start_at, row.end_at))
        w.estimates[row.id] = row.estimated_cents
    busy_items = sorted({w.item.id for w in todo.values() if w.requests})
    if busy_items:  # the occupancy locks of the approvals, taken in one order
        await session.execute(text("SELECT pg_advisory_xact_lock(:ns, id) FROM "
                                   "(SELECT unnest(CAST(:ids AS integer[])) AS id ORDER BY 1) AS items"),
                              {"ns": OCCUPANCY_LOCK_CLASS, "ids": busy_items})
        occupancies = Occupancy.__table__
        for ws in by_week.values():
            wanted = [w.item.id for w in ws if w.requests]
            if not wanted:
                continue
            start, end = ws[0].start - timedelta(days=1), ws[0].end + timedelta(days=1)
            for row in await session.execute(
                select(occupancies.c.item_id, occupancies.c.start_at, occupancies.c.end_at)
                .where(occupancies.c.item_id.in_(wanted), occupancies.c.start_at < end, occupancies.c.end_at > start)
                .order_by(occupancies.c.start_at)
            ):
                todo[(row.item_id, ws[0].due.week)].occupied.append((row.start_at, row.end_at))
    # Exactly once per (item, week): the unique constraint decides.
    draws = Draw.__table__
    claimed = await session.execute(
        pg_insert(draws).values([
            {"item_id": w.item.id, "season_id": w.due.season_id, "period_start": w.due.week,
             "period_end": w.due.week + timedelta(days=6), "seed": w.seed,
             "occupied": [[s.isoformat(), e.isoformat()] for s, e in w.occupied], "trigger": trigger,
             "actor_id": actor.id, "ran_at": now}
            for w in todo.values()])
        .on_conflict_do_nothing(constraint="uq_draws_item_period")
        .returning(draws.c.id, draws.c.item_id, draws.c.period_start))
    for draw_id, item_id, week in claimed:
        todo[(item_id, week)].draw_id = draw_id
        outcome.drawn[(item_id, week)] = draw_id
    outcome.already = {key for key, w in todo.items() if w.draw_id is None}
    drawing = [w for w in todo.values() if w.draw_id is not None and w.requests]
    if not drawing:
        return outcome
    hours = await _season_hours_of(session, drawing, settings)
    conn = await driver(session)
    winners: list[tuple[_Week, Decision]] = []
    decided: list[tuple[_Week, Decision]] = []
    for w in drawing:
        for decision in allocate(w.requests, hours.get(w.item.id, {}), w.occupied, w.seed,
                                 buffer_minutes=w.item.buffer_minutes):
            decided.append((w, decision))
            if decision.won:
                winners.append((w, decision))
    requests = {r.booking_id: r for w in drawing for r in w.requests}
    approved = await _approve_all(conn, actor, winners, requests, now, settings)
    entries, rejected = [], []
    for w, d in decided:
        won, reason = d.won, d.reason
        if won and d.booking_id not in approved:  # refused by the constraint: never under the locks
            won, reason = False, Reason.occupied
        r = requests[d.booking_id]
        entries.append({"draw_id": w.draw_id, "booking_id": d.booking_id, "farmer_id": d.farmer_id,
                        "start_at": r.start, "end_at": r.end, "season_hours": d.season_hours,
                        "position": d.position, "won": won, "reason": reason.value,
                        "against_booking_id": d.against_booking_id})
        if not won:
            rejected.append((w, r, reason_text(reason.value, d.season_hours, w.draw_id, w.seed)))
    if rejected:
        ids_, reasons = [r.booking_id for _, r, _ in rejected], [t for _, _, t in rejected]
        params = {"ids": ids_, "reasons": reasons, "actor": actor.id, "now": now}
        await session.execute(text(
            "UPDATE bookings b SET status = 'rejected', reject_reason = v.reason, decided_by = :actor, "
            "decided_at = :now FROM unnest(CAST(:ids AS integer[]), CAST(:reasons AS text[])) AS v(id, reason) "
            "WHERE b.id = v.id"), params)
        await session.execute(text(
            "INSERT INTO booking_events (booking_id, actor_id, from_status, to_status, note, at) "
            "SELECT v.id, :actor, 'requested', 'rejected', v.reason, :now "
            "FROM unnest(CAST(:ids AS integer[]), CAST(:reasons AS text[])) AS v(id, reason)"), params)
        await notices.notify_rejected_many(
            session, [(r.farmer_id, r.start, r.end, w.estimates.get(r.booking_id), w.item, reason)
                      for w, r, reason in rejected], settings)
    await session.execute(insert(DrawEntry.__table__), entries)
    await session.flush()
    log.info("%d draws (%s): %d requests, %d won", len(outcome.drawn), trigger, len(entries), len(approved))
    return outcome


async def _season_hours_of(session: AsyncSession, weeks: list[_Week], settings: Settings) -> dict[int, dict[int, Decimal]]:
    """For each item, each farmer's hours of it from its contested season's first day to the drawn week
    (approved or completed bookings): one statement for all items."""
    rows = await session.execute(text(
        "SELECT b.item_id, b.farmer_id, sum(extract(epoch FROM least(b.end_at, w.until) - greatest(b.start_at, w.since))) "
        "FROM bookings b JOIN unnest(CAST(:items AS integer[]), CAST(:sinces AS timestamptz[]), "
        "CAST(:untils AS timestamptz[])) AS w(item_id, since, until) ON b.item_id = w.item_id "
        "WHERE b.status IN ('approved', 'completed') AND b.start_at < w.until AND b.end_at > w.since "
        "GROUP BY b.item_id, b.farmer_id"),
        {"items": [w.item.id for w in weeks],
         "sinces": [datetime.combine(w.due.first_day, time(), settings.tz) for w in weeks],
         "untils": [w.start for w in weeks]})
    hours: dict[int, dict[int, Decimal]] = {}
    for item_id, farmer_id, seconds in rows:
        hours.setdefault(item_id, {})[farmer_id] = (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.001"))
    return hours


async def _approve_all(conn: asyncpg.Connection, actor: Actor, winners: list[tuple[_Week, Decision]],
                       requests: dict[int, Request], now: datetime, settings: Settings) -> set[int]:
    """The winners approved by the approval statement (one pipelined batch); returns the approved ids."""
    if not winners:
        return set()
    statement = approval_statement()
    batch = []
    for w, d in winners:
        r = requests[d.booking_id]
        batch.append(statement.args({
            "item_id": w.item.id, "booking_id": r.booking_id, "start": r.start, "end": r.end,
            "actor_id": actor.id, "now": now,
            **notices.decision_params(
                "approved", farmer_id=r.farmer_id, municipality_id=w.item.municipality_id, item_name=w.item.name,
                start=r.start, end=r.end, estimated_cents=w.estimates.get(r.booking_id), now=now, settings=settings,
            ),
        }))
    # One plan for the batch: planning the statement (four CTEs) costs more than running it, and its
    # generic plan is the custom one (every lookup by key, the overlap through the GiST index).
    await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    try:
        await conn.executemany(statement.sql, batch)
    except asyncpg.ExclusionViolationError as exc:  # the constraint's word; the transaction is lost
        raise Conflict("booking.overlap_gone") from exc
    await conn.execute("SET LOCAL plan_cache_mode = DEFAULT")
    ids = [d.booking_id for _, d in winners]
    return {row[0] for row in await conn.fetch(
        "SELECT id FROM bookings WHERE id = ANY($1::integer[]) AND status = 'approved'", ids)}


async def run_draw(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, trigger: str = "hand",
    seed: int | None = None, due: DueWeek | None = None,
) -> DrawResult:
    """Run the item's due draw: the earliest week past its deadline and not drawn yet (or ``due``, as the
    scheduler found it; the unique constraint still refuses a week drawn meanwhile)."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head, admin=actor is SYSTEM)
    if due is None:
        seasons = list(await session.scalars(select(ContestedSeason).where(ContestedSeason.item_id == item.id)))
        drawn = {(item.id, week) for week in await session.scalars(
            select(Draw.period_start).where(Draw.item_id == item.id))}
        due = next(iter(due_weeks(seasons, drawn, clock.now(), settings)), None)
        if due is None:
            raise Conflict("draw.none_due")
    outcome = await draw_weeks(session, actor, [(due, item)], settings, trigger=trigger,
                               seeds={item.id: seed} if seed is not None else None)
    if item.id in outcome.busy:
        raise Conflict("draw.busy")
    if (item.id, due.week) not in outcome.drawn:
        raise Conflict("draw.already_run")
    return await get_draw(session, actor, outcome.drawn[(item.id, due.week)])


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


def reason_text(reason: str, season_hours: Decimal, draw_id: int | None, seed: int, lang: str = "de") -> str:
    """Why the farmer got the slot or not, in words (the rejection's reason and the result page)."""
    return translate(f"draw.reason.{reason}", lang, id=draw_id, seed=seed,
                     hours=format_decimal_de(Decimal(season_hours).quantize(Decimal("0.01"))))


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


DRAW_ORDER = "draws:period-desc"


async def page_draws(session: AsyncSession, item_id: int, page: PageRequest) -> Page[Draw]:
    """One page of the item's draws, the latest period first (``uq_draws_item_period``: one draw per period)."""
    await get_item(session, item_id)
    stmt = keyset(select(Draw).where(Draw.item_id == item_id), (Draw.period_start,), page, descending=True)
    return finish(list(await session.scalars(stmt)), page, lambda d: (d.period_start,))


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
    """The scheduler's job: every due draw of every network, a network's in one transaction (set-based,
    see ``draw_weeks``); if that fails, item by item, each in its own. A draw another process is running
    (lock) or has run (unique constraint) is skipped. Returns the draw ids."""
    done: list[int] = []
    async with session_scope(sessionmaker) as session:
        networks = await network_ids(session)
    for network_id in networks:
        maker = for_network(sessionmaker, network_id)
        async with session_scope(maker) as session:
            due = await find_due(session, settings)
        if not due:
            continue
        try:
            async with session_scope(maker) as session:
                items = {item.id: item for item in await session.scalars(
                    select(Item).where(Item.id.in_({d.item_id for d in due})))}
                outcome = await draw_weeks(session, SYSTEM, [(d, items[d.item_id]) for d in due if d.item_id in items],
                                           settings, trigger="scheduler")
            done += outcome.drawn.values()
            continue
        except Exception:  # noqa: BLE001 - logged; item by item below
            log.exception("the due draws of network %s failed together; drawing item by item", network_id)
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
