"""Hostile input: generated requests against every documented route, CSRF on every form, session
fixation, one municipality's token on another's data, SQL-ish / oversized / NUL strings, broken dates.

What must hold: never a 5xx; refusals are the contract's 4xx; nothing is half written.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from machinery_network.api import API_PREFIX
from machinery_network.app import create_app
from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from tests.conftest import PASSWORD, build_world

# --- generated requests (schemathesis) on the app's own OpenAPI schema -------------------------------

EXAMPLES_PER_OPERATION = 30
# Generous: the run takes 20-40 s on an idle machine, several times that when the machine is loaded.
FUZZ_BUDGET_S = float(os.environ.get("MN_FUZZ_BUDGET_S", "300"))


def _fuzz(app, tokens: dict[str, str]) -> tuple[list[str], int, int]:
    """Run generated cases for every operation, each with the token of a role drawn per case.

    Blocking (schemathesis' ASGI client runs the app in its own event-loop thread), so the async test
    calls it through a thread. Returns (server errors, operations, requests)."""
    import schemathesis

    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    counts = {"operations": 0, "requests": 0}
    deadline = time.monotonic() + FUZZ_BUDGET_S
    roles = sorted(tokens)

    try:
        _run_operations(schema, tokens, roles, failures, counts, deadline)
    finally:
        # schemathesis keeps the app's lifespan (and so its connection pool) running until the process
        # ends; stop it here so the pool is closed before the database is truncated and dropped.
        from schemathesis.python import asgi

        asgi.shutdown_lifespans()
    return failures, counts["operations"], counts["requests"]


def _run_operations(schema, tokens, roles, failures, counts, deadline) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        if time.monotonic() > deadline:
            failures.append(f"budget of {FUZZ_BUDGET_S:.0f} s exhausted before {operation.label}")
            break

        @given(case=operation.as_strategy(), role=st.sampled_from(roles))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case, role):
            headers = dict(case.headers or {})
            if tokens[role]:
                headers["Authorization"] = f"Bearer {tokens[role]}"
            response = case.call(headers=headers)
            counts["requests"] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                    f"query={case.query!r} body={case.body!r:.300} → {response.text[:300]}"
                )

        run()


async def test_generated_requests_with_every_role_get_no_server_error(
    committed_sessionmaker, database_url, tmp_path
):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        # Something for generated ids to hit (ids restart at 1 after the truncation of the last run).
        session.add(Item(municipality_id=world.north.id, name="Traktor", kind="machine", unit="hour",
                         rate_cents=4800, operator_rate_cents=3900))
        await session.commit()
    tokens = {
        "admin": world.admin.token,
        "yard_head": world.yard_north.token,
        "finance": world.finance_north.token,
        "farmer": world.farmer.token,
        "anonymous": "",
        "forged": "mn_" + "A" * 40,
    }
    # The app opens its own pool on the committed test database, in schemathesis' event-loop thread.
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="fuzz-secret",
                        MN_DB_POOL_SIZE=2)
    app = create_app(settings)
    failures, operations, requests = await asyncio.to_thread(_fuzz, app, tokens)
    print(f"fuzz: {operations} operations, {requests} requests, {len(failures)} server errors")
    assert operations >= 20, f"only {operations} operations in the schema"
    assert requests >= operations * 3
    assert not failures, "\n".join(failures[:20])


# --- CSRF on every HTML form -----------------------------------------------------------------------

CSRF_EXEMPT = (API_PREFIX, "/health", "/calendar")


def _html_post_routes(app) -> list[str]:
    """Every POST route outside the JSON API, with its path parameters filled with 1."""
    paths = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" not in (handler.http_methods or ()):
                continue
            if route.path.startswith(CSRF_EXEMPT):
                continue
            paths.add(re.sub(r"\{[^}]+\}", "1", route.path))
    return sorted(paths)


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and "csrf" in response.text.lower()


async def test_every_form_post_without_csrf_token_is_refused_and_with_it_is_not(client, world):
    from tests.web_helpers import csrf_token, login

    routes = _html_post_routes(client._transport.app)
    assert {"/login", "/logout", "/manage/items/new"} <= set(routes), routes
    await login(client, world.yard_north.user.email)
    token = await csrf_token(client)
    for path in routes:
        if path == "/logout":
            continue  # checked last: it would end the session the other posts need
        without = await client.post(path, data={"name": "x"})
        assert without.status_code == 403 and _is_csrf_refusal(without), (path, without.status_code)
        wrong = await client.post(path, data={"name": "x", "_csrf_token": "forged" + token[6:]})
        assert _is_csrf_refusal(wrong), (path, wrong.status_code)
        with_token = await client.post(path, data={"name": "x", "_csrf_token": token})
        assert not _is_csrf_refusal(with_token), path
        assert with_token.status_code < 500, (path, with_token.status_code, with_token.text[:300])
        header = await client.post(path, data={"name": "x"}, headers={"x-csrftoken": token})
        assert not _is_csrf_refusal(header), path
    assert _is_csrf_refusal(await client.post("/logout"))
    assert (await client.post("/logout", data={"_csrf_token": token})).status_code == 303


async def test_csrf_cookie_of_another_browser_does_not_pass(client, world):
    """The token must match this browser's own cookie: a token scraped elsewhere is refused."""
    import httpx

    from tests.web_helpers import csrf_token

    await client.get("/login")
    other = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with other:
        foreign = await csrf_token(other)
    assert foreign != client.cookies["mn_csrf"]
    response = await client.post("/login", data={"email": world.farmer.user.email, "password": PASSWORD,
                                                  "_csrf_token": foreign})
    assert _is_csrf_refusal(response)


# --- session fixation ------------------------------------------------------------------------------


async def test_a_planted_session_cookie_never_becomes_the_victims_session(client, world):
    import httpx

    from tests.web_helpers import login

    # The attacker logs in as himself and plants his session cookie in the victim's browser.
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as attacker:
        await login(attacker, world.farmer2.user.email)
        planted = attacker.cookies["mn_session"]
        client.cookies.set("mn_session", planted, domain="testserver.local", path="/")
        await login(client, world.farmer.user.email)
        victims = client.cookies["mn_session"]
        assert victims != planted
        # The victim is himself; the attacker's copy still only knows the attacker (the page header
        # names the logged-in user; the JSON API takes bearer tokens only).
        assert world.farmer.user.name in (await client.get("/")).text
        attackers_page = (await attacker.get("/")).text
        assert world.farmer2.user.name in attackers_page and world.farmer.user.name not in attackers_page


async def test_a_session_cookie_copied_before_logout_is_dead_after_it(client, world):
    from tests.web_helpers import login, post_form

    await login(client, world.farmer.user.email)
    copied = client.cookies["mn_session"]
    assert (await post_form(client, "/logout", {})).status_code == 303
    client.cookies.clear()
    client.cookies.set("mn_session", copied, domain="testserver.local", path="/")
    page = await client.get("/", headers={"accept": "text/html"})
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]


