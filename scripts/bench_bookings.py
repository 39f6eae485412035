"""Benchmark: booking requests and approvals through the running service, against the database floor.

Creates its own database on the given server (``--database-url`` / ``DATABASE_URL``; default: the
embedded server in ``MN_DATA_DIR``), migrates it, seeds municipalities, yard heads, farmers (with
bearer tokens) and items directly, starts ``machinery-network serve --no-scheduler`` as a subprocess
on a free loopback port against that database, and prints in one run:

(a) saturation: ``--connections`` (64) HTTP connections sending booking requests (some conflicting)
    and approvals as fast as they can for ``--seconds`` (20): requests/s;
(b) the floor: the same inserts (a booking row, then its occupancy row under the exclusion
    constraint) straight through asyncpg on the same server, same concurrency and duration:
    transactions/s;
(c) a realistic peak: ``--farmers`` (200) farmers each sending about one request a second for
    ``--seconds``: p50/p99 latency;

(c) runs first, after a 2-second warm-up; then ``--rounds`` (3) rounds of (a) followed by (b), each
round on new slots. On a shared machine the speed of either phase drifts by a fifth within minutes,
so alternating them and judging the median round's (a)/(b) compares like with like; every round's
figures are printed. The service runs as the README deploys it, ``MN_ENV=production``, with
``MN_ACCESS_LOG=0`` unless ``--access-log`` is given (behind a load balancer, which logs requests itself).

The load generator speaks HTTP/1.1 keep-alive on plain asyncio streams (``RawClient``): httpx costs
about as much CPU per request as the service itself, and on a small machine its queueing would be
measured as service latency. ``--httpx`` drives (a) with ``httpx.AsyncClient`` instead. The CPU time
the service and the load generator used is printed with each phase.

plus the 5xx count and an overlap check (SQL self-join) afterwards.

``--wrk`` measures the way issue #15 asks, from outside: ``wrk`` (a C load generator from the system's
packages: ``apt-get install wrk``) with ``--connections`` (64) connections sending booking requests only
(no approvals) to ``serve`` as the README starts it, against ``pgbench`` (``--connections`` clients)
running the same insert under the same exclusion constraint (a booking row and its occupancy in one
statement, ``ON CONFLICT DO NOTHING`` so that a conflict is not an error), alternating ``--rounds``
times; it prints requests/s, transactions/s and their ratio (median round), and the CPU each side
spends (the service, the PostgreSQL backends of the benchmark database, wrk; the backends and pgbench)
per request and per transaction: the ratio of those costs is the throughput ratio on a machine given to
each phase alone, which a shared machine's load moves much less. Loopback only. Targets: (a) ≥ 25 % of (b),
(c) p99 < 50 ms, zero 5xx, zero overlaps. Every loop is bounded in time and count; loopback only.
Stops the service and drops its database at the end.

    python scripts/bench_bookings.py [--database-url postgresql+asyncpg://…] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network.accounts.security import new_token, token_digest
from machinery_network.testing import scratch_database_on

MUNICIPALITIES = 4
ITEMS_PER_MUNICIPALITY = 25
HORIZON_DAYS = 170  # the service's default horizon is 180 days
MAX_REQUESTS = 2_000_000  # hard bound on any loop, whatever the speed

OVERLAPS = (
    "SELECT count(*) FROM occupancies a JOIN occupancies b ON a.item_id = b.item_id AND a.id < b.id"
    " AND tstzrange(a.start_at, a.end_at, '[)') && tstzrange(b.start_at, b.end_at, '[)')"
)
APPROVED_OVERLAPS = (
    "SELECT count(*) FROM bookings a JOIN bookings b ON a.item_id = b.item_id AND a.id < b.id"
    " AND a.status IN ('approved','completed') AND b.status IN ('approved','completed')"
    " AND a.start_at < b.end_at AND b.start_at < a.end_at"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Seed:
    farmers: list[tuple[int, str]]  # (id, token)
    yard_tokens: dict[int, str]  # municipality id → token of its yard head
    items: list[tuple[int, int]]  # (item id, municipality id) for the HTTP phases
    floor_items: list[int]  # a separate set for the floor, so both start from empty calendars
    floor_farmer: int


async def _seed(url: str, farmers: int) -> Seed:
    engine = create_async_engine(url)
    expires = datetime.now(UTC) + timedelta(days=2)
    async with engine.begin() as conn:
        yard_tokens: dict[int, str] = {}
        items: list[tuple[int, int]] = []
        floor_items: list[int] = []
        for m in range(MUNICIPALITIES):
            mid = await conn.scalar(text("INSERT INTO municipalities (name, datev_consultant_number,"
                                         " datev_client_number) VALUES (:n, 1001, 1) RETURNING id"),
                                    {"n": f"Bankheim {m}"})
            uid = await conn.scalar(text("INSERT INTO users (email, name, password_hash, role, municipality_id,"
                                         " active) VALUES (:e, :n, 'x', 'yard_head', :m, true) RETURNING id"),
                                    {"e": f"yard{m}@bench.example", "n": f"Bauhof {m}", "m": mid})
            token = new_token()
            await conn.execute(text("INSERT INTO api_tokens (user_id, token_hash, expires_at) VALUES (:u, :h, :x)"),
                               {"u": uid, "h": token_digest(token), "x": expires})
            yard_tokens[mid] = token
            for i in range(ITEMS_PER_MUNICIPALITY * 2):
                iid = await conn.scalar(text(
                    "INSERT INTO items (municipality_id, name, kind, unit, rate_cents, operator_rate_cents,"
                    " vat_percent, active) VALUES (:m, :n, 'machine', 'hour', 4800, 3500, 19, true) RETURNING id"
                ), {"m": mid, "n": f"Traktor {m}-{i}"})
                (items.append((iid, mid)) if i < ITEMS_PER_MUNICIPALITY else floor_items.append(iid))
        farmer_rows = []
        for f in range(farmers):
            fid = await conn.scalar(text("INSERT INTO users (email, name, password_hash, role, active)"
                                         " VALUES (:e, :n, 'x', 'farmer', true) RETURNING id"),
                                    {"e": f"farmer{f}@bench.example", "n": f"Landwirt {f}"})
            token = new_token()
            await conn.execute(text("INSERT INTO api_tokens (user_id, token_hash, expires_at) VALUES (:u, :h, :x)"),
                               {"u": fid, "h": token_digest(token), "x": expires})
            farmer_rows.append((fid, token))
    await engine.dispose()
    return Seed(farmers=farmer_rows, yard_tokens=yard_tokens, items=items, floor_items=floor_items,
                floor_farmer=farmer_rows[0][0])


def _slot(rng: random.Random, base: datetime) -> tuple[datetime, datetime]:
    """A period on a whole hour within the horizon; 1–4 hours long, so neighbours often collide."""
    start = base + timedelta(days=rng.randrange(1, HORIZON_DAYS), hours=rng.randrange(6, 18))
    return start, start + timedelta(hours=rng.randrange(1, 5))


@dataclass
class Tally:
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # transport errors (no HTTP answer)

    def add(self, status: int, seconds: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(seconds)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


async def _timed(client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError:
        tally.errors += 1
        return None
    tally.add(response.status_code, time.perf_counter() - t0)
    return response


async def saturation_httpx(
    base_url: str, seed: Seed, connections: int, seconds: float, round_: int = 0
) -> tuple[Tally, float]:
    """Each worker: a farmer requests a slot; half of the time the item's yard head approves it."""
    tally = Tally()
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            rng = random.Random(round_ * 10_000 + n)
            for _ in range(MAX_REQUESTS // connections):
                if time.perf_counter() >= deadline:
                    return
                _, token = seed.farmers[rng.randrange(len(seed.farmers))]
                item_id, municipality_id = seed.items[rng.randrange(len(seed.items))]
                start, end = _slot(rng, base)
                response = await _timed(client, tally, "POST", "/api/v1/bookings", json={
                    "item_id": item_id, "start": start.isoformat(), "end": end.isoformat(), "with_operator": False,
                }, headers={"Authorization": f"Bearer {token}"})
                if response is not None and response.status_code == 201 and rng.random() < 0.5:
                    await _timed(client, tally, "POST", f"/api/v1/bookings/{response.json()['id']}/approve",
                                 headers={"Authorization": f"Bearer {seed.yard_tokens[municipality_id]}"})

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - started
    return tally, elapsed


async def saturation(
    base_url: str, seed: Seed, connections: int, seconds: float, round_: int = 0
) -> tuple[Tally, float]:
    """The same mix as ``saturation_httpx`` on ``RawClient`` connections (one per worker)."""
    import json

    tally = Tally()
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    host, port = base_url.removeprefix("http://").split(":")
    deadline = time.perf_counter() + seconds

    async def call(client: RawClient, path: str, body: dict | None, token: str) -> tuple[int, bytes] | None:
        t0 = time.perf_counter()
        try:
            status, payload = await client.post_json(path, json.dumps(body or {}).encode() if body else b"",
                                                     {"Authorization": f"Bearer {token}"})
        except (OSError, ConnectionError, ValueError, IndexError, asyncio.IncompleteReadError):
            tally.errors += 1
            client.writer = None
            return None
        tally.add(status, time.perf_counter() - t0)
        return status, payload

    async def worker(n: int) -> None:
        rng = random.Random(round_ * 10_000 + n)  # new slots each round
        client = RawClient(host, int(port))
        try:
            for _ in range(MAX_REQUESTS // connections):
                if time.perf_counter() >= deadline:
                    return
                _, token = seed.farmers[rng.randrange(len(seed.farmers))]
                item_id, municipality_id = seed.items[rng.randrange(len(seed.items))]
                start, end = _slot(rng, base)
                answer = await call(client, "/api/v1/bookings", {
                    "item_id": item_id, "start": start.isoformat(), "end": end.isoformat(), "with_operator": False,
                }, token)
                if answer is not None and answer[0] == 201 and rng.random() < 0.5:
                    booking_id = json.loads(answer[1])["id"]
                    await call(client, f"/api/v1/bookings/{booking_id}/approve", None,
                               seed.yard_tokens[municipality_id])
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    return tally, time.perf_counter() - started


async def floor(dsn: str, seed: Seed, connections: int, seconds: float, round_: int = 0) -> tuple[int, int, float]:
    """The same rows straight through asyncpg: a booking, then its occupancy (approved half the time)."""
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    done = conflicts = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal done, conflicts
        rng = random.Random(round_ * 10_000 + 1000 + n)
        async with pool.acquire() as conn:
            insert_booking = await conn.prepare(
                "INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status,"
                " estimated_cents, created_at) VALUES ($1, $2, $3, $4, false, 'requested', 22848, now())"
                " RETURNING id"
            )
            insert_occupancy = await conn.prepare(
                "INSERT INTO occupancies (item_id, start_at, end_at, booking_id) VALUES ($1, $2, $3, $4)"
            )
            for _ in range(MAX_REQUESTS // connections):
                if time.perf_counter() >= deadline:
                    return
                item_id = seed.floor_items[rng.randrange(len(seed.floor_items))]
                start, end = _slot(rng, base)
                try:
                    async with conn.transaction():
                        booking_id = await insert_booking.fetchval(item_id, seed.floor_farmer, start, end)
                        if rng.random() < 0.5:
                            await insert_occupancy.fetchval(item_id, start, end, booking_id)
                    done += 1
                except asyncpg.exceptions.ExclusionViolationError:
                    conflicts += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return done, conflicts, elapsed


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, for the latency phase.

    httpx costs about a millisecond of CPU per request; with 200 concurrent farmers on a small
    machine the load generator itself would become the bottleneck and its queueing would be
    measured as service latency. This one costs a few dozen microseconds.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode() + body
        )
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            self.writer = None
            raise ConnectionError("connection closed by the service")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def peak(base_url: str, seed: Seed, farmers: int, seconds: float) -> Tally:
    """Each farmer sends about one request a second (jittered) on his own keep-alive connection."""
    import json

    tally = Tally()
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    host, port = base_url.removeprefix("http://").split(":")
    deadline = time.perf_counter() + seconds + 1.0  # the first second spreads the farmers' starts

    async def farmer(n: int) -> None:
        rng = random.Random(50_000 + n)
        _, token = seed.farmers[n % len(seed.farmers)]
        headers = {"Authorization": f"Bearer {token}"}
        client = RawClient(host, int(port))
        try:
            await asyncio.sleep(rng.random())
            for _ in range(int(seconds) * 3):
                if time.perf_counter() >= deadline:
                    return
                tick = time.perf_counter()
                item_id, _ = seed.items[rng.randrange(len(seed.items))]
                start, end = _slot(rng, base)
                body = json.dumps({"item_id": item_id, "start": start.isoformat(), "end": end.isoformat()}).encode()
                try:
                    status, _ = await client.post_json("/api/v1/bookings", body, headers)
                except (OSError, ConnectionError, ValueError, IndexError, asyncio.IncompleteReadError):
                    tally.errors += 1
                    client.writer = None
                    continue
                tally.add(status, time.perf_counter() - tick)
                await asyncio.sleep(max(0.0, rng.uniform(0.8, 1.2) - (time.perf_counter() - tick)))
        finally:
            await client.close()

    await asyncio.gather(*(farmer(n) for n in range(farmers)))
    return tally


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the service process and its worker processes."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return float("nan")
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _machine_cpu_seconds() -> float:
    """User + system CPU time of the whole machine (the service, PostgreSQL and this script)."""
    import psutil

    times = psutil.cpu_times()
    return times.user + times.system


class BackendCPU:
    """CPU seconds the PostgreSQL backends of one database spend during a phase, sampled every
    ``interval`` seconds from their process titles ("postgres: … <database> …"): a backend that exits
    takes its time along (pgbench's end with it), so at most the last interval of those is missed."""

    def __init__(self, database: str, interval: float = 0.2) -> None:
        import threading

        self.database, self.interval = database, interval
        self._start: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self, first: bool = False) -> None:
        import psutil

        for process in psutil.process_iter(["cmdline"]):
            try:
                title = " ".join(process.info["cmdline"] or ())
                if not title.startswith("postgres:") or f" {self.database} " not in f"{title} ":
                    continue
                times = process.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            self._start.setdefault(process.pid, used if first else 0.0)  # new during the phase: from 0
            self._last[process.pid] = used

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(self._last[pid] - self._start[pid] for pid in self._last)


def _children_cpu() -> float:
    """User + system CPU time of this script's finished child processes (wrk, pgbench)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _start_service(
    url: str, port: int, data_dir: str, pool_size: int | None, log, workers: int = 1, access_log: bool = False
) -> subprocess.Popen:
    # As the README deploys it: MN_ENV=production behind a load balancer that logs the requests.
    env = {**os.environ, "DATABASE_URL": url, "MN_DATA_DIR": data_dir, "MN_ENV": "production",
           "MN_SECRET_KEY": "bench-secret-key-not-for-production", "MN_ACCESS_LOG": "1" if access_log else "0"}
    env.pop("MN_SMTP_URL", None)
    if pool_size:
        env["MN_DB_POOL_SIZE"] = str(pool_size)
    exe = Path(sys.executable).with_name("machinery-network")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "machinery_network.cli"]
    return subprocess.Popen(
        [*command, "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )


async def _wait_healthy(base_url: str, process: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.perf_counter() + limit
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the service exited (see its stderr above)")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the service did not become healthy in time")


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local items = {%(items)s}
local base = %(base)d
local counts = {}
setup = function(thread) table.insert(counts, thread) end
init = function(args) math.randomseed(%(seed)d + os.clock() * 1000000) ok, client, server, other = 0, 0, 0, 0 end
request = function()
  local s = base + math.random(1, %(horizon)d) * 86400 + math.random(6, 17) * 3600
  local e = s + math.random(1, 4) * 3600
  local body = string.format('{"item_id": %%d, "start": "%%s", "end": "%%s", "with_operator": false}',
    items[math.random(#items)], os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", s), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", e))
  return wrk.format("POST", "/api/v1/bookings", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]}, body)
end
response = function(status)
  if status < 300 then ok = ok + 1 elseif status < 500 then client = client + 1 else server = server + 1 end
end
done = function(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(counts) do a = a + t:get("ok"); b = b + t:get("client"); c = c + t:get("server") end
  io.write(string.format("STATUSES %%d %%d %%d\\n", a, b, c))
  io.write(string.format("LATENCY %%.3f %%.3f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""

# The floor: the booking row and its occupancy under the exclusion constraint, in one statement.
PGBENCH_SCRIPT = """
\\set n random(1, %(count)d)
\\set day random(1, %(horizon)d)
\\set hour random(6, 17)
\\set stop :hour + random(1, 4)
WITH b AS (INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status, estimated_cents,
    created_at) VALUES ((ARRAY[%(items)s])[:n::int], %(farmer)d,
    date_trunc('day', now()) + make_interval(days => :day::int, hours => :hour::int),
    date_trunc('day', now()) + make_interval(days => :day::int, hours => :stop::int), false, 'requested', 22848,
    now()) RETURNING id, item_id, start_at, end_at)
