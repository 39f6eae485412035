"""The monthly settlement job (APScheduler 3) and its start-up catch-up.

On the 1st of each month at 02:00 in ``MN_TIMEZONE`` the previous month is settled for every
municipality; at start-up every ended month that was missed while the service was down is settled
(oldest first). Several ``serve`` processes may run this against one database: each (municipality,
month) is settled with ``settle(..., wait=False)``, so a process that finds another one settling that
municipality skips it, and the unique constraint has the last word. Each attempt is recorded in
``settlement_runs`` in transactions of its own, so a failed settlement (rolled back) is still recorded.

``run_monthly`` and ``catch_up`` are plain coroutines: the scheduler, the tests and scripts call them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from machinery_network import clock
from machinery_network.auth import SYSTEM
from machinery_network.config import DEFAULT_TZ, Settings
from machinery_network.db import for_network, network_ids, session_scope, use_network
from machinery_network.errors import Conflict, DomainError
from machinery_network.settlement import service
from machinery_network.settlement.models import Settlement, SettlementRun

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    municipality_id: int
    month: date
    status: str  # created | unchanged | skipped | failed
    settlement_id: int | None = None
    entries: int | None = None
    error: str | None = None
    farmers: int | None = None
    net_cents: int | None = None


async def settle_one(
    sessionmaker: Any, municipality_id: int, month: date, trigger: str, *,
    settings: Settings, wait: bool = False,
) -> RunOutcome:
    """Settle one (municipality, month) in its own transaction and record the attempt.

    The one settlement path of the scheduler, the catch-up and the CLI: a failure is rolled back for
    this municipality alone (and recorded in a transaction of its own), and no more than this
    municipality's two advisory locks are held at a time. A new settlement's run is recorded in the
    transaction that freezes it. ``wait``: wait for another process settling this municipality (CLI)
    instead of skipping it (scheduler). The farmers are not told here: ``tell_untold`` tells them once
    every municipality is frozen."""
    started_at = clock.now()
    outcome = RunOutcome(municipality_id, month, "failed")
    try:
        async with session_scope(sessionmaker) as session:
            if session.info.get("network_id") is not None:  # BEGIN and the network in one round trip
                await use_network(session, session.info["network_id"])
            result = await service.settle(
                session, SYSTEM, month, municipality_id, trigger=trigger, wait=wait, tell=False, settings=settings,
            )
            s = result.settlement
            outcome = RunOutcome(municipality_id, month, "created" if result.created else "unchanged", s.id,
                                 s.entry_count, farmers=s.farmer_count, net_cents=s.total_net_cents)
    except Conflict as exc:
        if exc.key != "settlement.busy":
            outcome.error = exc.message("en")
        else:
            outcome.status = "skipped"
    except DomainError as exc:
        outcome.error = exc.message("en")
    except Exception as exc:  # noqa: BLE001 - recorded and logged; the next municipality still runs
        outcome.error = f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("settlement of %s for municipality %s failed", f"{month:%Y-%m}", municipality_id)
    if outcome.status in ("failed", "skipped"):  # the attempt, its work rolled back
        async with session_scope(sessionmaker) as session:
            session.add(SettlementRun(
                month=month, municipality_id=municipality_id, trigger=trigger[:20], started_at=started_at,
                finished_at=clock.now(), created=False if outcome.status == "skipped" else None,
                error=outcome.error,
            ))
    if outcome.status == "skipped":
        log.info("settlement %s municipality %s: skipped, another process is settling it",
                 f"{month:%Y-%m}", municipality_id)
    elif outcome.status != "failed":
        log.info("settlement %s municipality %s: %s (settlement %s, %s entries)", f"{month:%Y-%m}",
                 municipality_id, outcome.status, outcome.settlement_id, outcome.entries)
    return outcome


# Municipalities frozen at once by one process's monthly run: each holds one connection and two advisory
# locks, so locks and connections stay bounded whatever the size of the installation. Four keep two cores
# busy through each other's round trips (state tier, 2026-11-30: 2,000 municipalities in 7.2 s with two,
# 5.6–5.9 s with three or four); the monthly run takes at most half the pool (``settle_workers``).
SETTLE_WORKERS = 4


def settle_workers(pool_size: int) -> int:
    """How many municipalities the monthly run freezes at once with a pool of ``pool_size`` connections:
    ``SETTLE_WORKERS``, but no more than half the pool (the requests keep the rest)."""
    return max(1, min(SETTLE_WORKERS, pool_size // 2))


async def settle_many(
    sessionmaker: Any, pairs: list[tuple[int, int]], month: date, trigger: str, *, settings: Settings,
    wait: bool = False, workers: int = SETTLE_WORKERS,
) -> list[RunOutcome]:
    """``settle_one`` for each (network, municipality) of ``pairs``, inside its network, ``workers`` at a
    time; the outcomes in the order of ``pairs``."""
    outcomes: list[RunOutcome | None] = [None] * len(pairs)
    todo = iter(enumerate(pairs))  # shared by the workers: each pair is taken once

    async def worker() -> None:
        for index, (network_id, municipality_id) in todo:
            outcomes[index] = await settle_one(for_network(sessionmaker, network_id), municipality_id, month, trigger,
                                               settings=settings, wait=wait)

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(pairs))))))
    return [outcome for outcome in outcomes if outcome is not None]


async def tell_untold(sessionmaker: Any, settings: Settings) -> int:
    """Tell the farmers of every frozen settlement of the network that was not told yet, a settlement a
    transaction (``settlement.notices``); answers how many notices were written. A failure is logged and
    left for the next run."""
    from machinery_network.settlement.notices import tell_statements, untold

    async with session_scope(sessionmaker) as session:
        ids = await untold(session)
    written = 0
    for settlement_id in ids:
        try:
            async with session_scope(sessionmaker) as session:
                settlement = await session.get(Settlement, settlement_id)
                assert settlement is not None  # frozen settlements stay
                written += await tell_statements(session, settlement, settings)
        except Exception:  # noqa: BLE001 - the books are frozen; the telling is tried again next run
            log.exception("telling the farmers of settlement %s failed", settlement_id)
    return written


async def run_monthly(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None, *, trigger: str = "scheduler",
    tz: ZoneInfo = DEFAULT_TZ, settings: Settings,
) -> list[RunOutcome]:
    """Settle the month before ``today`` (default: today in MN_TIMEZONE) for every municipality."""
    today = today or clock.today(tz)
    month = service.previous_month(today)
    pairs: list[tuple[int, int]] = []
    for network_id in await _networks(sessionmaker):  # each network's municipalities, inside it
        async with session_scope(for_network(sessionmaker, network_id)) as session:
            pairs += [(network_id, municipality_id) for municipality_id in await service.municipality_ids(session)]
    outcomes = await settle_many(sessionmaker, pairs, month, trigger, settings=settings,
                                 workers=settle_workers(settings.db_pool_size))
    await tell_networks(sessionmaker, settings)
    return outcomes


async def tell_networks(sessionmaker: Any, settings: Settings) -> int:
    """``tell_untold`` in every network: after a run has frozen them all, and at start-up for a run that
    stopped between freezing and telling."""
    return sum([await tell_untold(for_network(sessionmaker, network_id), settings)
                for network_id in await _networks(sessionmaker)])


async def _networks(sessionmaker: Any) -> list[int]:
    async with session_scope(sessionmaker) as session:
        return await network_ids(session)


async def catch_up(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None, *, tz: ZoneInfo = DEFAULT_TZ,
    settings: Settings,
) -> list[RunOutcome]:
    """Settle every ended month that the monthly job missed (see ``service.months_to_catch_up``)."""
    today = today or clock.today(tz)
    outcomes: list[RunOutcome] = []
    for network_id in await _networks(sessionmaker):  # each network inside it (row-level security)
        outcomes += await _catch_up(for_network(sessionmaker, network_id), today, settings)
    await tell_networks(sessionmaker, settings)
    return outcomes


async def _catch_up(sessionmaker: Any, today: date, settings: Settings) -> list[RunOutcome]:
    async with session_scope(sessionmaker) as session:
        plan = await service.catch_up_plan(session, service.previous_month(today))
    todo = plan.todo
    for municipality_id, first, settled_from in plan.skipped:
        log.warning(
            "settlement catch-up: municipality %s has unsettled months since %s; only the last %d are settled "
            "one by one, the entries of %s to %s go into the settlement of %s", municipality_id, f"{first:%Y-%m}",
            service.MAX_CATCH_UP_MONTHS, f"{first:%Y-%m}", f"{service.previous_month(settled_from):%Y-%m}",
            f"{settled_from:%Y-%m}",
        )
    if todo:
        log.info("settlement catch-up: %d month(s) to settle", len(todo))
    outcomes: list[RunOutcome] = []
    busy: set[int] = set()
    for municipality_id, month in todo:
        # Another process settling this municipality is working through the same months in the same
        # order: leave the rest of them to it, so no month is skipped by both and merged into a later one.
        if municipality_id in busy:
            continue
        outcome = await settle_one(sessionmaker, municipality_id, month, "catch-up", settings=settings)
        if outcome.status == "skipped":
            busy.add(municipality_id)
        outcomes.append(outcome)
    return outcomes


async def in_each_network(
    sessionmaker: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[int | None]]
) -> int:
    """Run ``work`` once per network, each in its own transaction inside that network (row-level
    security shows a job nothing without one); answers the sum of what the runs answered."""
    total = 0
    for network_id in await _networks(sessionmaker):
        async with session_scope(for_network(sessionmaker, network_id)) as session:
            total += await work(session) or 0
    return total


async def run_reminders(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Remind every farmer of his approved bookings that start tomorrow (``bookings.notices.remind``)."""
    from machinery_network.bookings.notices import remind

    now = clock.now()
    written = await in_each_network(sessionmaker, lambda session: remind(session, settings, now))
    if written:
        log.info("booking reminders: %d written", written)
    return written