async def test_a_forged_session_cookie_is_ignored(client, world):
    client.cookies.set("mn_session", "eyJ1aWQiOiAxfQ==.forged", domain="testserver.local", path="/")
    response = await client.get("/", headers={"accept": "text/html"})
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    assert (await client.get("/api/v1/auth/me")).status_code == 401


# --- one municipality's token on another's data -------------------------------------------------------


async def _north_fixture(client, world) -> dict:
    """An item, a requested booking and a section of the northern municipality."""
    item = await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Kehrmaschine", "kind": "machine", "unit": "hour",
        "rate_cents": 6500, "operator_rate_cents": 3900})
    assert item.status_code == 201, item.text
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booking = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": item.json()["id"], "start": start.isoformat(), "end": (start + timedelta(hours=4)).isoformat(),
        "with_operator": False})
    assert booking.status_code == 201, booking.text
    section = await client.post("/api/v1/sections", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Feldweg Nord", "kind": "path", "length_m": 800,
        "task": "verge_mowing", "unit": "metre", "rate_cents": 12})
    assert section.status_code == 201, section.text
    return {"item": item.json()["id"], "booking": booking.json()["id"], "section": section.json()["id"]}


async def test_southern_staff_cannot_touch_northern_data(client, world):
    ids = await _north_fixture(client, world)
    north, month = world.north.id, "2026-01"
    yard, finance = world.yard_south.headers, world.finance_south.headers
    start = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=10, hours=2)).isoformat()
    attempts = [
        ("PATCH", f"/api/v1/items/{ids['item']}", yard, {"rate_cents": 1}),
        ("POST", f"/api/v1/items/{ids['item']}/blocks", yard, {"start": start, "end": end, "reason": "Eigenbedarf"}),
        ("POST", f"/api/v1/bookings/{ids['booking']}/approve", yard, None),
        ("POST", f"/api/v1/bookings/{ids['booking']}/reject", yard, {"reason": "nein"}),
        ("POST", f"/api/v1/bookings/{ids['booking']}/complete", yard, {"quantity": 1}),
        ("POST", "/api/v1/items", yard, {"municipality_id": north, "name": "Fremd", "kind": "machine",
                                          "unit": "hour", "rate_cents": 100}),
        ("POST", "/api/v1/sections", yard, {"municipality_id": north, "name": "Fremd", "kind": "path",
                                             "length_m": 10, "task": "verge_mowing", "unit": "metre",
                                             "rate_cents": 1}),
        ("PATCH", f"/api/v1/sections/{ids['section']}", yard, {"rate_cents": 1}),
        ("POST", f"/api/v1/sections/{ids['section']}/assignments", yard,
         {"farmer_id": world.farmer.id, "valid_from": "2026-01-01"}),
        ("POST", f"/api/v1/accounts/{world.farmer.id}/adjustments", yard,
         {"municipality_id": north, "value_date": "2026-01-15", "amount_cents": 5000, "reason": "Schaden"}),
        ("POST", f"/api/v1/accounts/{world.farmer.id}/adjustments", finance,
         {"municipality_id": north, "value_date": "2026-01-15", "amount_cents": -5000, "reason": "Gutschrift"}),
        ("GET", f"/api/v1/accounts/{world.farmer.id}?municipality_id={north}", finance, None),
        ("GET", f"/api/v1/accounts/{world.farmer.id}?municipality_id={north}", yard, None),
        ("POST", "/api/v1/settlements", finance, {"month": month, "municipality_id": north}),
        ("GET", f"/api/v1/settlements/{month}?municipality_id={north}", finance, None),
        ("GET", f"/api/v1/settlements/{month}/export?municipality_id={north}&format=csv", finance, None),
        ("GET", f"/api/v1/settlements/{month}/export?municipality_id={north}&format=sepa-debit", finance, None),
    ]
    for method, path, headers, body in attempts:
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code == 403, (method, path, response.status_code, response.text[:200])
    # Nothing changed: the booking is still requested, the item keeps its rate.
    booking = await client.get(f"/api/v1/bookings/{ids['booking']}", headers=world.yard_north.headers)
    assert booking.json()["status"] == "requested"
    item = await client.get(f"/api/v1/items/{ids['item']}", headers=world.yard_north.headers)
    assert item.json()["rate_cents"] == 6500


