"""Benchmark: every finance export of one settled month of 10,000 farmers in one municipality.

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL``; default: the embedded
server in ``MN_DATA_DIR``), migrates it, generates farmers and entries set-based (``INSERT … SELECT
generate_series``), settles the month, then times ``exports.service.export`` for each format (database
reads included) and prints the figures against the targets: CSV and DATEV < 2 s, SEPA < 5 s, PDF < 60 s.
Drops its database at the end.

    python scripts/bench_exports.py [--database-url postgresql+asyncpg://…] [--farmers 10000] [--entries 4]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from sqlalchemy import text

from machinery_network import clock
from machinery_network.auth import SYSTEM
from machinery_network.db import make_engine, make_sessionmaker, session_scope
from machinery_network.exports import service
from machinery_network.settlement import service as settlement
from machinery_network.testing import scratch_database_on

TARGETS = {"csv": 2.0, "datev": 2.0, "sepa-debit": 5.0, "sepa-credit": 5.0, "pdf": 60.0}


async def _generate(conn, farmers: int, per_farmer: int, month) -> tuple[int, int]:
    municipality_id = await conn.scalar(text(
        "INSERT INTO municipalities (name, address, iban, bic, creditor_id, datev_consultant_number,"
        " datev_client_number)"
        " VALUES ('Gemeinde Bankheim', 'Rathausplatz 1\n12345 Bankheim', 'DE89370400440532013000',"
        " 'COBADEFFXXX', 'DE98ZZZ09999999999', 1001, 1) RETURNING id"
    ))
    # One farmer in a hundred has no IBAN (a SEPA exception); the others share a valid test IBAN.
    await conn.execute(text(
        "INSERT INTO users (email, name, password_hash, role, active, iban, address)"
        " SELECT 'farmer' || g || '@bench.example', 'Landwirt Müller ' || g, 'x', 'farmer', true,"
        "  CASE WHEN g % 100 = 0 THEN NULL ELSE 'DE02120300000000202051' END,"
        "  'Hofweg ' || g || E'\\n12345 Bankheim'"
        " FROM generate_series(1, :n) g"
    ), {"n": farmers})
    # Partners of the municipality; everyone with an IBAN signed a mandate.
    await conn.execute(text(
        "INSERT INTO partners (municipality_id, farmer_id, how)"
        " SELECT :m, id, 'registered' FROM users WHERE role = 'farmer' ON CONFLICT DO NOTHING"
    ), {"m": municipality_id})
    await conn.execute(text(
        "INSERT INTO mandates (farmer_id, municipality_id, reference, signed_on, iban)"
        " SELECT id, :m, 'MN-' || lpad(id::text, 8, '0'), DATE '2025-01-15', iban"
        " FROM users WHERE role = 'farmer' AND iban IS NOT NULL"
    ), {"m": municipality_id})
    # Per farmer: machine hours at 19 % VAT, service hours at 0 %, care credits (metres); a third of
    # the farmers earn more than they owe (payouts).
    result = await conn.execute(text(
        "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
        " vat_cents, vat_percent, quantity, unit, rate_cents, text, created_at)"
        " SELECT f.id, :m, CAST(:first AS date) + ((f.id + k) % 28), v.kind,"
        "  v.sign * (v.net + v.vat), v.sign * v.net, v.sign * v.vat, v.pct, v.qty, v.unit, v.rate, v.text, now()"
        " FROM users f CROSS JOIN generate_series(1, :k) k"
        " CROSS JOIN LATERAL (SELECT"
        "   CASE k % 3 WHEN 1 THEN 'charge' WHEN 2 THEN 'charge' ELSE 'credit' END AS kind,"
        "   CASE k % 3 WHEN 0 THEN -1 ELSE 1 END AS sign,"
        "   CASE k % 3 WHEN 1 THEN 19 ELSE 0 END AS pct,"
        "   CASE k % 3 WHEN 0 THEN 'metre' ELSE 'hour' END AS unit,"
        "   CASE k % 3 WHEN 1 THEN 4800 WHEN 2 THEN 3500 ELSE 15 END AS rate,"
        "   CASE k % 3 WHEN 0 THEN (200 + (f.id * 7919 + k) % 4000)"
        "     ELSE 1 + (f.id * 31 + k) % 6 END AS qty,"
        "   CASE k % 3 WHEN 1 THEN 'Traktor mit Mulcher' WHEN 2 THEN 'Bauhof-Kolonne'"
        "     ELSE 'Bankettmahd K 21' END AS text) d"
        " CROSS JOIN LATERAL (SELECT d.kind, d.sign, d.pct, d.unit, d.rate, d.qty, d.text,"
        "   d.qty * d.rate AS net, round(d.qty * d.rate * d.pct / 100.0)::int AS vat) v"
        " WHERE f.role = 'farmer'"
    ), {"m": municipality_id, "first": month, "k": per_farmer})
    return municipality_id, result.rowcount


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--farmers", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=4, help="entries per farmer")
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    args = parser.parse_args()

    async with scratch_database_on(args.database_url, "mn_bench_exports", keep=args.keep) as url:
        return await run(url, args)


async def run(url: str, args: argparse.Namespace) -> int:
    engine = None
    failures = 0
    try:
        from machinery_network.config import get_settings

        month = settlement.previous_month(clock.today(get_settings().tz))
        engine = make_engine(url, pool_size=2)
        t0 = time.perf_counter()
        async with engine.begin() as conn:
            municipality_id, count = await _generate(conn, args.farmers, args.entries, month)
        async with engine.connect() as conn:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("VACUUM ANALYZE ledger_entries"))
            await conn.execute(text("VACUUM ANALYZE users"))
        print(f"generated {args.farmers:,} farmers, {count:,} entries for {month:%Y-%m} "
              f"in {time.perf_counter() - t0:.1f} s")
        sessionmaker = make_sessionmaker(engine)
        start = time.perf_counter()
        async with session_scope(sessionmaker) as session:
            s = (await settlement.settle(session, SYSTEM, month, municipality_id, trigger="bench",
                                         settings=get_settings())).settlement
        print(f"settled: {s.farmer_count:,} farmers, {s.entry_count:,} entries, net {s.total_net_cents:,} cents "
              f"in {time.perf_counter() - start:.2f} s")

        for fmt in ("csv", "datev", "sepa-debit", "sepa-credit", "pdf"):
            async with session_scope(sessionmaker) as session:
                start = time.perf_counter()
                export = await service.export(session, SYSTEM, month, municipality_id, fmt)
                elapsed = time.perf_counter() - start
            ok = elapsed < TARGETS[fmt]
            failures += not ok
            extra = ""
            if export.transactions is not None:
                extra = f", {export.transactions:,} transactions, {len(export.exceptions)} exceptions"
            print(f"{fmt:12s} {elapsed:7.2f} s  (target < {TARGETS[fmt]:.0f} s: {'ok' if ok else 'MISSED'})  "
                  f"{len(export.content):,} bytes{extra}")
        return 1 if failures else 0
    finally:
        if engine is not None:
            await engine.dispose()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
