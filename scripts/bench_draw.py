"""Benchmark: the fair draw of a contested week: 200 items × 7 days, 2,000 competing requests.

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL`` /
``TEST_DATABASE_URL``, e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``; default: the embedded
server in ``MN_DATA_DIR``), migrates it and generates, set-based:

- 200 items (in 4 municipalities), each contested from eight weeks ago to the end of next week, with a
  deadline already passed for next week;
- 200 farmers; each item is used by its neighbourhood of 8 farmers, who have had it unequally so far
  this season (approved bookings of 0 to 40 hours each in the past weeks);
- 2,000 requests for next week (10 per item, random farmers of its neighbourhood, days and hours,
  2 to 6 hours long): most of them compete with others for the same hours.

Then it times ``draws.run_due_draws`` — the scheduler's job: all due weeks of the network in one
transaction, set-based: the locks, the allocation, the approvals (one statement; the exclusion
constraint decides), the others on the waiting list, the entries, the notices and the mails — and
prints the time (target < 2 s) and the spread of hours
between the farmers of one item (max − min, the mean over the items) before the draw, after it, and
after the same draw without the weighting by season hours (the same seeds and requests, replayed in
memory). Checks that no two approved bookings overlap, and that every draw replays from its seed.
Drops its database at the end.

    python scripts/bench_draw.py [--database-url postgresql+asyncpg://…] [--requests 2000] [--items 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from machinery_network import clock
from machinery_network.auth import SYSTEM
from machinery_network.bookings import draws
from machinery_network.bookings.allocation import Request, allocate
from machinery_network.bookings.draw_models import ContestedSeason, Draw
from machinery_network.config import Settings
from machinery_network.db import make_engine, make_sessionmaker, session_scope
from machinery_network.i18n import catalogue
from machinery_network.testing import scratch_database_on

NEIGHBOURS = 8
MUNICIPALITIES = 4
OVERLAPS = (
    "SELECT count(*) FROM bookings a JOIN bookings b ON a.item_id = b.item_id AND a.id < b.id"
    " AND a.status IN ('approved','completed') AND b.status IN ('approved','completed')"
    " AND a.start_at < b.end_at AND b.start_at < a.end_at"
)


async def _generate(conn, items: int, requests: int, week: datetime, settings: Settings) -> None:
    today = clock.now().astimezone(settings.tz).date()
    first_day = (week - timedelta(weeks=8)).date()
    await conn.execute(text(
        "INSERT INTO municipalities (name, datev_consultant_number, datev_client_number)"
        " SELECT 'Bench ' || g, 1001, 1 FROM generate_series(1, :n) g"), {"n": MUNICIPALITIES})
    await conn.execute(text(
        "INSERT INTO users (email, name, password_hash, role, active, municipality_id)"
        " SELECT 'yard' || m.id || '@bench.example', 'Bauhof ' || m.id, 'x', 'yard_head', true, m.id"
        " FROM municipalities m"))
    await conn.execute(text(
        "INSERT INTO users (email, name, password_hash, role, active)"
        " SELECT 'farmer' || g || '@bench.example', 'Landwirt ' || g, 'x', 'farmer', true"
        " FROM generate_series(1, :n) g"), {"n": items})
    await conn.execute(text(
        "INSERT INTO items (municipality_id, name, kind, unit, rate_cents, vat_percent, active)"
        " SELECT (SELECT min(id) FROM municipalities) + g % :m, 'Mulcher ' || g, 'machine', 'hour', 4000, 19, true"
        " FROM generate_series(1, :n) g"), {"n": items, "m": MUNICIPALITIES})
    # Contested from eight weeks ago to the end of next week; the deadline (today's weekday, 00:00) has passed.
    await conn.execute(text(
        "INSERT INTO contested_seasons (item_id, first_day, last_day, deadline_weekday, deadline_time, created_at)"
        " SELECT id, :first, :last, :weekday, '00:00', now() FROM items"),
        {"first": first_day, "last": (week + timedelta(days=6)).date(), "weekday": today.isoweekday()})
    # The season so far: in each past week, each neighbour had the item for 0 to 5 hours on his own day
    # (farmer k of the neighbourhood on weekday k % 7), heavier users more often.
    await conn.execute(text(
        "WITH farmers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE role = 'farmer'),"
        " its AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM items),"
        " past AS (SELECT its.id AS item_id, f.id AS farmer_id, k, w,"
        "   CAST(:week AS timestamptz) - make_interval(weeks => w) + make_interval(days => k % 7, hours => 6 + k)"
        "   AS start_at, (hashtext(its.id || ':' || f.id || ':' || w) & 2147483647) % (3 + k) AS h"
        "   FROM its CROSS JOIN generate_series(0, :neighbours - 1) k"
        "   JOIN farmers f ON f.n = (its.n + k) % :farmers CROSS JOIN generate_series(1, 7) w)"
        " INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status, created_at,"
        "   approved_rate_cents, approved_vat_percent)"
        " SELECT item_id, farmer_id, start_at, start_at + make_interval(hours => least(h, 5)), false, 'approved',"
        "   now(), 4000, 19 FROM past WHERE least(h, 5) > 0"),
        {"week": week, "neighbours": NEIGHBOURS, "farmers": items})
    await conn.execute(text(
        "INSERT INTO occupancies (item_id, start_at, end_at, booking_id)"
        " SELECT item_id, start_at, end_at, id FROM bookings WHERE status = 'approved'"))
    # Next week's requests: random neighbours, days, hours; they overlap each other freely.
    await conn.execute(text(
        "WITH farmers AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE role = 'farmer'),"
        " its AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM items),"
        " r AS (SELECT g, (hashtext('i' || g) & 2147483647) % :items AS i,"
        "   (hashtext('f' || g) & 2147483647) % :neighbours AS k, (hashtext('d' || g) & 2147483647) % 7 AS d,"
        "   (hashtext('h' || g) & 2147483647) % 10 AS h, 2 + (hashtext('l' || g) & 2147483647) % 5 AS l"
        "   FROM generate_series(1, :requests) g)"
        " INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status, created_at, in_draw,"
        "   estimated_cents)"
        " SELECT its.id, f.id, CAST(:week AS timestamptz) + make_interval(days => r.d, hours => 6 + r.h),"
        "   CAST(:week AS timestamptz) + make_interval(days => r.d, hours => 6 + r.h + r.l), false, 'requested',"
        "   now(), true, r.l * 4760"
        " FROM r JOIN its ON its.n = r.i JOIN farmers f ON f.n = (its.n + r.k) % :items"),
        {"week": week, "items": items, "neighbours": NEIGHBOURS, "requests": requests})


def _spread(hours: dict[int, dict[int, Decimal]]) -> float:
    """The mean over the items of (most − fewest hours) between the item's farmers."""
    values = [float(max(h.values()) - min(h.values())) for h in hours.values() if h]
    return statistics.mean(values) if values else 0.0


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", help="server URL (TEST_DATABASE_URL style)")
    parser.add_argument("--database-url", dest="database_url_option")
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()
    explicit = (args.database_url or args.database_url_option or os.environ.get("DATABASE_URL")
                or os.environ.get("TEST_DATABASE_URL"))
    async with scratch_database_on(explicit, "mn_bench_draw", keep=args.keep) as url:
        return await run(url, args)


