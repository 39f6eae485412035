"""Benchmark: settle one month of 10,000 farmers × 3 municipalities × 20 entries (600,000 entries).

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL``; default: the
embedded server in ``MN_DATA_DIR``), migrates it, generates the entries set-based, times the monthly
run's ``scheduler.settle_many`` (each municipality frozen in its own committed transaction), then its
telling of the farmers (``scheduler.tell_networks``, timed apart) and, in the same run, one hand-written
``SELECT … GROUP BY`` over the same rows as the floor. Prints entries/s and the ratio settlement time ÷ floor time, then drops its database.

    python scripts/bench_settlement.py [--database-url postgresql+asyncpg://…] [--farmers 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date

from sqlalchemy import text

from machinery_network import clock, scheduler
from machinery_network.db import make_engine, make_sessionmaker, session_scope
from machinery_network.settlement import service as settlement
from machinery_network.testing import scratch_database_on

FLOOR_SQL = (
    "SELECT municipality_id, farmer_id,"
    " COALESCE(SUM(amount_cents) FILTER (WHERE amount_cents > 0), 0) AS charges,"
    " COALESCE(-SUM(amount_cents) FILTER (WHERE amount_cents < 0), 0) AS credits,"
    " SUM(amount_cents) AS net, COUNT(*) AS entries"
    " FROM ledger_entries WHERE value_date <= :cutoff GROUP BY municipality_id, farmer_id"
)


async def _generate(conn, farmers: int, municipalities: int, per_month: int, month: date) -> int:
    await conn.execute(text(
        "INSERT INTO municipalities (name, datev_consultant_number, datev_client_number)"
        " SELECT 'Bench ' || g, 1001, 1 FROM generate_series(1, :n) g"
    ), {"n": municipalities})
    await conn.execute(text(
        "INSERT INTO users (email, name, password_hash, role, active)"
        " SELECT 'farmer' || g || '@bench.example', 'Landwirt ' || g, 'x', 'farmer', true"
        " FROM generate_series(1, :n) g"
    ), {"n": farmers})
    await conn.execute(text(  # only contract partners can be charged (foreign key)
        "INSERT INTO partners (municipality_id, farmer_id, how)"
        " SELECT m.id, f.id, 'registered' FROM municipalities m CROSS JOIN users f WHERE f.role = 'farmer'"
        " ON CONFLICT DO NOTHING"
    ))
    # Three of four entries are charges (19 % VAT), one a care credit; amounts 1,00 € … 90,99 €,
    # value dates spread over the month.
    result = await conn.execute(text(
        "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
        " vat_cents, vat_percent, text, created_at)"
        " SELECT f.id, m.id, CAST(:first AS date) + ((f.id + k) % 28),"
        "  CASE WHEN k % 4 = 0 THEN 'credit' ELSE 'charge' END,"
        "  CASE WHEN k % 4 = 0 THEN -v.net ELSE v.net + round(v.net * 0.19)::int END,"
        "  CASE WHEN k % 4 = 0 THEN -v.net ELSE v.net END,"
        "  CASE WHEN k % 4 = 0 THEN 0 ELSE round(v.net * 0.19)::int END,"
        "  CASE WHEN k % 4 = 0 THEN 0 ELSE 19 END,"
        "  CASE WHEN k % 4 = 0 THEN 'Pflege' ELSE 'Nutzung' END, now()"
        " FROM municipalities m CROSS JOIN users f CROSS JOIN generate_series(1, :k) k"
        " CROSS JOIN LATERAL (SELECT 100 + (f.id * 7919 + k * 104729 + m.id * 31) % 9000 AS net) v"
        " WHERE f.role = 'farmer'"
    ), {"first": month, "k": per_month})
    return result.rowcount


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--farmers", type=int, default=10_000)
    parser.add_argument("--municipalities", type=int, default=3)
    parser.add_argument("--entries", type=int, default=20, help="entries per farmer and municipality")
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()

    async with scratch_database_on(args.database_url, "mn_bench", keep=args.keep) as url:
        return await run(url, args)


async def run(url: str, args: argparse.Namespace) -> int:
    engine = None
    try:
        from machinery_network.config import get_settings

        month = settlement.previous_month(clock.today(get_settings().tz))
        _, cutoff = settlement.month_bounds(month)
        engine = make_engine(url, pool_size=scheduler.SETTLE_WORKERS)
        t0 = time.perf_counter()
        async with engine.begin() as conn:
            count = await _generate(conn, args.farmers, args.municipalities, args.entries, month)
        async with engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("VACUUM ANALYZE ledger_entries"))
            await conn.execute(text("VACUUM ANALYZE users"))
        print(f"generated {count:,} entries ({args.farmers:,} farmers × {args.municipalities} municipalities × "
              f"{args.entries}) for {month:%Y-%m} in {time.perf_counter() - t0:.1f} s")

        async def floor() -> tuple[float, list]:
            async with engine.connect() as conn:
                start = time.perf_counter()
                rows = (await conn.execute(text(FLOOR_SQL), {"cutoff": cutoff})).all()
                return time.perf_counter() - start, rows

        floor_s, floor_rows = await floor()  # also warms the cache for the settlement

        sessionmaker = make_sessionmaker(engine)
        async with session_scope(sessionmaker) as session:
            ids = await settlement.municipality_ids(session)
        settled_entries = 0
        settled_net = 0
        start = time.perf_counter()  # as the monthly run: each municipality frozen in its own transaction
        outcomes = await scheduler.settle_many(sessionmaker, [(1, m) for m in ids], month, "bench",
                                               settings=get_settings())
        settle_s = time.perf_counter() - start
        for outcome in outcomes:
            if outcome.status != "created":
                print(f"municipality {outcome.municipality_id}: {outcome.status} {outcome.error}", file=sys.stderr)
                return 1
            settled_entries += outcome.entries or 0
            settled_net += outcome.net_cents or 0
            print(f"  municipality {outcome.municipality_id}: {outcome.entries:,} entries, {outcome.farmers:,} farmers,"
                  f" net {outcome.net_cents:,} cents")
        start = time.perf_counter()
        told = await scheduler.tell_networks(sessionmaker, get_settings())  # then the farmers are told
        tell_s = time.perf_counter() - start
        floor2_s, _ = await floor()
        floor_net = sum(row.net for row in floor_rows)
        floor_entries = sum(row.entries for row in floor_rows)
        if (floor_entries, floor_net) != (settled_entries, settled_net):
            print(f"MISMATCH: floor {floor_entries} entries / {floor_net} cents, "
                  f"settlement {settled_entries} / {settled_net}", file=sys.stderr)
            return 1
        print(f"settlement: {settled_entries:,} entries in {settle_s:.3f} s = {settled_entries / settle_s:,.0f} entries/s")
        print(f"floor (one GROUP BY over the same rows): {floor_s:.3f} s before, {floor2_s:.3f} s after "
              f"= {floor_entries / floor_s:,.0f} entries/s")
        print(f"ratio settlement ÷ floor: {settle_s / floor_s:.2f} (target ≤ 3); "
              f"whole month {settle_s:.2f} s (target < 10 s)")
        print(f"then {told:,} farmers told (notice and mail, a settlement a transaction) in {tell_s:.2f} s")
        return 0
    finally:
        if engine is not None:
            await engine.dispose()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
