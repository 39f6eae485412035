"""Benchmark at the scale of a federal state: networks of municipalities loaded with COPY, every page and
route of every role timed through the real app, the monthly settlement of all municipalities and the
exports of the largest municipality, against the targets of issues #15 and #21.

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL``; default: the
embedded server in ``MN_DATA_DIR``), migrates it, and loads the tier with ``COPY`` as the owning role,
through the real triggers (network of a row, pending settlement of each ledger entry, partners of
approved bookings) and constraints (foreign keys, the occupancies' exclusion constraint):

    tier     networks  municipalities  farmers   items   bookings   ledger entries
    small           5              20    1,000     400     20,000         100,000
    medium         50             200   10,000   4,000    200,000       1,000,000
    state         500           2,000  100,000  40,000  2,000,000      10,000,000

Each network has 4 municipalities and about 80 items; network 1 is the benchmark's and its first
municipality the largest (up to 500 farmers; every farmer of a network is a partner of each of its
municipalities). Ledger entries spread over the last 12 months; the months before the last are
settled set-based at load time (the same lines and totals the service writes), the last month is left
for the timed settlement.

Then, in order:

1. the settlement of the last month for every municipality, each in its own transaction inside its
   network (``scheduler.settle_many``, as the monthly run freezes them), against one bare ``GROUP BY`` over
   the same rows (target: < 60 s and ≤ 3× the ``GROUP BY``); then, as the monthly run goes on, the
   farmers told (``scheduler.tell_networks``: a notice and a mail each, a settlement a transaction;
   target < 60 s);
2. every GET page and route that answers 200 for a farmer, a yard head, a finance officer and the
   admin of network 1 (logged in through the login form for the pages and with a bearer token from
   ``/api/v1/auth/token`` for the API), ``--requests`` (30) times each after a warm-up, plus the two
   interactive writes (a farmer's booking request, the yard head's approval): p50/p95 (targets: p95 <
   100 ms; the catalogue p95 < 50 ms; files — a statement PDF, the dashboard's CSV and yearly report, an
   item's history CSV, the personal data export — < 1 s);
3. every export of the settled month of the largest municipality through the API (target: < 1 s).

Requests go through ``httpx.ASGITransport`` to the app in this process, connected as ``mn_app`` (row-level
security on); the client's own CPU (about 1 ms a request) is included in the figures. Prints a table and
one summary line; exit status 1 when a target is missed. Drops its database at the end (``--keep``
leaves it).

    python scripts/bench_scale.py --tier small|medium|state [--database-url postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from machinery_network import clock, scheduler
from machinery_network.accounts.security import hash_password
from machinery_network.config import Settings
from machinery_network.db import make_engine, make_sessionmaker
from machinery_network.settlement import service as settlement
from machinery_network.testing import scratch_database_on

PASSWORD = "bench-scale-passwort"
MUNICIPALITIES_PER_NETWORK = 4
BOOKING_SPACING_DAYS = 5  # one booking of an item every 5 days, 08:00–12:00: never overlapping
INTERACTIVE_TARGET, CATALOGUE_TARGET, EXPORT_TARGET, SETTLE_TARGET, SETTLE_RATIO = 0.100, 0.050, 1.0, 60.0, 3.0
MONTHS = 12
SLOW = 2.0  # a route whose first answer takes longer is timed 3 times, not --requests times
IBAN, BIC, CREDITOR = "DE02120300000000202051", "BYLADEM1001", "DE98ZZZ09999999999"
MUNICIPALITY_IBAN = "DE89370400440532013000"
ITEM_NAMES = ["Traktor", "Schlegelmulcher", "Walze", "Anhänger", "Grubber", "Frontlader", "Kehrmaschine",
              "Häcksler", "Mähwerk", "Güllefass", "Kreiselegge", "Sämaschine", "Radlader", "Minibagger",
              "Holzspalter", "Heckenschere", "Wasserfass", "Tieflader", "Schneepflug", "Streuer"]


@dataclass(frozen=True)
class Tier:
    networks: int
    farmers: int
    items: int
    bookings: int
    entries: int


TIERS = {
    "small": Tier(5, 1_000, 400, 20_000, 100_000),
    "medium": Tier(50, 10_000, 4_000, 200_000, 1_000_000),
    "state": Tier(500, 100_000, 40_000, 2_000_000, 10_000_000),
}


# --- the shape of the data ------------------------------------------------------------------------------


@dataclass
class Shape:
    """Ids of everything loaded, computed up front (COPY with explicit ids; the sequences are set after)."""

    tier: Tier
    today: date

    def __post_init__(self) -> None:
        t = self.tier
        self.big_farmers = min(500, t.farmers // 2)
        rest = t.farmers - self.big_farmers
        others = t.networks - 1
        # farmers of each network: network 1 the largest, the rest as even as the numbers allow
        self.farmers_of = [self.big_farmers] + [rest // others + (1 if n < rest % others else 0) for n in range(others)]
        self.first_farmer: list[int] = []
        # users: per network 1 admin + 2 per municipality (yard head, finance), then the farmers
        staff = 1 + 2 * MUNICIPALITIES_PER_NETWORK
        next_id = 1
        self.staff_first: list[int] = []
        for n in range(t.networks):
            self.staff_first.append(next_id)
            next_id += staff
            self.first_farmer.append(next_id)
            next_id += self.farmers_of[n]
        self.users = next_id - 1
        self.items_per_network = t.items // t.networks
        self.bookings_per_item = t.bookings // t.items
        self.entries_per_farmer = t.entries // t.farmers
        first_of_month = self.today.replace(day=1)
        self.months = []
        m = first_of_month
        for _ in range(MONTHS):
            m = (m - timedelta(days=1)).replace(day=1)
            self.months.append(m)
        self.months.reverse()  # oldest first; the last one is settled by the benchmark
        self.settle_month = self.months[-1]

    def network_id(self, n: int) -> int:
        return n + 1

    def municipality_id(self, n: int, k: int) -> int:
        return n * MUNICIPALITIES_PER_NETWORK + k + 1

    def admin_id(self, n: int) -> int:
        return self.staff_first[n]

    def yard_head_id(self, n: int, k: int) -> int:
        return self.staff_first[n] + 1 + 2 * k

    def finance_id(self, n: int, k: int) -> int:
        return self.staff_first[n] + 2 + 2 * k

    def item_id(self, n: int, i: int) -> int:
        return n * self.items_per_network + i + 1

    def item_municipality(self, n: int, i: int) -> int:
        return self.municipality_id(n, i % MUNICIPALITIES_PER_NETWORK)

    def booking_id(self, n: int, i: int, j: int) -> int:
        return (n * self.items_per_network + i) * self.bookings_per_item + j + 1


def _networks(shape: Shape) -> Iterator[tuple]:
    for n in range(1, shape.tier.networks):
        yield (shape.network_id(n), f"Zweckverband {n + 1:04d}")


def _municipalities(shape: Shape, networks: range) -> Iterator[tuple]:
    for n in networks:
        for k in range(MUNICIPALITIES_PER_NETWORK):
            mid = shape.municipality_id(n, k)
            yield (mid, f"Gemeinde {mid:05d}", f"Rathausplatz {k + 1}\n{10000 + mid} Gemeinde {mid:05d}",
                   MUNICIPALITY_IBAN, "COBADEFFXXX", CREDITOR, 1001, 1 + mid % 99999, shape.network_id(n))


def _users(shape: Shape, networks: range, password_hash: str) -> Iterator[tuple]:
    for n in networks:
        nid = shape.network_id(n)
        yield (shape.admin_id(n), f"admin{nid}@netz.example", f"Verbandsverwaltung {nid}", password_hash, "admin",
               None, None, True, nid)
        for k in range(MUNICIPALITIES_PER_NETWORK):
            mid = shape.municipality_id(n, k)
            yield (shape.yard_head_id(n, k), f"bauhof{mid}@gemeinde.example", f"Bauhof {mid}", password_hash,
                   "yard_head", mid, None, True, nid)
            yield (shape.finance_id(n, k), f"kaemmerei{mid}@gemeinde.example", f"Kämmerei {mid}", password_hash,
                   "finance", mid, None, True, nid)
        for f in range(shape.farmers_of[n]):
            uid = shape.first_farmer[n] + f
            yield (uid, f"landwirt{uid}@hof.example", f"Landwirt {_surname(uid)} {uid}", password_hash, "farmer",
                   None, None if uid % 50 == 0 else IBAN, True, nid)


def _surname(uid: int) -> str:
    return ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann")[uid % 9]


def _farmers(shape: Shape, n: int) -> range:
    return range(shape.first_farmer[n], shape.first_farmer[n] + shape.farmers_of[n])


def _partners(shape: Shape, networks: range) -> Iterator[tuple]:
    for n in networks:
        for k in range(MUNICIPALITIES_PER_NETWORK):
            mid = shape.municipality_id(n, k)
            for uid in _farmers(shape, n):
                yield (mid, uid, "registered", shape.network_id(n))


def _mandates(shape: Shape, networks: range, signed: date) -> Iterator[tuple]:
    for n in networks:
        for k in range(MUNICIPALITIES_PER_NETWORK):
            mid = shape.municipality_id(n, k)
            for uid in _farmers(shape, n):
                if uid % 50:
                    yield (uid, mid, f"MN-{mid}-{uid:08d}", signed, IBAN, "active", shape.network_id(n))


def _items(shape: Shape, networks: range) -> Iterator[tuple]:
    for n in networks:
        for i in range(shape.items_per_network):
            name = ITEM_NAMES[i % len(ITEM_NAMES)]
            yield (shape.item_id(n, i), shape.item_municipality(n, i), f"{name} {i + 1}",
                   f"{name} des Bauhofs, gewartet, mit Einweisung", "machine", "hour", 4800, 3500, Decimal(19), True,
                   shape.network_id(n))


def _booking_slot(shape: Shape, j: int) -> tuple[datetime, datetime]:
    day = shape.today + timedelta(days=(j - shape.bookings_per_item * 7 // 10) * BOOKING_SPACING_DAYS)
    start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    return start, start + timedelta(hours=4)


def _booking_status(shape: Shape, start: datetime, n: int, i: int, j: int) -> str:
    r = (n * 31 + i * 7 + j) % 20
    if start.date() < shape.today:
        return "cancelled" if r == 0 else "rejected" if r == 1 else "completed"
    return "requested" if r < 8 else "cancelled" if r == 8 else "approved"


def _bookings(shape: Shape, networks: range) -> Iterator[tuple]:
    created = datetime.combine(shape.today - timedelta(days=200), datetime.min.time(), UTC)
    for n in networks:
        farmers = _farmers(shape, n)
        for i in range(shape.items_per_network):
            item = shape.item_id(n, i)
            yard = shape.yard_head_id(n, i % MUNICIPALITIES_PER_NETWORK)
            for j in range(shape.bookings_per_item):
                start, end = _booking_slot(shape, j)
                status = _booking_status(shape, start, n, i, j)
                farmer = farmers[(i * 13 + j * 7) % len(farmers)]
                decided = status in ("approved", "completed", "rejected")
                yield (shape.booking_id(n, i, j), item, farmer, start, end, False, status, 22848,
                       Decimal(4) if status == "completed" else None,
                       22848 if status == "completed" else None,
                       yard if decided else None, start - timedelta(days=3) if decided else None, created,
                       shape.network_id(n))


def _occupancies(shape: Shape, networks: range) -> Iterator[tuple]:
    for n in networks:
        for i in range(shape.items_per_network):
            for j in range(shape.bookings_per_item):
                start, end = _booking_slot(shape, j)
                if _booking_status(shape, start, n, i, j) in ("approved", "completed"):
                    yield (shape.item_id(n, i), start, end, shape.booking_id(n, i, j), shape.network_id(n))


CHARGE = ("charge", "Traktor mit Mulcher", "hour", 4800, 19)
SERVICE = ("charge", "Bauhof-Kolonne", "hour", 3500, 0)
CARE = ("credit", "Bankettmahd Gemeindeweg", "metre", 15, 0)


def _entries(shape: Shape, networks: range) -> Iterator[tuple]:
    created = datetime.combine(shape.today - timedelta(days=400), datetime.min.time(), UTC)
    per = shape.entries_per_farmer
    for n in networks:
        nid = shape.network_id(n)
        municipalities = [shape.municipality_id(n, k) for k in range(MUNICIPALITIES_PER_NETWORK)]
        for uid in _farmers(shape, n):
            for k in range(per):
                kind, label, unit, rate, pct = (CARE, CHARGE, SERVICE, CHARGE)[k % 4]
                qty = (200 + (uid * 7919 + k) % 4000) if unit == "metre" else 1 + (uid * 31 + k) % 6
                net = qty * rate
                vat = round(net * pct / 100)
                sign = -1 if kind == "credit" else 1
                month = shape.months[(uid + k) % MONTHS]
                yield (uid, municipalities[(uid + k // MONTHS) % MUNICIPALITIES_PER_NETWORK],
                       month + timedelta(days=(uid * 3 + k) % 28), kind, sign * (net + vat), sign * net, sign * vat,
                       Decimal(pct), Decimal(qty), unit, rate, label, created, nid)


COLUMNS = {
    "networks": ["id", "name"],
    "municipalities": ["id", "name", "address", "iban", "bic", "creditor_id", "datev_consultant_number",
                       "datev_client_number", "network_id"],
    "users": ["id", "email", "name", "password_hash", "role", "municipality_id", "iban", "active", "network_id"],
    "partners": ["municipality_id", "farmer_id", "how", "network_id"],
    "mandates": ["farmer_id", "municipality_id", "reference", "signed_on", "iban", "state", "network_id"],
    "items": ["id", "municipality_id", "name", "description", "kind", "unit", "rate_cents", "operator_rate_cents",
              "vat_percent", "active", "network_id"],
    "bookings": ["id", "item_id", "farmer_id", "start_at", "end_at", "with_operator", "status", "estimated_cents",
                 "quantity", "charge_cents", "decided_by", "decided_at", "created_at", "network_id"],
    "occupancies": ["item_id", "start_at", "end_at", "booking_id", "network_id"],
    "ledger_entries": ["farmer_id", "municipality_id", "value_date", "kind", "amount_cents", "net_cents", "vat_cents",
                       "vat_percent", "quantity", "unit", "rate_cents", "text", "created_at", "network_id"],
}


# --- loading --------------------------------------------------------------------------------------------


async def _copy(dsn: str, table: str, rows: Callable[[range], Iterator[tuple]], networks: int, jobs: int,
                chunk: int) -> tuple[int, float]:
    """COPY ``rows(networks of a chunk)`` into ``table``, one transaction per chunk of networks, ``jobs``
    connections at a time (the ledger trigger takes a lock per municipality: chunks keep that bounded)."""
    chunks = [range(start, min(networks, start + chunk)) for start in range(0, networks, chunk)]
    queue: asyncio.Queue[range] = asyncio.Queue()
    for c in chunks:
        queue.put_nowait(c)
    count = 0
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal count
        conn = await asyncpg.connect(dsn)
        try:
            while not queue.empty():
                part = queue.get_nowait()
                records = list(rows(part))
                async with conn.transaction():
                    await conn.copy_records_to_table(table, records=records, columns=COLUMNS[table])
                count += len(records)
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(max(1, min(jobs, len(chunks))))))
    return count, time.perf_counter() - started


async def load(dsn: str, shape: Shape, jobs: int) -> dict[str, Any]:
    t = shape.tier
    figures: dict[str, Any] = {}
    password_hash = hash_password(PASSWORD)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE networks SET name = 'Zweckverband 0001' WHERE id = 1")
    finally:
        await conn.close()
    total_started = time.perf_counter()
    steps: list[tuple[str, Callable[[range], Iterator[tuple]], int]] = [
        ("networks", lambda part: _networks(shape) if part.start == 0 else iter(()), t.networks),
        ("municipalities", lambda part: _municipalities(shape, part), 50),
        ("users", lambda part: _users(shape, part, password_hash), 50),
        ("partners", lambda part: _partners(shape, part), 50),
        ("mandates", lambda part: _mandates(shape, part, shape.today - timedelta(days=500)), 50),
        ("items", lambda part: _items(shape, part), 50),
        ("bookings", lambda part: _bookings(shape, part), 10),
        ("occupancies", lambda part: _occupancies(shape, part), 10),
        ("ledger_entries", lambda part: _entries(shape, part), 10),
    ]
    for table, rows, chunk in steps:
        count, elapsed = await _copy(dsn, table, rows, t.networks, jobs, chunk)
        figures[table] = (count, elapsed)
        print(f"  COPY {table:15s} {count:>11,} rows in {elapsed:7.1f} s = {count / max(elapsed, 1e-9):>9,.0f} rows/s",
              flush=True)
    conn = await asyncpg.connect(dsn)
    try:
        for table in ("networks", "municipalities", "users", "items", "bookings"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # The months before the last: settled as the service settles them (lines per farmer, then frozen).
        started = time.perf_counter()
        await conn.execute(
            "INSERT INTO settlement_lines (settlement_id, farmer_id, charges_cents, credits_cents, net_cents,"
            " entry_count, network_id)"
            " SELECT e.settlement_id, e.farmer_id,"
            "  COALESCE(SUM(e.amount_cents) FILTER (WHERE e.amount_cents > 0), 0),"
            "  COALESCE(-SUM(e.amount_cents) FILTER (WHERE e.amount_cents < 0), 0), SUM(e.amount_cents), COUNT(*),"
            "  min(e.network_id)"
            " FROM ledger_entries e JOIN settlements s ON s.id = e.settlement_id"
            " WHERE s.month < $1 GROUP BY e.settlement_id, e.farmer_id", shape.settle_month)
        await conn.execute(
            "UPDATE settlements s SET frozen = true, created_at = s.cutoff + 1, run_by_label = 'bench_scale',"
            " entry_count = t.entries, farmer_count = t.farmers, total_charges_cents = t.charges,"
            " total_credits_cents = t.credits, total_net_cents = t.net"
            " FROM (SELECT settlement_id, SUM(entry_count) AS entries, COUNT(*) AS farmers,"
            "        SUM(charges_cents) AS charges, SUM(credits_cents) AS credits, SUM(net_cents) AS net"
            "        FROM settlement_lines GROUP BY settlement_id) t"
            " WHERE t.settlement_id = s.id AND s.month < $1 AND NOT s.frozen", shape.settle_month)
        await conn.execute(  # their farmers were told then
            "INSERT INTO settlement_tellings (settlement_id, network_id, told_at)"
            " SELECT id, network_id, created_at FROM settlements WHERE frozen")
        figures["history"] = time.perf_counter() - started
        print(f"  earlier months settled set-based in {figures['history']:.1f} s", flush=True)
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        figures["vacuum"] = time.perf_counter() - started
        print(f"  VACUUM ANALYZE in {figures['vacuum']:.1f} s", flush=True)
        figures["size"] = await conn.fetchval("SELECT pg_database_size(current_database())")
        figures["sizes"] = await conn.fetch(
            "SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class WHERE relkind = 'r'"
            " AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 6")
    finally:
        await conn.close()
    figures["total"] = time.perf_counter() - total_started
    return figures


# --- timing ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    kind: str  # page | api | write | catalogue | export | settlement
    role: str
    label: str
    p50: float
    p95: float
    n: int
    target: float
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.p95 < self.target


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _time_get(client: httpx.AsyncClient, url: str, requests: int, headers: dict | None = None
                    ) -> tuple[int, list[float], int]:
    started = time.perf_counter()
    first = await client.get(url, headers=headers)
    if first.status_code != 200:
        return first.status_code, [], len(first.content)
    if time.perf_counter() - started > SLOW:  # far off its target: a few requests tell as much
        requests = 3
    else:
        await client.get(url, headers=headers)  # warm-up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} after a 200")
    return 200, times, len(first.content)


def _candidates(ctx: dict[str, Any]) -> list[str]:
    """Every GET page and route with its ids filled in from the benchmark network (each role keeps those
    that answer it 200)."""
    m, month, item, farmer = ctx["municipality"], ctx["month"], ctx["item"], ctx["farmer"]
    year = month[:4]
    start, end = ctx["free_start"], ctx["free_end"]
    q_period = f"start={start}&end={end}"
    return [
        "/", "/?q=mulch", f"/?municipality_id={m}", "/account", f"/account/statements/{month}", "/admin",
        "/admin/network", f"/admin/users/{farmer}", "/bookings", "/care", "/dashboard", "/finance/mandates",
        "/finance/settlements", f"/finance/settlements/{month}?municipality_id={m}",
        f"/finance/settlements/{month}/sepa-exceptions?municipality_id={m}", f"/items/{item}",
        f"/items/{item}/booking-estimate?{q_period}", f"/items/{item}/booking-panel", f"/items/{item}/cost",
        f"/machine/bookings/{ctx['farmer_booking']}", "/manage/accounts", f"/manage/accounts/{farmer}",
        "/manage/affected", "/manage/bookings", "/manage/bookings?status=requested",
        f"/manage/bookings/{ctx['requested_booking']}", "/manage/care-logs", "/manage/cost-coverage", "/manage/items",
        "/manage/items/new", f"/manage/items/{item}/blocks", f"/manage/items/{item}/edit",
        f"/manage/items/{item}/history", "/manage/sections", "/manage/sections/map", "/manage/sections/winter-proof",
        f"/municipalities/{m}/settings", "/profile", "/profile/password", "/profile/tokens",
        f"/api/v1/accounts/{farmer}", f"/api/v1/accounts/{farmer}/entries", "/api/v1/auth/me", "/api/v1/bookings",
        "/api/v1/bookings?status=requested", f"/api/v1/bookings/estimate?item_id={item}&{q_period}",
        f"/api/v1/bookings/{ctx['farmer_booking']}", "/api/v1/care-logs", "/api/v1/cost-coverage",
        "/api/v1/defects/affected", "/api/v1/items", "/api/v1/items?q=mulch", f"/api/v1/items?municipality_id={m}",
        f"/api/v1/items/{item}", f"/api/v1/items/{item}/availability", f"/api/v1/items/{item}/blocks",
        f"/api/v1/items/{item}/cost-calculations", f"/api/v1/items/{item}/maintenance-intervals",
        f"/api/v1/items/{item}/rates", "/api/v1/maintenance/due", "/api/v1/mandates", "/api/v1/me",
        "/api/v1/me/tokens", "/api/v1/municipalities", f"/api/v1/municipalities/{m}",
        f"/api/v1/municipalities/{m}/partners", "/api/v1/networks", f"/api/v1/networks/{ctx['network']}/agreements",
        "/api/v1/sections", "/api/v1/sections/plan", "/api/v1/sections/winter-proof",
        f"/api/v1/settlements?municipality_id={m}", f"/api/v1/settlements/{month}?municipality_id={m}",
        f"/api/v1/settlements/{month}/sepa-exceptions?municipality_id={m}", "/api/v1/users",
        "/api/v1/users?role=farmer", "/api/v1/users?q=M%C3%BCller", f"/api/v1/sections/plan?municipality_id={m}&year={year}",
        f"/api/v1/sections/winter-proof?municipality_id={m}&from={year}-01-01&to={year}-12-31",
        f"/manage/sections/winter-proof?municipality_id={m}&from={year}-01-01&to={year}-12-31",
        # files: a farmer's statement, the dashboards' CSV and yearly report, an item's history, the data export
        f"/account/statements/{month}?municipality_id={m}", f"/api/v1/statements/{month}?municipality_id={m}",
        "/dashboard.csv", f"/dashboard/report.pdf?year={year}", f"/manage/items/{item}/history.csv",
        "/api/v1/me/export", "/profile/export",
    ]


FILES = ("/account/statements/", "/api/v1/statements/", "/dashboard.csv", "/dashboard/report.pdf", "history.csv",
         "/api/v1/me/export", "/profile/export")


CATALOGUE = {"/", "/?q=mulch", "/api/v1/items", "/api/v1/items?q=mulch"}


async def _login_page(client: httpx.AsyncClient, email: str) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"email": email, "password": PASSWORD,
                                                 "_csrf_token": client.cookies["mn_csrf"]})
    if response.status_code != 303:
        raise RuntimeError(f"login of {email}: {response.status_code}")


async def _token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def time_routes(url: str, shape: Shape, requests: int, settings: Settings) -> list[Row]:
    from machinery_network.app import create_app

    n, k = 0, 0  # network 1, its first (largest) municipality
    m = shape.municipality_id(n, k)
    item = shape.item_id(n, 0)
    farmer = shape.first_farmer[n]
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        farmer_booking = await conn.fetchval(
            "SELECT id FROM bookings WHERE farmer_id = $1 AND status = 'approved' ORDER BY id LIMIT 1", farmer)
        # the writes go to an item without an earlier run's writes (afternoons; the loaded bookings are mornings)
        write_item = await conn.fetchval(
            "SELECT i.id FROM items i WHERE i.municipality_id = $1 AND NOT EXISTS (SELECT 1 FROM bookings b"
            " WHERE b.item_id = i.id AND extract(hour FROM b.start_at AT TIME ZONE 'UTC') = 13) ORDER BY i.id"
            " LIMIT 1", m)
        requested_booking = await conn.fetchval(
            "SELECT b.id FROM bookings b JOIN items i ON i.id = b.item_id WHERE i.municipality_id = $1"
            " AND b.status = 'requested' ORDER BY b.id LIMIT 1", m)
    finally:
        await conn.close()
    free = datetime.combine(shape.today + timedelta(days=3), datetime.min.time(), UTC).replace(hour=13)
    ctx = {"municipality": m, "month": shape.settle_month.strftime("%Y-%m"), "item": item, "farmer": farmer,
           "farmer_booking": farmer_booking, "requested_booking": requested_booking, "network": shape.network_id(n),
           "free_start": free.strftime("%Y-%m-%dT%H:%M:%SZ").replace(":", "%3A"),
           "free_end": (free + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ").replace(":", "%3A")}
    people = {
        "farmer": f"landwirt{farmer}@hof.example",
        "yard head": f"bauhof{m}@gemeinde.example",
        "finance": f"kaemmerei{m}@gemeinde.example",
        "admin": f"admin{shape.network_id(n)}@netz.example",
    }
    app = create_app(settings)
    rows: list[Row] = []
    transport = httpx.ASGITransport(app=app)
    clients: dict[str, httpx.AsyncClient] = {}
    headers: dict[str, dict[str, str]] = {}
    try:
        for role, email in people.items():
            clients[role] = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=120)
            await _login_page(clients[role], email)
            headers[role] = await _token(clients[role], email)
        for role, client in clients.items():
            skipped: dict[int, int] = {}
            for path in _candidates(ctx):
                is_api = path.startswith("/api/")
                status, times, size = await _time_get(client, path, requests, headers[role] if is_api else None)
                if status != 200:
                    skipped[status] = skipped.get(status, 0) + 1
                    continue
                kind = ("catalogue" if path in CATALOGUE else "file" if any(f in path for f in FILES)
                        else "api" if is_api else "page")
                target = {"catalogue": CATALOGUE_TARGET, "file": EXPORT_TARGET}.get(kind, INTERACTIVE_TARGET)
                rows.append(Row(kind, role, path, _percentile(times, 0.5), _percentile(times, 0.95), len(times),
                                target, f"{size:,} B"))
                print(f"  {rows[-1].role:9s} {path[:70]:70s} p50 {rows[-1].p50 * 1000:6.1f} ms"
                      f"  p95 {rows[-1].p95 * 1000:6.1f} ms  {size:>9,} B", flush=True)
            print(f"  {role}: {sum(1 for r in rows if r.role == role)} routes answered 200; not for this role: "
                  f"{dict(sorted(skipped.items()))}", flush=True)
        # The interactive writes: a farmer's booking request on free days, the yard head's approval.
        created, request_times, approve_times = [], [], []
        for d in range(requests):
            start = free + timedelta(days=d)
            body = {"item_id": write_item, "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
                    "with_operator": False}
            started = time.perf_counter()
            response = await clients["farmer"].post("/api/v1/bookings", json=body, headers=headers["farmer"])
            request_times.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise RuntimeError(f"booking request: {response.status_code} {response.text[:300]}")
            created.append(response.json()["id"])
        for booking_id in created:
            started = time.perf_counter()
            response = await clients["yard head"].post(f"/api/v1/bookings/{booking_id}/approve",
                                                       headers=headers["yard head"])
            approve_times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"approval: {response.status_code} {response.text[:300]}")
        for role, label, times in (("farmer", "POST /api/v1/bookings", request_times),
                                   ("yard head", "POST /api/v1/bookings/{id}/approve", approve_times)):
            rows.append(Row("write", role, label, _percentile(times, 0.5), _percentile(times, 0.95), len(times),
                            INTERACTIVE_TARGET))
        # Every export of the settled month of the largest municipality, through the API (finance).
        for fmt in ("csv", "datev", "sepa-debit", "sepa-credit", "pdf"):
            path = f"/api/v1/settlements/{ctx['month']}/export?municipality_id={m}&format={fmt}"
            times = []
            size = 0
            for _ in range(3):
                started = time.perf_counter()
                response = await clients["finance"].get(path, headers=headers["finance"])
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                size = len(response.content)
            rows.append(Row("export", "finance", f"export {fmt}", statistics.median(times), max(times), len(times),
                            EXPORT_TARGET, f"{size:,} B"))
    finally:
        for client in clients.values():
            await client.aclose()
    return rows


FLOOR_SQL = (
    "SELECT municipality_id, farmer_id,"
    " COALESCE(SUM(amount_cents) FILTER (WHERE amount_cents > 0), 0) AS charges,"
    " COALESCE(-SUM(amount_cents) FILTER (WHERE amount_cents < 0), 0) AS credits,"
    " SUM(amount_cents) AS net, COUNT(*) AS entries"
    " FROM ledger_entries WHERE value_date BETWEEN $1 AND $2 GROUP BY municipality_id, farmer_id"
)


async def time_settlement(url: str, shape: Shape, settings: Settings) -> list[Row]:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    first, last = settlement.month_bounds(shape.settle_month)
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        floor_rows = await conn.fetch(FLOOR_SQL, first, last)
        floor_s = time.perf_counter() - started
        pairs = await conn.fetch("SELECT network_id, id FROM municipalities ORDER BY network_id, id")
    finally:
        await conn.close()
    engine = make_engine(url, pool_size=scheduler.SETTLE_WORKERS)
    try:
        sessionmaker = make_sessionmaker(engine)
        entries = 0
        started = time.perf_counter()
        # the monthly run: each municipality frozen in its own transaction, SETTLE_WORKERS at a time
        outcomes = await scheduler.settle_many(sessionmaker, [(r[0], r[1]) for r in pairs], shape.settle_month,
                                               "bench", settings=settings)
        settle_s = time.perf_counter() - started
        conn = await asyncpg.connect(dsn)
        try:  # the GROUP BY again, on the cache the settlement left (the first read's cache was colder)
            started = time.perf_counter()
            await conn.fetch(FLOOR_SQL, first, last)
            floor_after_s = time.perf_counter() - started
        finally:
            await conn.close()
        for outcome in outcomes:
            if outcome.status != "created":
                raise RuntimeError(f"municipality {outcome.municipality_id}: {outcome.status} {outcome.error}")
            entries += outcome.entries or 0
        started = time.perf_counter()
        told = await scheduler.tell_networks(sessionmaker, settings)  # then the farmers told, a settlement each
        tell_s = time.perf_counter() - started
    finally:
        await engine.dispose()
    floor_entries = sum(r["entries"] for r in floor_rows)
    if floor_entries != entries:
        raise RuntimeError(f"settled {entries} entries, the GROUP BY counted {floor_entries}")
    print(f"  settlement of {shape.settle_month:%Y-%m}: {len(pairs):,} municipalities, {entries:,} entries in "
          f"{settle_s:.2f} s ({scheduler.SETTLE_WORKERS} at a time); GROUP BY {floor_s:.2f} s before, "
          f"{floor_after_s:.2f} s after; ratio {settle_s / floor_s:.2f} ({settle_s / floor_after_s:.2f} to the second);"
          f" then {told:,} farmers told in {tell_s:.2f} s", flush=True)
    return [
        Row("settlement", "system", f"settle {len(pairs):,} municipalities ({entries:,} entries)", settle_s, settle_s,
            1, min(SETTLE_TARGET, SETTLE_RATIO * floor_s), f"ratio {settle_s / floor_s:.2f} to the GROUP BY"),
        Row("floor", "system", "bare GROUP BY over the same rows (before the settlement / after it)", floor_s,
            floor_after_s, 2, float("inf"), f"ratio {settle_s / floor_after_s:.2f} to the second"),
        # no target of the issue's: the books are frozen by then; the farmers' notices and mails follow
        Row("settlement", "system", f"then tell {told:,} farmers (notice and mail), a settlement each", tell_s, tell_s,
            1, float("inf"), f"{tell_s / max(told, 1) * 1e6:.0f} µs a farmer"),
    ]


def print_table(rows: list[Row], tier: str, load_figures: dict[str, Any]) -> bool:
    print()
    print("| kind | role | page or route | p50 ms | p95 ms | n | target ms | |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        target = "—" if r.target == float("inf") else f"{r.target * 1000:.0f}"
        verdict = "" if r.target == float("inf") else ("ok" if r.ok else "**MISSED**")
        print(f"| {r.kind} | {r.role} | `{r.label}` | {r.p50 * 1000:.1f} | {r.p95 * 1000:.1f} | {r.n} | {target} |"
              f" {verdict} {r.note} |")
    checked = [r for r in rows if r.target != float("inf")]
    missed = [r for r in checked if not r.ok]
    interactive = [r for r in rows if r.kind in ("page", "api", "write", "catalogue")]
    worst = max(interactive, key=lambda r: r.p95) if interactive else None
    catalogue = max((r for r in rows if r.kind == "catalogue"), key=lambda r: r.p95, default=None)
    exports = max((r for r in rows if r.kind == "export"), key=lambda r: r.p95, default=None)
    settle = next((r for r in rows if r.kind == "settlement"), None)
    print()
    print(f"SUMMARY tier={tier}: load {load_figures['total']:.0f} s, database {load_figures['size'] / 2**30:.2f} GiB;"
          f" {len(interactive)} interactive routes, worst p95 {worst.p95 * 1000:.1f} ms ({worst.role} {worst.label})"
          if worst else "", end="")
    if catalogue:
        print(f"; catalogue p95 ≤ {catalogue.p95 * 1000:.1f} ms", end="")
    if settle:
        print(f"; settlement {settle.p50:.2f} s ({settle.note})", end="")
    if exports:
        print(f"; slowest export {exports.p95 * 1000:.0f} ms ({exports.label})", end="")
    print(f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", end="")
    print(f"; {len(checked) - len(missed)}/{len(checked)} targets met"
          + (f", MISSED: {', '.join(f'{r.role} {r.label}' for r in missed)}" if missed else ""))
    return not missed


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tier", choices=sorted(TIERS), default="small")
    parser.add_argument("--database-url", help="server to create the benchmark database on")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per route (after a warm-up)")
    parser.add_argument("--jobs", type=int, default=2, help="COPY connections at a time")
    parser.add_argument("--load-only", action="store_true", help="load and report the load figures only")
    parser.add_argument("--keep", action="store_true", help="do not drop the benchmark database")
    parser.add_argument("--reuse", metavar="DATABASE",
                        help="time an already loaded database of this tier (left by --keep) instead of loading one;"
                             " the settlement is timed only if its month is still pending")
    args = parser.parse_args()
    for noisy in ("httpx", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.reuse:
        from sqlalchemy import make_url

        from machinery_network.testing import scratch_server_url

        server, embedded_server = scratch_server_url(args.database_url)
        try:
            return await run(make_url(server).set(database=args.reuse).render_as_string(hide_password=False), args)
        finally:
            if embedded_server:
                from machinery_network import embedded

                embedded.stop()
    async with scratch_database_on(args.database_url, f"mn_bench_scale_{args.tier}", keep=args.keep) as url:
        if args.keep:
            print(f"database: {url.rsplit('/', 1)[-1]}")
        return await run(url, args)


async def run(url: str, args: argparse.Namespace) -> int:
    tier = TIERS[args.tier]
    shape = Shape(tier, clock.today(Settings().tz))
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    print(f"tier {args.tier}: {tier.networks:,} networks × {MUNICIPALITIES_PER_NETWORK} municipalities, "
          f"{tier.farmers:,} farmers ({shape.big_farmers} in network 1), {tier.items:,} items, "
          f"{tier.bookings:,} bookings, {tier.entries:,} ledger entries; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    if args.reuse:
        conn = await asyncpg.connect(dsn)
        try:
            figures = {"total": 0.0, "size": await conn.fetchval("SELECT pg_database_size(current_database())")}
            pending = await conn.fetchval("SELECT count(*) FROM settlements WHERE month = $1 AND NOT frozen",
                                          shape.settle_month)
        finally:
            await conn.close()
        print(f"reusing {args.reuse} ({figures['size'] / 2**20:,.0f} MiB)", flush=True)
    else:
        figures = await load(dsn, shape, args.jobs)
        pending = 1
        rate = figures["ledger_entries"][0] / figures["ledger_entries"][1]
        print(f"loaded in {figures['total']:.1f} s (ledger entries {rate:,.0f} rows/s through the triggers); database"
              f" {figures['size'] / 2**20:,.0f} MiB; largest tables: "
              + ", ".join(f"{r['relname']} {r['bytes'] / 2**20:,.0f} MiB" for r in figures["sizes"]), flush=True)
    if args.load_only:
        return 0
    settings = Settings(DATABASE_URL=url, MN_SECRET_KEY="bench-scale-secret-key-not-for-production",
                        MN_ACCESS_LOG="0")
    rows = await time_settlement(url, shape, settings) if pending else []
    rows += await time_routes(url, shape, args.requests, settings)
    return 0 if print_table(rows, args.tier, figures) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