async def test_southern_yard_head_cannot_decide_northern_care_work(client, world):
    ids = await _north_fixture(client, world)
    assign = await client.post(f"/api/v1/sections/{ids['section']}/assignments", headers=world.yard_north.headers,
                               json={"farmer_id": world.farmer.id, "valid_from": "2026-01-01"})
    assert assign.status_code == 201, assign.text
    performed = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    log = await client.post("/api/v1/care-logs", headers=world.farmer.headers, json={
        "section_id": ids["section"], "performed_on": performed, "quantity": 400})
    assert log.status_code == 201, log.text
    log_id = log.json()["id"]
    south = world.yard_south.headers
    assert (await client.post(f"/api/v1/care-logs/{log_id}/confirm", headers=south)).status_code == 403
    assert (await client.post(f"/api/v1/care-logs/{log_id}/reject", headers=south,
                              json={"reason": "nein"})).status_code == 403
    assert (await client.post(f"/api/v1/assignments/{assign.json()['id']}/end", headers=south,
                              json={"valid_to": performed})).status_code == 403
    assert (await client.get(f"/api/v1/care-logs/{log_id}", headers=world.farmer2.headers)).status_code in (403, 404)
    # The farmer cannot confirm his own work either; it stays reported, no credit posted.
    assert (await client.post(f"/api/v1/care-logs/{log_id}/confirm", headers=world.farmer.headers)).status_code == 403
    shown = await client.get(f"/api/v1/care-logs/{log_id}", headers=world.yard_north.headers)
    assert shown.json()["status"] == "reported"
    account = await client.get(f"/api/v1/accounts/{world.farmer.id}", headers=world.farmer.headers,
                               params={"municipality_id": world.north.id})
    assert account.status_code == 200 and account.json()["entries"] == []