INSERT INTO occupancies (item_id, start_at, end_at, booking_id) SELECT item_id, start_at, end_at, id FROM b
ON CONFLICT DO NOTHING;
"""


async def wrk_rounds(base_url: str, url: str, seed: Seed, args: argparse.Namespace) -> int:
    """Alternating rounds of wrk against the service and pgbench against PostgreSQL; the median ratio."""
    import re
    import shutil

    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install {'wrk' if tool == 'wrk' else 'postgresql-client'})",
                  file=sys.stderr)
            return 2
    dsn = make_url(url)
    base = int(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    floor_items = sorted(seed.floor_items)
    ratios: list[float] = []
    cost_ratios: list[float] = []
    server_errors = 0
    with tempfile.TemporaryDirectory(prefix="mn-wrk-") as tmp:
        lua = Path(tmp) / "bookings.lua"
        lua.write_text(WRK_SCRIPT % {
            "tokens": ", ".join(f'"{token}"' for _, token in seed.farmers),
            "items": ", ".join(str(item_id) for item_id, _ in seed.items), "base": base, "seed": 4711,
            "horizon": HORIZON_DAYS})
        sql = Path(tmp) / "floor.sql"
        sql.write_text(PGBENCH_SCRIPT % {"count": len(floor_items), "items": ", ".join(map(str, floor_items)),
                                          "horizon": HORIZON_DAYS, "farmer": seed.floor_farmer})
        env = {**os.environ, "PGPASSWORD": dsn.password or ""}
        pg = ["-h", dsn.host or "127.0.0.1", "-p", str(dsn.port or 5432), "-U", dsn.username or "postgres"]
        # warm-up: prepared statements, full pools
        await asyncio.to_thread(subprocess.run, ["wrk", "-t2", f"-c{args.connections}", "-d2s", "-s", str(lua),
                                                 base_url], capture_output=True, timeout=60, check=False)
        for round_ in range(1, args.rounds + 1):
            await asyncio.sleep(2)
            load = os.getloadavg()[0]
            cpu0, wrk0, backends = _cpu_seconds(process_pid(base_url)), _children_cpu(), BackendCPU(dsn.database)
            done = await asyncio.to_thread(
                subprocess.run, ["wrk", "-t2", f"-c{args.connections}", f"-d{int(args.seconds)}s", "--timeout", "10s", "-s", str(lua),
                 base_url], capture_output=True, text=True, timeout=args.seconds + 60, check=False)
            cpu = _cpu_seconds(process_pid(base_url)) - cpu0
            pg_cpu, wrk_cpu = backends.stop(), _children_cpu() - wrk0
            match = re.search(r"Requests/sec:\s*([0-9.]+)", done.stdout)
            statuses = re.search(r"STATUSES (\d+) (\d+) (\d+)", done.stdout)
            latency = re.search(r"LATENCY ([0-9.]+) ([0-9.]+)", done.stdout)
            if not match or not statuses:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 2
            rps = float(match.group(1))
            ok, client, server = (int(g) for g in statuses.groups())
            server_errors += server
            total = ok + client + server
            request_cpu = (cpu + pg_cpu + wrk_cpu) / max(total, 1)
            print(f"round {round_}: wrk {args.connections} connections, {args.seconds:.0f} s: {rps:.0f} requests/s"
                  f" ({ok} 2xx, {client} 4xx, {server} 5xx); p50 {latency.group(1)} ms, p99 {latency.group(2)} ms;"
                  f" CPU per request: service {cpu / max(total, 1) * 1000:.2f} ms, PostgreSQL"
                  f" {pg_cpu / max(total, 1) * 1000:.2f} ms, wrk {wrk_cpu / max(total, 1) * 1000:.2f} ms;"
                  f" load average {load:.1f}", flush=True)
            await asyncio.sleep(2)
            load = os.getloadavg()[0]
            bench0, backends = _children_cpu(), BackendCPU(dsn.database)
            bench = await asyncio.to_thread(
                subprocess.run, ["pgbench", *pg, "-n", "-M", "prepared", "-c", str(args.connections), "-j", "2",
                 "-T", str(int(args.seconds)), "-f", str(sql), dsn.database],
                capture_output=True, text=True, env=env, timeout=args.seconds + 60, check=False)
            tps = re.search(r"tps = ([0-9.]+)", bench.stdout)
            if not tps:
                print(bench.stdout, bench.stderr, file=sys.stderr)
                return 2
            pg_cpu, bench_cpu = backends.stop(), _children_cpu() - bench0
            floor_tps = float(tps.group(1))
            transactions = int(re.search(r"number of transactions actually processed: (\d+)", bench.stdout).group(1))
            transaction_cpu = (pg_cpu + bench_cpu) / max(transactions, 1)
            ratios.append(rps / floor_tps)
            cost_ratios.append(transaction_cpu / request_cpu if request_cpu else 0.0)
            print(f"round {round_}: pgbench {args.connections} clients: {floor_tps:.0f} transactions/s;"
                  f" CPU per transaction: PostgreSQL {pg_cpu / max(transactions, 1) * 1000:.2f} ms,"
                  f" pgbench {bench_cpu / max(transactions, 1) * 1000:.2f} ms; load average {load:.1f};"
                  f" wrk/pgbench = {ratios[-1]:.3f}; CPU per transaction ÷ CPU per request = {cost_ratios[-1]:.3f}",
                  flush=True)
    ratio = statistics.median(ratios)
    print(f"wrk requests/s ÷ pgbench transactions/s: median {ratio:.3f} of {len(ratios)} rounds"
          f" ({', '.join(f'{r:.3f}' for r in ratios)}); 5xx: {server_errors}")
    print(f"CPU per pgbench transaction ÷ CPU per request (service + PostgreSQL + wrk; the ratio of throughputs"
          f" on a machine given to each phase alone): median {statistics.median(cost_ratios):.3f}"
          f" ({', '.join(f'{r:.3f}' for r in cost_ratios)})")
    print(f"  {'PASS' if ratio >= 0.25 else 'MISS'} requests/s >= 0.25 × transactions/s")
    return 0 if ratio >= 0.25 and server_errors == 0 else 1


_SERVICE_PIDS: dict[str, int] = {}


def process_pid(base_url: str) -> int:
    return _SERVICE_PIDS[base_url]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="server to create the benchmark database on")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a) then (b); the verdict is the median")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--farmers", type=int, default=200)
    parser.add_argument("--pool-size", type=int, default=None, help="MN_DB_POOL_SIZE for the service")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers for the service")
    parser.add_argument("--access-log", action="store_true", help="keep the service's per-request access log")
    parser.add_argument("--wrk", action="store_true",
                        help="requests only, driven by wrk, against a pgbench floor (needs wrk and pgbench)")
    parser.add_argument("--httpx", action="store_true",
                        help="drive (a) with httpx.AsyncClient instead of the lightweight raw client")
    args = parser.parse_args()

    async with scratch_database_on(args.database_url, "mn_bench_bookings") as url:
        return await run(url, args)


async def run(url: str, args: argparse.Namespace) -> int:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    process = None
    try:
        seed = await _seed(url, args.farmers)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="mn-bench-") as data_dir:
            service_log = (Path(data_dir) / "service.log").open("wb")  # noqa: ASYNC230, SIM115 (before any load)
            process = _start_service(url, port, data_dir, args.pool_size, service_log, args.workers,
                                     args.access_log)
            _SERVICE_PIDS[base_url] = process.pid
            try:
                await _wait_healthy(base_url, process)
            except RuntimeError:
                service_log.flush()
                print((Path(data_dir) / "service.log").read_text(errors="replace")[-3000:], file=sys.stderr)
                raise
            print(f"service on {base_url} (uvicorn, {args.workers} worker(s), access log"
                  f" {'on' if args.access_log else 'off'}), database {url.rsplit('/', 1)[-1].split('?')[0]}; "
                  f"{MUNICIPALITIES * ITEMS_PER_MUNICIPALITY} items, {args.farmers} farmers;"
                  f" {os.cpu_count()} CPUs, load average before the run {os.getloadavg()[0]:.2f}", flush=True)

            if args.wrk:
                return await wrk_rounds(base_url, url, seed, args)
            drive = saturation_httpx if args.httpx else saturation
            await drive(base_url, seed, args.connections, 2.0, round_=99)  # warm-up: statements prepared, pools full
            await asyncio.sleep(1)
            # (c) first: the floor writes 100,000+ rows, and the checkpoint and autovacuum after it
            # would otherwise be measured as service latency.
            cpu0, own0 = _cpu_seconds(process.pid), time.process_time()
            pk = await peak(base_url, seed, args.farmers, args.seconds)
            pk_cpu, pk_own = _cpu_seconds(process.pid) - cpu0, time.process_time() - own0
            p50, p99 = _percentile(pk.latencies, 0.5) * 1000, _percentile(pk.latencies, 0.99) * 1000
            print(f"(c) peak: {args.farmers} farmers × ~1 request/s for {args.seconds:.0f} s: {pk.total} requests,"
                  f" statuses {dict(sorted(pk.statuses.items()))}; p50 {p50:.1f} ms,"
                  f" p90 {_percentile(pk.latencies, 0.9) * 1000:.1f} ms, p99 {p99:.1f} ms,"
                  f" max {max(pk.latencies, default=0) * 1000:.1f} ms; service CPU {pk_cpu:.1f} s"
                  f" ({pk_cpu / max(pk.total, 1) * 1000:.2f} ms/request), load generator CPU {pk_own:.1f} s",
                  flush=True)

            # (a) and (b) alternate, so that both see the same machine: on a shared machine the speed
            # of either can drift by a fifth within minutes. The verdict is on the median round.
            ratios: list[float] = []
            server_errors = pk.server_errors
            transport_errors = pk.errors
            for round_ in range(1, args.rounds + 1):
                await asyncio.sleep(2)
                cpu0, own0, all0 = _cpu_seconds(process.pid), time.process_time(), _machine_cpu_seconds()
                sat, sat_elapsed = await drive(base_url, seed, args.connections, args.seconds, round_=round_)
                sat_rate = sat.total / sat_elapsed
                sat_cpu, own_cpu = _cpu_seconds(process.pid) - cpu0, time.process_time() - own0
                db_cpu = _machine_cpu_seconds() - all0 - sat_cpu - own_cpu
                server_errors += sat.server_errors
                transport_errors += sat.errors
                print(f"round {round_}: (a) saturation: {sat.total} requests in {sat_elapsed:.1f} s with"
                      f" {args.connections} {'httpx' if args.httpx else 'raw HTTP/1.1'} connections"
                      f" = {sat_rate:.0f} requests/s; statuses {dict(sorted(sat.statuses.items()))};"
                      f" p50 {_percentile(sat.latencies, 0.5) * 1000:.1f} ms,"
                      f" p99 {_percentile(sat.latencies, 0.99) * 1000:.1f} ms; service CPU {sat_cpu:.1f} s"
                      f" ({sat_cpu / max(sat.total, 1) * 1000:.2f} ms/request), load generator CPU {own_cpu:.1f} s,"
                      f" rest of the machine (PostgreSQL) {db_cpu:.1f} s ({db_cpu / max(sat.total, 1) * 1000:.2f} ms/request)",
                      flush=True)
                await asyncio.sleep(2)
                all0 = _machine_cpu_seconds()
                done, conflicts, floor_elapsed = await floor(dsn, seed, args.connections, args.seconds, round_=round_)
                floor_rate = (done + conflicts) / floor_elapsed
                floor_cpu = _machine_cpu_seconds() - all0
                ratios.append(sat_rate / floor_rate if floor_rate else 0.0)
                print(f"round {round_}: (b) floor: {done} committed + {conflicts} exclusion conflicts in"
                      f" {floor_elapsed:.1f} s with {args.connections} asyncpg connections"
                      f" = {floor_rate:.0f} transactions/s (machine CPU {floor_cpu:.1f} s,"
                      f" {floor_cpu / max(done + conflicts, 1) * 1000:.2f} ms/transaction); (a)/(b) = {ratios[-1] * 100:.1f} %",
                      flush=True)

        engine = create_async_engine(url)
        async with engine.connect() as conn:
            overlaps = await conn.scalar(text(OVERLAPS))
            approved_overlaps = await conn.scalar(text(APPROVED_OVERLAPS))
            occupancies = await conn.scalar(text("SELECT count(*) FROM occupancies"))
        await engine.dispose()
        ratio = statistics.median(ratios)
        print(f"5xx: {server_errors} (transport errors: {transport_errors});"
              f" overlaps: {overlaps} among {occupancies} occupancies, {approved_overlaps} among approved bookings")
        checks = {
            "(a) >= 25% of (b)": ratio >= 0.25,
            "(c) p99 < 50 ms": p99 < 50,
            "zero 5xx": server_errors == 0 and transport_errors == 0,
            "zero overlaps": overlaps == 0 and approved_overlaps == 0,
        }
        print(f"ratio (a)/(b): median {ratio * 100:.1f} % of {len(ratios)} rounds"
              f" ({', '.join(f'{r * 100:.1f} %' for r in ratios)})")
        for label, ok in checks.items():
            print(f"  {'PASS' if ok else 'MISS'} {label}")
        return 0 if all(checks.values()) else 1
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