async def run_weekly_digest(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """The yard heads' weekly digest (Mondays 06:00), per network (``dashboards.digest``)."""
    from machinery_network.dashboards.digest import weekly_digest

    return await in_each_network(sessionmaker, lambda session: weekly_digest(session, settings))


async def run_offer_expiry(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Unanswered offers from the waiting list pass on, per network (``bookings.waitlist``)."""
    from machinery_network.bookings.waitlist import expire_offers

    return await in_each_network(sessionmaker, lambda session: expire_offers(session, settings))


async def start_scheduler(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIOScheduler:
    """Start the cron job and run the catch-up in the background; returns the running scheduler."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = AsyncIOScheduler(timezone=settings.tz)
    scheduler.add_job(
        run_monthly, CronTrigger(day=1, hour=2, minute=0, timezone=settings.tz), args=[sessionmaker],
        kwargs={"tz": settings.tz, "settings": settings}, id="monthly-settlement", name="settle the previous month",
        replace_existing=True,
        misfire_grace_time=6 * 3600, coalesce=True, max_instances=1,
    )
    scheduler.add_job(
        run_weekly_digest, CronTrigger(day_of_week="mon", hour=6, minute=0, timezone=settings.tz),
        args=[sessionmaker, settings], id="weekly-digest",
        name="the yard heads' weekly digest (waiting requests, care plans behind, maintenance due)",
        replace_existing=True, misfire_grace_time=6 * 3600, coalesce=True, max_instances=1,
    )
    scheduler.add_job(  # unanswered offers from the waiting list pass on
        run_offer_expiry, "interval", minutes=5, args=[sessionmaker, settings], id="waitlist-offers",
        name="pass on expired waiting-list offers", replace_existing=True, coalesce=True, max_instances=1,
    )
    # The day-before reminders: hourly from 07:00, so a booking approved later in the day is reminded
    # too; each booking once (the notice's key), whichever process runs it.
    scheduler.add_job(
        run_reminders, CronTrigger(hour="7-23", minute=5, timezone=settings.tz), args=[sessionmaker, settings],
        id="booking-reminders", name="remind farmers of tomorrow's bookings", replace_existing=True,
        misfire_grace_time=3600, coalesce=True, max_instances=1,
    )
    from machinery_network.bookings.draws import run_due_draws

    scheduler.add_job(  # the fair draw of every contested week whose deadline has passed, once
        run_due_draws, "interval", minutes=5, args=[sessionmaker, settings], id="draws",
        name="run the due draws of contested items", replace_existing=True, coalesce=True, max_instances=1,
    )
    # The catch-up runs as a one-off job right away, so a slow catch-up does not hold up start-up.
    scheduler.add_job(catch_up, args=[sessionmaker], kwargs={"tz": settings.tz, "settings": settings},
                      id="settlement-catch-up", name="settle missed months")
    scheduler.start()
    log.info("settlement scheduler started (1st of each month, 02:00 %s)", settings.timezone)
    return scheduler