async def test_a_farmer_cannot_act_on_another_farmers_booking(client, world):
    ids = await _north_fixture(client, world)
    other = world.farmer2.headers
    assert (await client.get(f"/api/v1/bookings/{ids['booking']}", headers=other)).status_code in (403, 404)
    assert (await client.post(f"/api/v1/bookings/{ids['booking']}/cancel", headers=other)).status_code in (403, 404)
    assert (await client.post(f"/api/v1/bookings/{ids['booking']}/approve", headers=other)).status_code == 403
    listed = await client.get("/api/v1/bookings", headers=other)
    assert listed.status_code == 200 and listed.json() == []
    account = await client.get(f"/api/v1/accounts/{world.farmer.id}?municipality_id={world.north.id}",
                               headers=other)
    assert account.status_code == 403


# --- SQL-ish, oversized and NUL strings ----------------------------------------------------------------

SQLISH = ["Robert'); DROP TABLE items;--", "' OR '1'='1", "1; SELECT pg_sleep(5)", "%_\\", "$1::text"]


async def _item_count(db_session) -> int:
    return await db_session.scalar(select(func.count()).select_from(Item))


@pytest.mark.parametrize("name", SQLISH)
async def test_sql_ish_names_are_just_text(client, world, db_session, name):
    response = await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": name, "kind": "machine", "unit": "hour", "rate_cents": 100})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name.strip()
    found = await client.get("/api/v1/items", params={"q": name}, headers=world.farmer.headers)
    assert found.status_code == 200
    assert [i["name"] for i in found.json()] == [name.strip()]
    assert await _item_count(db_session) == 1  # the table is still there, with exactly that item


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "'; DELETE FROM items; --"])
async def test_sql_ish_searches_match_nothing_they_should_not(client, world, db_session, query):
    await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Kehrmaschine", "kind": "machine", "unit": "hour",
        "rate_cents": 100})
    response = await client.get("/api/v1/items", params={"q": query}, headers=world.farmer.headers)
    assert response.status_code == 200
    assert response.json() == []
    page = await client.get("/", params={"q": query}, headers={**world.farmer.headers, "accept": "text/html"})
    assert page.status_code == 200
    assert await _item_count(db_session) == 1


@pytest.mark.parametrize("field,value", [
    ("name", "M" * 201),
    ("name", "   "),
    ("name", "Trak\x00tor"),
    ("description", "x" * 2001),
    ("description", "Null\x00Byte"),
])
async def test_oversized_blank_and_nul_strings_are_422_and_write_nothing(client, world, db_session, field, value):
    body = {"municipality_id": world.north.id, "name": "Traktor", "kind": "machine", "unit": "hour",
            "rate_cents": 100, field: value}
    response = await client.post("/api/v1/items", headers=world.yard_north.headers, json=body)
    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert response.json()["status_code"] == 422
    assert await _item_count(db_session) == 0


async def test_limits_are_inclusive(client, world, db_session):
    body = {"municipality_id": world.north.id, "name": "M" * 200, "kind": "machine", "unit": "hour",
            "rate_cents": 100, "description": "x" * 2000}
    response = await client.post("/api/v1/items", headers=world.yard_north.headers, json=body)
    assert response.status_code == 201, response.text[:300]


async def test_oversized_booking_note_and_reject_reason_write_nothing(client, world, db_session):
    ids = await _north_fixture(client, world)
    before = await db_session.scalar(select(func.count()).select_from(Booking))
    start = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    response = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": ids["item"], "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
        "note": "n" * 2001})
    assert response.status_code == 422
    assert await db_session.scalar(select(func.count()).select_from(Booking)) == before
    reject = await client.post(f"/api/v1/bookings/{ids['booking']}/reject", headers=world.yard_north.headers,
                               json={"reason": "r" * 2001})
    assert reject.status_code == 422
    shown = await client.get(f"/api/v1/bookings/{ids['booking']}", headers=world.yard_north.headers)
    assert shown.json()["status"] == "requested"


async def test_a_huge_body_is_refused_without_a_server_error(client, world, db_session):
    body = {"municipality_id": world.north.id, "name": "Traktor", "kind": "machine", "unit": "hour",
            "rate_cents": 100, "description": "x" * 3_000_000}
    response = await client.post("/api/v1/items", headers=world.yard_north.headers, json=body)
    assert 400 <= response.status_code < 500
    assert await _item_count(db_session) == 0


