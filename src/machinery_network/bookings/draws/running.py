"""Running draws: after the deadline, each due week of a contested item is allocated exactly once, by
the scheduler (``run_due_draws``, every few minutes) or by the yard head (``run_draw``,
``POST /items/{id}/draws``).

``draw_weeks`` draws any number of due weeks in the session's transaction, set-based: under a
transaction advisory lock per item (``DRAW_LOCK``, tried: an item another transaction is drawing is
left out) and the unique constraint ``uq_draws_item_period`` (a week drawn meanwhile is left out, as a
second settlement is refused). The seed is drawn fresh (``secrets``) and stored; the allocation is
``allocation.allocate``; ``deciding.record`` approves the winners (the exclusion constraint decides),
puts the others on the waiting list with their reason and tells everyone.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import SYSTEM, Actor, require_for_municipality
from machinery_network.bookings.allocation import Request, allocate
from machinery_network.bookings.draw_models import Draw
from machinery_network.bookings.draws.deciding import Decided, record
from machinery_network.bookings.draws.results import HOURS, DrawResult, get_draw
from machinery_network.bookings.draws.seasons import DueWeek, due_of_item, find_due, week_bounds, week_start
from machinery_network.bookings.models import Booking, BookingStatus, Occupancy
from machinery_network.bookings.queries import OCCUPANCY_LOCK_CLASS
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.db import for_network, network_ids, session_scope
from machinery_network.errors import Conflict

log = logging.getLogger(__name__)

DRAW_LOCK = 7302  # first key of pg_advisory_xact_lock(int, int): the draws of one item


@dataclass
class _Week:
    """One (item, week) being drawn: what the allocation reads."""

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
    trigger: str, seeds: dict[int, int] | None = None, now: datetime | None = None,
) -> DrawOutcome:
    """Draw ``weeks`` (due ones, with their items) in the session's transaction, set-based: about a dozen
    statements whatever their number (``now``: when the draw runs, the clock's unless the demo's past
    draw gives one)."""
    outcome = DrawOutcome()
    if not weeks:
        return outcome
    now = now or clock.now()
    ids = sorted({due.item_id for due, _ in weeks})
    locked = set(await session.scalars(
        text("SELECT id FROM unnest(CAST(:ids AS integer[])) AS id WHERE pg_try_advisory_xact_lock(:ns, id)"),
        {"ids": ids, "ns": DRAW_LOCK}))
    outcome.busy = set(ids) - locked
    todo = {(due.item_id, due.week): _Week(due, item, (seeds or {}).get(due.item_id) or secrets.randbits(63),
                                           *week_bounds(due.week, settings))
            for due, item in weeks if due.item_id in locked}
    if not todo:
        return outcome
    by_week: dict[date, list[_Week]] = {}
    for w in todo.values():
        by_week.setdefault(w.due.week, []).append(w)
    await _read_requests(session, todo, by_week, settings)
    await _read_occupied(session, todo, by_week)
    # Exactly once per (item, week): the unique constraint decides.
    claimed = await session.execute(
        pg_insert(Draw).values([
            {"item_id": w.due.item_id, "season_id": w.due.season_id, "network_id": w.item.network_id,
             "period_start": w.due.week, "period_end": w.due.week + timedelta(days=6), "seed": w.seed,
             "occupied": [[s.isoformat(), e.isoformat()] for s, e in w.occupied], "trigger": trigger,
             "actor_id": actor.id, "ran_at": now}
            for w in todo.values()])
        .on_conflict_do_nothing(constraint="uq_draws_item_period")
        .returning(col(Draw.id), col(Draw.item_id), col(Draw.period_start)))
    for draw_id, item_id, week in claimed:
        if draw_id is not None:  # a returned row always has its id
            todo[(item_id, week)].draw_id = draw_id
            outcome.drawn[(item_id, week)] = draw_id
    outcome.already = {key for key, w in todo.items() if w.draw_id is None}
    drawing = [w for w in todo.values() if w.draw_id is not None and w.requests]
    if not drawing:
        return outcome
    hours = await _season_hours_of(session, drawing, settings)
    decided: list[Decided] = []
    for w in drawing:
        assert w.draw_id is not None
        requests = {r.booking_id: r for r in w.requests}
        for decision in allocate(w.requests, hours.get(w.due.item_id, {}), w.occupied, w.seed,
                                 buffer_minutes=w.item.buffer_minutes):
            decided.append(Decided(w.draw_id, w.seed, w.item, requests[decision.booking_id], decision,
                                   w.estimates[decision.booking_id]))
    approved = await record(session, actor, decided, now, settings)
    await session.flush()
    log.info("%d draws (%s): %d requests, %d won", len(outcome.drawn), trigger, len(decided), approved)
    return outcome


async def _read_requests(session: AsyncSession, todo: dict[tuple[int, date], _Week],
                         by_week: dict[date, list[_Week]], settings: Settings) -> None:
    """The requests collected for the weeks, row-locked (one statement)."""
    rows = await session.execute(
        select(col(Booking.id), col(Booking.item_id), col(Booking.farmer_id), col(Booking.start_at),
               col(Booking.end_at), col(Booking.estimated_cents))
        .where(col(Booking.in_draw), col(Booking.status) == BookingStatus.requested.value,
               or_(*(and_(col(Booking.item_id).in_([w.due.item_id for w in ws]), col(Booking.start_at) >= ws[0].start,
                          col(Booking.start_at) < ws[0].end) for ws in by_week.values())))
        .order_by(col(Booking.id))
        .with_for_update())
    for booking_id, item_id, farmer_id, start, end, estimate in rows:
        if booking_id is None:
            continue
        w = todo[(item_id, week_start(start.astimezone(settings.tz).date()))]
        w.requests.append(Request(booking_id, farmer_id, start, end))
        w.estimates[booking_id] = estimate


async def _read_occupied(session: AsyncSession, todo: dict[tuple[int, date], _Week],
                         by_week: dict[date, list[_Week]]) -> None:
    """The periods already taken around each week, read under the items' occupancy locks (those the
    approvals take), taken in one order."""
    busy_items = sorted({w.due.item_id for w in todo.values() if w.requests})
    if not busy_items:
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(:ns, id) FROM "
                               "(SELECT unnest(CAST(:ids AS integer[])) AS id ORDER BY 1) AS items"),
                          {"ns": OCCUPANCY_LOCK_CLASS, "ids": busy_items})
    for ws in by_week.values():
        wanted = [w.due.item_id for w in ws if w.requests]
        if not wanted:
            continue
        start, end = ws[0].start - timedelta(days=1), ws[0].end + timedelta(days=1)
        rows = await session.execute(
            select(col(Occupancy.item_id), col(Occupancy.start_at), col(Occupancy.end_at))
            .where(col(Occupancy.item_id).in_(wanted), col(Occupancy.start_at) < end, col(Occupancy.end_at) > start)
            .order_by(col(Occupancy.start_at)))
        for item_id, taken_from, taken_until in rows:
            todo[(item_id, ws[0].due.week)].occupied.append((taken_from, taken_until))


async def _season_hours_of(session: AsyncSession, weeks: list[_Week], settings: Settings) -> dict[int, dict[int, Decimal]]:
    """For each item, each farmer's hours of it from its contested season's first day to the drawn week
    (approved or completed bookings): one statement for all items."""
    rows = await session.execute(text(
        "SELECT b.item_id, b.farmer_id, sum(extract(epoch FROM least(b.end_at, w.until) - greatest(b.start_at, w.since))) "
        "FROM bookings b JOIN unnest(CAST(:items AS integer[]), CAST(:sinces AS timestamptz[]), "
        "CAST(:untils AS timestamptz[])) AS w(item_id, since, until) ON b.item_id = w.item_id "
        "WHERE b.status IN ('approved', 'completed') AND b.start_at < w.until AND b.end_at > w.since "
        "GROUP BY b.item_id, b.farmer_id"),
        {"items": [w.due.item_id for w in weeks],
         "sinces": [datetime.combine(w.due.first_day, time(), settings.tz) for w in weeks],
         "untils": [w.start for w in weeks]})
    hours: dict[int, dict[int, Decimal]] = {}
    for item_id, farmer_id, seconds in rows:
        hours.setdefault(item_id, {})[farmer_id] = (Decimal(seconds) / Decimal(3600)).quantize(HOURS)
    return hours


async def run_draw(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, trigger: str = "hand",
    seed: int | None = None, due: DueWeek | None = None,
) -> DrawResult:
    """Run the item's due draw: the earliest week past its deadline and not drawn yet (or ``due``, as the
    scheduler found it; the unique constraint still refuses a week drawn meanwhile)."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head, admin=actor is SYSTEM)
    if due is None:
        due = await due_of_item(session, item_id, clock.now(), settings)
        if due is None:
            raise Conflict("draw.none_due")
    outcome = await draw_weeks(session, actor, [(due, item)], settings, trigger=trigger,
                               seeds={item_id: seed} if seed is not None else None)
    if item_id in outcome.busy:
        raise Conflict("draw.busy")
    if (item_id, due.week) not in outcome.drawn:
        raise Conflict("draw.already_run")
    return await get_draw(session, actor, outcome.drawn[(item_id, due.week)])


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
                    select(Item).where(col(Item.id).in_({d.item_id for d in due})))}
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
                    if result.draw.id is not None:
                        done.append(result.draw.id)
            except Conflict as exc:
                if exc.key not in ("draw.busy", "draw.already_run"):
                    log.warning("draw of item %s: %s", week.item_id, exc.message("en"))
            except Exception:  # noqa: BLE001 - logged; the next item still runs
                log.exception("draw of item %s failed", week.item_id)
    return done
