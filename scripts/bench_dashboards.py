"""Benchmark: each dashboard (yard head, finance office, administrator) on the demo network and on a
municipality with 100,000 ledger entries, against the targets (< 200 ms on the demo data, < 500 ms on
the big municipality). Every figure is aggregated in PostgreSQL; the time includes the SVG charts.

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL``; default: the
embedded server in ``MN_DATA_DIR``), migrates it, loads the demo network, generates the big
municipality set-based (``INSERT … SELECT generate_series``) and drops the database at the end.

    python scripts/bench_dashboards.py [--database-url postgresql+asyncpg://…] [--entries 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.dashboards import service
from machinery_network.db import make_engine, make_sessionmaker, session_scope
from machinery_network.demo import load_demo
from machinery_network.testing import scratch_database_on

DEMO_TARGET, BIG_TARGET = 0.200, 0.500
RUNS = 5


async def _generate(conn: Any, entries: int) -> int:
    municipality_id = await conn.scalar(text(
        "INSERT INTO municipalities (name, iban, bic, creditor_id, datev_consultant_number, datev_client_number,"
        " datev_receivable_account, datev_revenue_account, datev_revenue_account_reduced,"
        " datev_revenue_account_exempt, datev_expense_account)"
        " VALUES ('Gemeinde Großbuch', 'DE89370400440532013000', 'COBADEFFXXX', 'DE98ZZZ09999999999',"
        " 1001, 1, 10000, 8400, 8300, 8200, 4900) RETURNING id"
    ))
    farmers = max(1, entries // 100)
    await conn.execute(text(
        "INSERT INTO users (email, name, password_hash, role, active, iban, mandate_reference, mandate_date)"
        " SELECT 'bench' || g || '@grossbuch.example', 'Landwirt ' || g, 'x', 'farmer', true,"
        "  CASE WHEN g % 50 = 0 THEN NULL ELSE 'DE02120300000000202051' END, 'MN-B' || g, now()"
        " FROM generate_series(1, :n) g"
    ), {"n": farmers})
    # entries spread over the last 24 months; two in three are charges, one a credit
    await conn.execute(text(
        "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
        " vat_cents, vat_percent, text, created_at)"
        " SELECT f.id, :m, current_date - ((g * 7) % 720), CASE g % 3 WHEN 0 THEN 'credit' ELSE 'charge' END,"
        "  (CASE g % 3 WHEN 0 THEN -1 ELSE 1 END) * (500 + g % 9000),"
        "  (CASE g % 3 WHEN 0 THEN -1 ELSE 1 END) * (500 + g % 9000), 0, 0, 'Bench', now()"
        " FROM generate_series(1, :k) g"
        " JOIN LATERAL (SELECT id FROM users WHERE email = 'bench' || (1 + g % :n) || '@grossbuch.example') f ON true"
    ), {"m": municipality_id, "k": entries, "n": farmers})
    return municipality_id


async def _time(label: str, target: float, call: Callable[[], Awaitable[Any]]) -> bool:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        await call()
        best = min(best, time.perf_counter() - start)
    ok = best < target
    print(f"{label:38s} {best * 1000:7.1f} ms  (target < {target * 1000:.0f} ms: {'ok' if ok else 'MISSED'})")
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()
    async with scratch_database_on(args.database_url, "mn_bench_dashboards", keep=args.keep) as url:
        return await run(url, args.entries)


async def run(url: str, entries: int) -> int:
    settings = get_settings()
    engine = make_engine(url, pool_size=2)
    try:
        sessionmaker = make_sessionmaker(engine)
        async with session_scope(sessionmaker) as session:
            await load_demo(session, settings)
        async with session_scope(sessionmaker) as session:
            demo_id = await session.scalar(text("SELECT min(id) FROM municipalities"))
        t0 = time.perf_counter()
        async with engine.begin() as conn:
            big_id = await _generate(conn, entries)
        async with engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            for table in ("ledger_entries", "users", "bookings", "items"):
                await conn.execute(text(f"VACUUM ANALYZE {table}"))
        print(f"generated {entries:,} ledger entries in one municipality in {time.perf_counter() - t0:.1f} s")
        year = __import__("datetime").date.today().year
        results = []
        for label, municipality_id, target in (("demo", demo_id, DEMO_TARGET), ("100k entries", big_id, BIG_TARGET)):
            async with session_scope(sessionmaker) as session:
                results.append(await _time(f"yard head ({label})", target, lambda m=municipality_id, s=session:
                                           service.yard_head(s, SYSTEM, m, settings)))
                results.append(await _time(f"finance office ({label})", target, lambda m=municipality_id, s=session:
                                           service.finance(s, SYSTEM, m, settings)))
        async with session_scope(sessionmaker) as session:
            results.append(await _time("administrator (demo + 100k entries)", BIG_TARGET,
                                       lambda s=session: service.council(s, SYSTEM, year, settings)))
        return 0 if all(results) else 1
    finally:
        await engine.dispose()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