@pytest.mark.parametrize("email", ["x" * 10_000 + "@example.org", "' OR 1=1 --", "a\x00b@example.org"])
async def test_hostile_logins_are_refused_cleanly(client, email):
    api = await client.post("/api/v1/auth/token", json={"email": email, "password": "' OR 1=1 --"})
    assert api.status_code in (401, 422, 429), api.status_code
    from tests.web_helpers import post_form

    form = await post_form(client, "/login", {"email": email, "password": "x"})
    assert form.status_code in (401, 422, 429), form.status_code
    assert "mn_session" not in form.cookies


@pytest.mark.parametrize("value", ["1e10", "-1", "abc", "9" * 30, "1.5"])
async def test_hostile_numbers_in_query_strings_are_client_errors(client, world, value):
    for path in (f"/api/v1/items?municipality_id={value}", f"/api/v1/bookings?item_id={value}"):
        response = await client.get(path, headers=world.yard_north.headers)
        assert 200 <= response.status_code < 500, (path, response.status_code)
        assert response.status_code in (200, 400, 404, 422)


@pytest.mark.parametrize("path", ["/api/v1/items/99999999999", "/api/v1/bookings/2147483648",
                                  "/items/99999999999999999999"])
async def test_ids_beyond_the_database_range_are_404(client, world, path):
    response = await client.get(path, headers=world.farmer.headers)
    assert response.status_code == 404


# --- malformed dates and time zones ----------------------------------------------------------------------


@pytest.mark.parametrize("start,end", [
    ("2026-13-45T08:00:00+01:00", "2026-13-45T10:00:00+01:00"),  # no such date
    ("morgen früh", "übermorgen"),
    ("2030-05-04T08:00:00", "2030-05-04T10:00:00"),  # no offset: ambiguous around DST, refused in JSON
    ("2030-05-04T08:00:00+25:00", "2030-05-04T10:00:00+25:00"),  # no such offset
    ("2030-05-04T08:00:00 Europe/Berlin", "2030-05-04T10:00:00 Europe/Berlin"),
    ("2030-05-04T10:00:00+02:00", "2030-05-04T08:00:00+02:00"),  # ends before it starts
    ("2030-05-04T10:00:00+02:00", "2030-05-04T10:00:00+02:00"),  # empty period
    ("2020-05-04T08:00:00+02:00", "2020-05-04T10:00:00+02:00"),  # in the past
    ("1", "2"),
    ("", ""),
])
async def test_malformed_booking_times_are_422_and_write_nothing(client, world, db_session, start, end):
    ids = await _north_fixture(client, world)
    before = await db_session.scalar(select(func.count()).select_from(Booking))
    response = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": ids["item"], "start": start, "end": end})
    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert await db_session.scalar(select(func.count()).select_from(Booking)) == before


@pytest.mark.parametrize("query", ["from=gestern&to=morgen", "from=2026-02-30", "from=2026-01-01T25:00:00Z",
                                   "from=2026-01-01T08:00:00%2B99:00"])
async def test_malformed_availability_windows_are_422(client, world, query):
    ids = await _north_fixture(client, world)
    response = await client.get(f"/api/v1/items/{ids['item']}/availability?{query}", headers=world.farmer.headers)
    assert response.status_code in (400, 422), (query, response.status_code, response.text[:200])


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-10", "2026-1", "2026/10", "Oktober", "2026-10-01",
                                   "0000-01"])
async def test_malformed_months_are_422(client, world, month):
    post = await client.post("/api/v1/settlements", headers=world.finance_north.headers,
                             json={"month": month, "municipality_id": world.north.id})
    assert post.status_code in (400, 422), (month, post.status_code, post.text[:200])
    get = await client.get(f"/api/v1/settlements/{month}?municipality_id={world.north.id}",
                           headers=world.finance_north.headers)
    assert get.status_code in (400, 404, 422), (month, get.status_code)
    assert get.status_code < 500


