"""Load: a compressed farming season replayed against a running service, for a fixed time.

Many farmers book machines at the harvest peak (most requests fall into the same ten days, so they
collide), browse the catalogue and availability, and report their care work; the yard heads work their
inboxes (approve, or reject what no longer fits) and complete the jobs that have started; the finance
officers look at their settlements. Everything goes through the public JSON API, as real clients would.

Prints throughput, p50/p90/p99 latency per operation and overall, the 4xx the domain answers on purpose
(409 overlaps, …) and the errors (5xx, connection failures), which must be zero.

    python scripts/load.py                         # starts its own serve --demo on a fresh database
    python scripts/load.py --url http://127.0.0.1:8000 --seconds 60 --farmers 100

With ``--url`` the service must have the demo network loaded (``serve --demo`` or ``machinery-network demo``);
the script creates its own farmers and sections through the API as the demo admin and yard heads. Only
loopback addresses are accepted: this is not a tool for other people's servers.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import socket
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import make_url

DEMO_PASSWORD = "demo-passwort"
ADMIN = "admin@werratal.example"
YARD_HEADS = ["bauhof@gerstungen.example", "bauhof@berka-werra.example", "bauhof@heringen.example"]
FINANCE = ["kaemmerei@gerstungen.example", "kaemmerei@berka-werra.example", "kaemmerei@heringen.example"]
FARMER_PASSWORD = "load-test-passwort"
SCRIPTS_DIR = str(Path(__file__).resolve().parent)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    connection_errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, op: str, seconds: float, status: int) -> None:
        self.latencies[op].append(seconds)
        self.statuses[op][status] += 1


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Client:
    def __init__(self, http: httpx.AsyncClient, stats: Stats, token: str | None = None):
        self.http = http
        self.stats = stats
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def call(self, op: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            self.stats.connection_errors += 1
            self.stats.error_kinds[f"{op}: {type(exc).__name__}"] += 1
            return None
        self.stats.record(op, time.perf_counter() - started, response.status_code)
        return response


async def login(http: httpx.AsyncClient, email: str, password: str) -> str:
    response = await http.post("/api/v1/auth/token", json={"email": email, "password": password})
    response.raise_for_status()
    return response.json()["token"]


# --- setting the season up -----------------------------------------------------------------------------------


@dataclass
class Season:
    farmers: list[tuple[int, str]]  # (id, token)
    yard_heads: dict[int, str]  # municipality id → token
    finance: dict[int, str]
    items: list[dict]
    sections: dict[int, list[dict]]  # farmer id → his sections
    harvest_start: datetime


async def prepare(http: httpx.AsyncClient, farmers: int) -> Season:
    admin = {"Authorization": f"Bearer {await login(http, ADMIN, DEMO_PASSWORD)}"}
    yard_heads, finance = {}, {}
    for email in YARD_HEADS:
        response = await http.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        response.raise_for_status()
        yard_heads[response.json()["municipality_id"]] = response.json()["token"]
    for email in FINANCE:
        response = await http.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        response.raise_for_status()
        finance[response.json()["municipality_id"]] = response.json()["token"]
    items = (await http.get("/api/v1/items", headers=admin)).json()
    items = [i for i in items if i["unit"] in ("hour", "day", "flat")]

    tag = uuid.uuid4().hex[:6]
    created: list[tuple[int, str]] = []

    async def new_farmer(n: int) -> None:
        email = f"landwirt{n}.{tag}@last.example"
        response = await http.post("/api/v1/users", headers=admin, json={
            "email": email, "password": FARMER_PASSWORD, "name": f"Lastbetrieb {n}", "role": "farmer",
            "iban": "DE02120300000000202051"})
        response.raise_for_status()
        created.append((response.json()["id"], await login(http, email, FARMER_PASSWORD)))

    for start in range(0, farmers, 20):
        await asyncio.gather(*(new_farmer(n) for n in range(start, min(farmers, start + 20))))

    # Each farmer looks after one verge section in one of the municipalities, assigned since spring.
    today = datetime.now(UTC).date()
    sections: dict[int, list[dict]] = defaultdict(list)
    municipalities = sorted(yard_heads)
    for index, (farmer_id, _) in enumerate(created):
        municipality_id = municipalities[index % len(municipalities)]
        yard = {"Authorization": f"Bearer {yard_heads[municipality_id]}"}
        section = await http.post("/api/v1/sections", headers=yard, json={
            "municipality_id": municipality_id, "name": f"Feldweg Last {tag} {index}", "kind": "path",
            "length_m": 900, "task": "verge_mowing", "unit": "metre", "rate_cents": 12})
        section.raise_for_status()
        assignment = await http.post(f"/api/v1/sections/{section.json()['id']}/assignments", headers=yard,
                                     json={"farmer_id": farmer_id,
                                           "valid_from": (today - timedelta(days=90)).isoformat()})
        assignment.raise_for_status()
        sections[farmer_id].append(section.json())
    harvest = (datetime.now(UTC) + timedelta(days=14)).replace(hour=5, minute=0, second=0, microsecond=0)
    return Season(created, yard_heads, finance, items, sections, harvest)


# --- the actors ----------------------------------------------------------------------------------------------


async def farmer_loop(client: Client, season: Season, farmer_id: int, rng: random.Random, stop: float) -> None:
    today = datetime.now(UTC).date()
    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.40:  # book: 80 % into the ten harvest days, the rest spread over the season
            item = rng.choice(season.items)
            if rng.random() < 0.8:
                start = season.harvest_start + timedelta(days=rng.randrange(10), hours=rng.randrange(14))
            else:
                start = datetime.now(UTC) + timedelta(days=rng.randrange(2, 150), hours=rng.randrange(24))
            start = start.replace(minute=0, second=0, microsecond=0)
            hours = rng.choice((2, 3, 4, 6, 8)) if item["unit"] == "hour" else 24 * rng.choice((1, 2))
            body = {"item_id": item["id"], "start": start.isoformat(),
                    "end": (start + timedelta(hours=hours)).isoformat(),
                    "with_operator": item.get("operator_rate_cents") is not None and rng.random() < 0.5}
            await client.call("book", "POST", "/api/v1/bookings", json=body)
        elif roll < 0.43:  # a job that starts right now (completed by the yard head shortly after)
            item = rng.choice([i for i in season.items if i["unit"] == "hour"])
            start = datetime.now(UTC) + timedelta(seconds=2)
            await client.call("book-now", "POST", "/api/v1/bookings", json={
                "item_id": item["id"], "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat()})
        elif roll < 0.63:
            params = {"kind": rng.choice(("machine", "service"))} if rng.random() < 0.5 else {}
            await client.call("catalogue", "GET", "/api/v1/items", params=params)
        elif roll < 0.78:
            item = rng.choice(season.items)
            frm = season.harvest_start + timedelta(days=rng.randrange(10))
            await client.call("availability", "GET", f"/api/v1/items/{item['id']}/availability",
                              params={"from": frm.isoformat(), "to": (frm + timedelta(days=7)).isoformat()})
        elif roll < 0.90:
            await client.call("my-bookings", "GET", "/api/v1/bookings")
        else:
            section = rng.choice(season.sections[farmer_id])
            await client.call("care-report", "POST", "/api/v1/care-logs", json={
                "section_id": section["id"], "performed_on": (today - timedelta(days=rng.randrange(60))).isoformat(),
                "quantity": rng.choice((300, 450, 900)), "note": "Bankette gemäht"})
        await asyncio.sleep(rng.uniform(0.0, 0.05))  # think time


async def yard_loop(client: Client, rng: random.Random, stop: float) -> None:
    while time.monotonic() < stop:
        inbox = await client.call("inbox", "GET", "/api/v1/bookings", params={"status": "requested"})
        for booking in (inbox.json() if inbox is not None and inbox.status_code == 200 else [])[:25]:
            if time.monotonic() >= stop:
                return
            if rng.random() < 0.9:
                await client.call("approve", "POST", f"/api/v1/bookings/{booking['id']}/approve")
            else:
                await client.call("reject", "POST", f"/api/v1/bookings/{booking['id']}/reject",
                                  json={"reason": "Gerät in der Ernte bereits verplant"})
        approved = await client.call("inbox", "GET", "/api/v1/bookings", params={"status": "approved"})
        now = datetime.now(UTC)
        for booking in (approved.json() if approved is not None and approved.status_code == 200 else []):
            if datetime.fromisoformat(booking["start"]) <= now and time.monotonic() < stop:
                await client.call("complete", "POST", f"/api/v1/bookings/{booking['id']}/complete",
                                  json={"quantity": 1})
        logs = await client.call("care-inbox", "GET", "/api/v1/care-logs", params={"status": "reported"})
        for log in (logs.json() if logs is not None and logs.status_code == 200 else [])[:25]:
            if time.monotonic() >= stop:
                return
            await client.call("care-confirm", "POST", f"/api/v1/care-logs/{log['id']}/confirm")
        await asyncio.sleep(0.2)


async def finance_loop(client: Client, municipality_id: int, stop: float) -> None:
    while time.monotonic() < stop:
        await client.call("settlements", "GET", "/api/v1/settlements", params={"municipality_id": municipality_id})
        await asyncio.sleep(1.0)


# --- running and reporting -----------------------------------------------------------------------------------


def _loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise SystemExit(f"cannot resolve {host!r}") from None
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"refusing {url}: load runs only against loopback addresses")


def report(stats: Stats, elapsed: float, farmers: int) -> int:
    total = sum(len(v) for v in stats.latencies.values())
    everything = [x for v in stats.latencies.values() for x in v]
    server_errors = sum(n for s in stats.statuses.values() for code, n in s.items() if code >= 500)
    print(f"\n{farmers} farmers, 3 yard heads, 3 finance officers for {elapsed:.1f} s")
    print(f"{'operation':<14}{'requests':>9}{'per s':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}  statuses")
    for op in sorted(stats.latencies, key=lambda o: -len(stats.latencies[o])):
        values = stats.latencies[op]
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(stats.statuses[op].items()))
        print(f"{op:<14}{len(values):>9}{len(values) / elapsed:>8.1f}{_percentile(values, .5) * 1000:>9.1f}"
              f"{_percentile(values, .9) * 1000:>9.1f}{_percentile(values, .99) * 1000:>9.1f}  {statuses}")
    print(f"{'all':<14}{total:>9}{total / elapsed:>8.1f}{_percentile(everything, .5) * 1000:>9.1f}"
          f"{_percentile(everything, .9) * 1000:>9.1f}{_percentile(everything, .99) * 1000:>9.1f}")
    print(f"throughput {total / elapsed:.1f} requests/s; p50 {_percentile(everything, .5) * 1000:.1f} ms, "
          f"p99 {_percentile(everything, .99) * 1000:.1f} ms; errors: {server_errors} 5xx, "
          f"{stats.connection_errors} connection failures"
          + (f" ({', '.join(f'{k} ×{n}' for k, n in sorted(stats.error_kinds.items()))})" if stats.error_kinds else ""))
    return 1 if server_errors or stats.connection_errors else 0


def _client(url: str, connections: int) -> httpx.AsyncClient:
    # Idle connections are dropped after 4 s, before uvicorn's 5 s keep-alive closes them under our feet
    # (that race shows up as ReadError/RemoteProtocolError on a reused connection; see docs/operations.md).
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=4.0)
    return httpx.AsyncClient(base_url=url, timeout=30, limits=limits)


async def run(url: str, seconds: float, farmers: int, seed: int) -> int:
    stats = Stats()
    async with _client(url, farmers + 20) as http:
        setup_started = time.monotonic()
        season = await prepare(http, farmers)
    print(f"prepared {len(season.farmers)} farmers with a section each, {len(season.items)} bookable items "
          f"in {time.monotonic() - setup_started:.1f} s; harvest peak from {season.harvest_start:%Y-%m-%d}")
    rng = random.Random(seed)
    # One small client per person, like one browser each: a single pool of a hundred connections costs
    # the load generator more CPU per request than the service spends (httpcore scans its pool).
    actors = [(farmer_loop, (season, fid, random.Random(rng.random())), tok) for fid, tok in season.farmers]
    actors += [(yard_loop, (random.Random(rng.random()),), tok) for tok in season.yard_heads.values()]
    actors += [(finance_loop, (m,), tok) for m, tok in season.finance.items()]

    async def act(loop, args, tok, stop):
        async with _client(url, 2) as http:
            await loop(Client(http, stats, tok), *args, stop)

    started = time.monotonic()
    stop = started + seconds
    await asyncio.gather(*(act(loop, args, tok, stop) for loop, args, tok in actors))
    elapsed = time.monotonic() - started
    return report(stats, elapsed, farmers)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running service (loopback only); default: start one")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--farmers", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="server for the self-started service (default: the embedded one in MN_DATA_DIR)")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    if args.url:
        _loopback_only(args.url)
        return await run(args.url.rstrip("/"), args.seconds, args.farmers, args.seed)

    sys.path.insert(0, SCRIPTS_DIR)
    from faults import Serve, fresh_database
    from machinery_network.testing import scratch_server_url

    server, embedded_server = scratch_server_url(args.database_url)
    try:
        async with fresh_database(server, "load") as db_url:
            serve = Serve(db_url, demo=True)
            try:
                serve.start()
                await serve.wait_healthy(120)
                print(f"started serve --demo on {serve.url} (database {make_url(db_url).database})")
                return await run(serve.url, args.seconds, args.farmers, args.seed)
            finally:
                serve.cleanup()
    finally:
        if embedded_server:
            from machinery_network import embedded

            embedded.stop()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