async def run(url: str, args: argparse.Namespace) -> int:
    settings = Settings(MN_DATA_DIR=tempfile.mkdtemp(prefix="mn-bench-draw-"), MN_SECRET_KEY="bench-draw-secret")
    now = clock.now().astimezone(settings.tz)
    week = datetime.combine(draws.week_start(now.date()) + timedelta(days=7), datetime.min.time(), settings.tz)
    engine = make_engine(url, pool_size=2)
    try:
        t0 = time.perf_counter()
        async with engine.begin() as conn:
            await _generate(conn, args.items, args.requests, week, settings)
        async with engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("VACUUM ANALYZE"))
            collected = await conn.scalar(text("SELECT count(*) FROM bookings WHERE in_draw"))
        print(f"generated {args.items} contested items × 7 days, {collected:,} competing requests for the week of "
              f"{week:%d.%m.%Y}, the season so far as approved bookings, in {time.perf_counter() - t0:.1f} s")

        sessionmaker = make_sessionmaker(engine)
        # A serving process has its text catalogues loaded (importing them imports every domain's
        # messages, about 2 s of CPU once); load them before the clock starts.
        catalogue()
        start, cpu = time.perf_counter(), time.process_time()
        done = await draws.run_due_draws(sessionmaker, settings)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        async with session_scope(sessionmaker) as session:
            results = [await draws.get_draw(session, SYSTEM, draw_id) for draw_id in done]
            items = {r.draw.item_id: r for r in results}
            overlaps = await session.scalar(text(OVERLAPS))
            won = sum(e.won for r in results for e in r.entries)
            mails = await session.scalar(text("SELECT count(*) FROM outbox"))
            season = {}
            for r in results:
                s = await session.get(ContestedSeason, r.draw.season_id)
                week_start = datetime.combine(r.draw.period_start, datetime.min.time(), settings.tz)
                neighbours = set(await session.scalars(text(
                    "SELECT DISTINCT farmer_id FROM bookings WHERE item_id = :i"), {"i": r.draw.item_id}))
                since = datetime.combine(s.first_day, datetime.min.time(), settings.tz)
                season[r.draw.item_id] = await draws.season_hours(session, r.draw.item_id, neighbours, since,
                                                                  week_start)
            assert await session.scalar(select(Draw.id).limit(1)) is not None
        replayed = all(draws.replays(r) for r in results)

        before = {item: {f: h for f, h in hours.items()} for item, hours in season.items()}
        after = {item: dict(hours) for item, hours in season.items()}
        plain = {item: dict(hours) for item, hours in season.items()}
        t1 = time.perf_counter()
        for item, r in items.items():
            requests = [Request(e.booking_id, e.farmer_id, e.start_at, e.end_at) for e in r.entries]
            by_id = {q.booking_id: q for q in requests}
            for e in r.entries:
                if e.won:
                    after[item][e.farmer_id] = after[item].get(e.farmer_id, Decimal(0)) + by_id[e.booking_id].hours
            occupied = [(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in r.draw.occupied]
            for d in allocate(requests, season[item], occupied, r.draw.seed, weighted=False):
                if d.won:
                    plain[item][d.farmer_id] = plain[item].get(d.farmer_id, Decimal(0)) + by_id[d.booking_id].hours
        memory = time.perf_counter() - t1
        totals: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for name, table in (("before", before), ("after", after), ("plain", plain)):
            for hours in table.values():
                for farmer, h in hours.items():
                    totals[name][farmer] = totals[name].get(farmer, Decimal(0)) + h

        empty = sum(1 for r in results if not r.entries)
        print(f"draws: {len(done)} ({len(done) - empty} of next week, {empty} of this week with nothing collected), "
              f"{sum(len(r.entries) for r in results):,} requests decided, {won:,} won, {mails:,} mails in the outbox")
        print(f"time: {elapsed:.3f} s for the whole week's draws through the scheduler's job (target < 2 s), "
              f"of which {cpu:.3f} s CPU in this process (the rest: waiting for PostgreSQL and for the CPU); "
              f"the allocation alone (all items, in memory): {memory * 1000:.0f} ms")
        print("spread of hours between the farmers of one item (max − min, mean over the items):")
        print(f"  before the draw:                {_spread(before):6.2f} h")
        print(f"  after the draw (weighted):      {_spread(after):6.2f} h")
        print(f"  after the same draw unweighted: {_spread(plain):6.2f} h")
        for name, label in (("before", "before"), ("after", "after (weighted)"), ("plain", "after unweighted")):
            values = [float(v) for v in totals[name].values()]
            print(f"  hours per farmer over all items, {label}: stdev {statistics.pstdev(values):.2f} h, "
                  f"max − min {max(values) - min(values):.2f} h")
        print(f"overlapping approved bookings: {overlaps}; every draw replays from its seed: {replayed}")
        return 0 if overlaps == 0 and replayed and elapsed < 2 else 1
    finally:
        await engine.dispose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