@pytest.mark.parametrize("performed_on", ["2026-02-30", "gestern", "2026-10-01T08:00:00+02:00x", "", "10.10.2026"])
async def test_malformed_care_dates_are_422_and_write_nothing(client, world, performed_on):
    ids = await _north_fixture(client, world)
    assign = await client.post(f"/api/v1/sections/{ids['section']}/assignments", headers=world.yard_north.headers,
                               json={"farmer_id": world.farmer.id, "valid_from": "2026-01-01"})
    assert assign.status_code == 201, assign.text
    response = await client.post("/api/v1/care-logs", headers=world.farmer.headers, json={
        "section_id": ids["section"], "performed_on": performed_on, "quantity": 100})
    assert response.status_code == 422, (performed_on, response.status_code, response.text[:200])
    listed = await client.get("/api/v1/care-logs", headers=world.farmer.headers)
    assert listed.json() == []


# --- hostile values in every HTML form, as each role -------------------------------------------------------

FORM_FIELDS = [
    "active", "amount", "description", "email", "end_date", "end_time", "expected_quantity", "farmer_id",
    "geometry", "kind", "length_m", "month", "municipality_id", "name", "next", "note", "operator_hours",
    "operator_rate", "password", "performed_on", "quantity", "rate", "reason", "section_id", "start_date",
    "start_time", "task", "unit", "valid_from", "valid_to", "value_date", "vat_percent", "with_operator",
]
HOSTILE_VALUES = [
    "'; DROP TABLE ledger_entries; --",
    "x" * 3000,
    "a\x00b",
    "-1",
    "1e309",
    "99999999999999999999999",
    "2026-02-30",
    "25:61",
    "NaN",
    "",
    "//evil.example/",
    '{"type": "LineString", "coordinates": [[1e400, "x"]]}',
]


async def test_hostile_values_in_every_form_never_cause_a_server_error(client, world):
    import httpx

    from tests.web_helpers import login

    ids = await _north_fixture(client, world)
    known = {"item_id": ids["item"], "booking_id": ids["booking"], "section_id": ids["section"],
             "farmer_id": world.farmer.id}
    app = client._transport.app
    routes = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" in (handler.http_methods or ()) and not route.path.startswith(CSRF_EXEMPT) \
                    and route.path not in ("/logout", "/login"):  # /login last: failures get throttled
                routes.append(re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(known.get(m.group(1), 1)), route.path))
    assert len(routes) >= 15, routes
    failures = []
    requests = 0
    statuses: dict[int, int] = {}
    for person in (world.farmer, world.yard_north, world.finance_north):
        async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as browser:
            await login(browser, person.user.email)
            token = browser.cookies["mn_csrf"]
            for path in sorted(set(routes)):
                for value in HOSTILE_VALUES:
                    data = {name: value for name in FORM_FIELDS} | {"_csrf_token": token}
                    response = await browser.post(path, data=data, headers={"accept": "text/html"})
                    requests += 1
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 500:
                        failures.append(f"{person.user.role} POST {path} value={value[:40]!r}: "
                                        f"{response.status_code}")
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as anonymous:
        await anonymous.get("/login")
        for value in HOSTILE_VALUES:
            data = {name: value for name in FORM_FIELDS} | {"_csrf_token": anonymous.cookies["mn_csrf"]}
            response = await anonymous.post("/login", data=data, headers={"accept": "text/html"})
            requests += 1
            if response.status_code >= 500:
                failures.append(f"anonymous POST /login value={value[:40]!r}: {response.status_code}")
    assert requests >= 15 * 3 * len(HOSTILE_VALUES)
    assert not failures, "\n".join(failures[:30])
    assert statuses.get(422, 0) >= 50, statuses  # the values reached the forms' validation, not only guards


# --- open redirects and spreadsheet formulas ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                                    "/%0d%0aSet-Cookie:x=1", "javascript:alert(1)", " //evil.example"])
async def test_login_never_redirects_off_site(client, world, target):
    from tests.web_helpers import post_form

    response = await post_form(client, "/login", {"email": world.farmer.user.email, "password": PASSWORD,
                                                  "next": target})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert "\r" not in location and "\n" not in location
    assert not any(value.startswith("x=") for value in response.headers.get_list("set-cookie"))


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","Gutschrift")', "+49 151 000", "-1+1",
                                  "@SUM(A1:A9)"])
async def test_names_that_look_like_formulas_are_inert_in_the_csv(client, world, name):
    from machinery_network.settlement.service import month_bounds, previous_month

    user = await client.post("/api/v1/users", headers=world.admin.headers, json={
        "email": f"formel.{abs(hash(name))}@example.org", "password": "pw-1234567890", "name": name, "role": "farmer",
        "iban": "DE02120300000000202051"})
    assert user.status_code == 201, user.text
    partner = await client.post(f"/api/v1/municipalities/{world.north.id}/partners",
                                json={"farmer_id": user.json()["id"]}, headers=world.finance_north.headers)
    assert partner.status_code == 201, partner.text
    month = previous_month(datetime.now(UTC).date())
    _, last = month_bounds(month)
    entry = await client.post(f"/api/v1/accounts/{user.json()['id']}/adjustments", headers=world.finance_north.headers,
                              json={"municipality_id": world.north.id, "value_date": last.isoformat(),
                                    "amount_cents": 12345, "reason": "Schaden am Mulcher"})
    assert entry.status_code == 201, entry.text
    settled = await client.post("/api/v1/settlements", headers=world.finance_north.headers,
                                json={"month": f"{month:%Y-%m}", "municipality_id": world.north.id})
    assert settled.status_code in (200, 201), settled.text
    csv = await client.get(f"/api/v1/settlements/{month:%Y-%m}/export", headers=world.finance_north.headers,
                           params={"municipality_id": world.north.id, "format": "csv"})
    assert csv.status_code == 200
    import csv as csvlib
    import io

    rows = list(csvlib.reader(io.StringIO(csv.content.decode("utf-8-sig")), delimiter=";"))[1:]
    farmer_cells = [row[2] for row in rows if "123,45" in row]
    assert farmer_cells == ["'" + name], farmer_cells


# --- time zones: the network's days and hours, whatever offset the client sends ------------------------------


async def _item(client, world, unit: str, rate: int) -> int:
    response = await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": f"Gerät je {unit}", "kind": "machine", "unit": unit,
        "rate_cents": rate})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_hours_across_the_spring_clock_change_are_real_hours(client, world):
    """01:00 CET to 04:00 CEST on 28 March 2027 is two hours of use, not three."""
    item = await _item(client, world, "hour", 4800)
    response = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": item, "start": "2027-03-28T01:00:00+01:00", "end": "2027-03-28T04:00:00+02:00"})
    assert response.status_code == 201, response.text
    assert response.json()["estimated_cents"] == 2 * 4800


@pytest.mark.parametrize("start,end", [
    ("2027-01-14T23:30:00Z", "2027-01-15T22:00:00Z"),  # 00:30–23:00 in Berlin: one day, two UTC dates
    ("2027-01-15T09:30:00+10:30", "2027-01-16T07:00:00+09:00"),  # 00:00–23:00 in Berlin, odd offsets
])
async def test_days_are_counted_in_the_network_time_zone(client, world, start, end):
    item = await _item(client, world, "day", 18000)
    response = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": item, "start": start, "end": end})
    assert response.status_code == 201, response.text
    assert response.json()["estimated_cents"] == 18000  # one Berlin day, although two UTC dates


async def test_the_form_reads_local_times_in_the_network_zone_even_at_the_clock_change(client, world, db_session):
    from tests.web_helpers import login, post_form

    item = await _item(client, world, "hour", 4800)
    await login(client, world.farmer.user.email)
    response = await post_form(client, f"/items/{item}/bookings", {
        "start_date": "2027-03-28", "start_time": "01:00", "end_date": "2027-03-28", "end_time": "04:00"})
    assert response.status_code == 303, response.text[:500]
    booking = await db_session.scalar(select(Booking).where(Booking.item_id == item))
    assert booking.start_at == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    assert booking.end_at == datetime(2027, 3, 28, 2, 0, tzinfo=UTC)
    assert booking.estimated_cents == 2 * 4800
    # 02:30 does not exist that night: refused or moved, never a server error or a negative period.
    gap = await post_form(client, f"/items/{item}/bookings", {
        "start_date": "2027-03-28", "start_time": "02:30", "end_date": "2027-03-28", "end_time": "02:45"})
    assert gap.status_code in (303, 409, 422), gap.status_code


@pytest.mark.parametrize("filename", ["guessed-token.ics", "..%2F..%2Fetc%2Fpasswd", "x" * 5000 + ".ics", "%00.ics",
                                      "' OR 1=1 --.ics", ".ics"])
async def test_calendar_feeds_refuse_unknown_and_hostile_tokens(client, filename):
    for kind in ("items", "farmers"):
        response = await client.get(f"/calendar/{kind}/{filename}")
        assert response.status_code in (400, 404, 422), (kind, filename[:40], response.status_code)
