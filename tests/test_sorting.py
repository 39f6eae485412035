"""Search, sort and page size of the lists that grow (issue #16): for every order a list offers (``sort``, each
column ascending and descending), following the pages finds every row once and in that order, ties broken by
id the same way round; the page size (``limit``) and the search (``q``) are kept in every link; sort links
and ``aria-sort`` on the headers; unknown orders, page sizes and cursors of another order are 422."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import insert, select

from machinery_network.accounts.models import User
from machinery_network.auth import SYSTEM
from machinery_network.bookings.models import Booking
from machinery_network.care.models import CareLog, Section
from machinery_network.catalogue.models import Item
from machinery_network.ledger.models import LedgerEntry
from machinery_network.mandates import partners
from machinery_network.settlement import service as settlement
from machinery_network.settlement.models import Settlement
from tests.conftest import make_person
from tests.test_paging import add_bookings, add_items, walk
from tests.test_paging_web import NEXT, walk_pages
from tests.web_helpers import login

Keys = dict[int, tuple[Any, ...]]
SORT_HEADER = re.compile(r'<th class="sortable[^"]*"(?: aria-sort="(\w+)")?><a class="sort" href="([^"]+)">([^<]+)</a>')


def link(href: str) -> tuple[str, dict[str, str]]:
    """A link of the page as its path and its query (the order of the parameters does not matter)."""
    path, _, query = html.unescape(href).partition("?")
    return path, dict(parse_qsl(query))


def in_order(keys: Keys, sort: str) -> list[int]:
    """The ids of ``keys`` (id → key tuple ending in the id) in the order ``sort`` names (``-``: descending)."""
    return sorted(keys, key=lambda i: keys[i], reverse=sort.startswith("-"))


def both_ways(*columns: str) -> list[str]:
    return [name for column in columns for name in (column, f"-{column}")]


async def walk_html(client, url: str, pattern: str) -> list[int]:
    found, _ = await walk_pages(client, url, re.compile(pattern))
    return [int(i) for i in found]


# --- users (the administrator's list and GET /users) ---------------------------------------------------


@pytest.fixture
async def probes(db_session, world) -> Keys:
    """Eleven users whose names share a search word, with equal names (the id breaks the tie)."""
    people = [await make_person(db_session, "farmer", f"Sortprobe {n}") for n in (3, 1, 2, 1, 2, 3, 1, 4, 2, 5, 1)]
    await db_session.commit()
    return {p.user.id: (p.user.name, p.user.email, p.user.id) for p in people}


@pytest.mark.parametrize("sort", both_ways("name", "email"))
async def test_admin_users_every_order_every_user_once(client, world, probes, sort):
    keys = {i: (k[0], i) if sort.lstrip("-") == "name" else (k[1], i) for i, k in probes.items()}
    await login(client, world.admin.user.email)
    found = await walk_html(client, f"/admin?q=sortprobe&sort={sort}&limit=3", r'<a href="/admin/users/(\d+)">')
    assert found == in_order(keys, sort)
    rows, pages = await walk(client, f"/api/v1/users?q=sortprobe&sort={sort}&limit=4", world.admin.headers)
    assert [r["id"] for r in rows] == in_order(keys, sort) and pages == 3


async def test_sort_links_keep_search_and_page_size_and_mark_the_sorted_column(client, world, probes):
    await login(client, world.admin.user.email)
    page = (await client.get("/admin?q=sortprobe&sort=-email&limit=3")).text
    headers = [(state, link(href), label) for state, href, label in SORT_HEADER.findall(page)]
    assert headers == [("", ("/admin", {"q": "sortprobe", "limit": "3"}), "Bezeichnung"),
                       ("descending", ("/admin", {"q": "sortprobe", "limit": "3", "sort": "email"}), "E-Mail")]
    assert '<option value="-email" selected>' in page and '<option value="3" selected>3</option>' in page
    following = html.unescape(NEXT.search(page).group(1))
    assert "sort=-email" in following and "limit=3" in following and "q=sortprobe" in following
    default = (await client.get("/admin?q=sortprobe")).text
    state, href, label = SORT_HEADER.findall(default)[0]
    assert (state, link(href), label) == ("ascending", ("/admin", {"q": "sortprobe", "sort": "-name"}), "Bezeichnung")


async def test_unknown_orders_page_sizes_and_foreign_cursors_are_refused(client, world, probes):
    first = await client.get("/api/v1/users?q=sortprobe&limit=2", headers=world.admin.headers)
    cursor = first.headers["link"].split("cursor=")[1].split(">")[0]
    for url in ("/api/v1/users?sort=iban", "/api/v1/users?sort=--name", f"/api/v1/users?sort=email&cursor={cursor}",
                "/api/v1/items?sort=farmer", "/api/v1/bookings?sort=open&status=approved",
                "/api/v1/care-logs?sort=name", "/api/v1/settlements?sort=farmers"):
        response = await client.get(url, headers=world.admin.headers if "settlements" not in url
                                    else world.finance_north.headers)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["extra"]["field"] in ("sort", "cursor"), url
    await login(client, world.admin.user.email)
    for url in ("/admin?sort=role", "/admin?limit=101", "/admin?limit=0", "/admin?limit=viele"):
        response = await client.get(url, headers={"accept": "text/html"})
        assert response.status_code == 422, url
        assert "Sortierung" in response.text or "Seitengröße" in response.text
        assert 'id="site-menu"' in response.text  # the German layout with the menu


# --- the catalogue and a yard head's items --------------------------------------------------------------


@pytest.fixture
async def machines(db_session, world) -> Keys:
    names = ["Sortgerät B", "Sortgerät A", "Sortgerät C", "Sortgerät A", "Sortgerät B", "Sortgerät D", "Sortgerät A"]
    rates = [3000, 1000, 1000, 2000, 3000, 500, 1000]
    ids = []
    for name, rate in zip(names, rates, strict=True):
        ids += await add_items(db_session, world.north.id, [name], rate_cents=rate)
    ids += await add_items(db_session, world.south.id, ["Sortgerät E"], rate_cents=1000)
    ids += await add_items(db_session, world.north.id, ["Sortgerät F"], rate_cents=1000, active=False)
    items = (await db_session.execute(select(Item).where(Item.id.in_(ids)))).scalars()
    return {i.id: (i.name, i.rate_cents, i.municipality_id, i.active, i.id) for i in items}


@pytest.mark.parametrize("sort", both_ways("name", "rate"))
async def test_catalogue_and_items_every_order_every_item_once(client, world, machines, sort):
    column = 0 if sort.lstrip("-") == "name" else 1
    active = {i: (k[column], i) for i, k in machines.items() if k[3]}
    await login(client, world.farmer.user.email)
    found = await walk_html(client, f"/?q=sortger%C3%A4t&sort={sort}&limit=2", r'href="/items/(\d+)"')
    assert found == in_order(active, sort)
    rows, _ = await walk(client, f"/api/v1/items?q=sortger%C3%A4t&sort={sort}&limit=3", world.farmer.headers)
    assert [r["id"] for r in rows] == in_order(active, sort)
    north = {i: k for i, k in active.items() if machines[i][2] == world.north.id}
    rows, _ = await walk(client, f"/api/v1/items?municipality_id={world.north.id}&sort={sort}&limit=3",
                         world.farmer.headers)
    assert [r["id"] for r in rows if r["id"] in machines] == in_order(north, sort)
    own = {i: (k[column], i) for i, k in machines.items() if k[2] == world.north.id}  # inactive ones too
    await login(client, world.yard_north.user.email)
    found = await walk_html(client, f"/manage/items?q=sortger%C3%A4t&sort={sort}&limit=3",
                            r'href="/manage/items/(\d+)/edit"')
    assert found == in_order(own, sort)


async def test_catalogue_default_order_by_municipality_then_name(client, world, machines):
    rows, _ = await walk(client, "/api/v1/items?q=sortger%C3%A4t&limit=2", world.farmer.headers)
    keys = {i: (k[2], k[0], i) for i, k in machines.items() if k[3]}
    assert [r["id"] for r in rows] == in_order(keys, "municipality")


# --- the inbox and GET /bookings -------------------------------------------------------------------------


@pytest.fixture
async def inbox(db_session, world) -> Keys:
    """Requests and cancelled bookings of two items found by the search, with equal starts and equal request
    times (the id breaks the tie), and bookings of an item the search does not find."""
    first, second, other = await add_items(db_session, world.north.id, ["Sortmulcher A", "Sortmulcher B", "Walze"])
    asked = datetime(2030, 5, 1, 9, tzinfo=UTC)
    ids = await add_bookings(db_session, first, world.farmer.id, 4, "requested", created=asked)
    ids += await add_bookings(db_session, second, world.farmer2.id, 4, "requested", created=asked)
    ids += await add_bookings(db_session, second, world.farmer.id, 3, "cancelled", offset_days=2,
                              created=asked - timedelta(days=3))
    await add_bookings(db_session, other, world.farmer.id, 3, "requested", offset_days=40)
    rows = (await db_session.execute(select(Booking).where(Booking.id.in_(ids)))).scalars()
    return {b.id: (b.start_at, b.created_at, b.status, b.farmer_id, b.id) for b in rows}


@pytest.mark.parametrize("sort", both_ways("start", "received"))
async def test_inbox_every_order_every_booking_once(client, world, inbox, sort):
    column = 0 if sort.lstrip("-") == "start" else 1
    everything = {i: (k[column], i) for i, k in inbox.items()}
    await login(client, world.yard_north.user.email)
    found = await walk_html(client, f"/manage/bookings?status=all&q=sortmulcher&sort={sort}&limit=3",
                            r'id="booking-(\d+)"')
    assert found == in_order(everything, sort)
    requested = {i: k for i, k in everything.items() if inbox[i][2] == "requested"}
    found = await walk_html(client, f"/manage/bookings?status=requested&q=sortmulcher&sort={sort}&limit=3",
                            r'id="booking-(\d+)"')
    assert found == in_order(requested, sort)
    rows, _ = await walk(client, f"/api/v1/bookings?q=sortmulcher&sort={sort}&limit=4", world.yard_north.headers)
    assert [r["id"] for r in rows] == in_order(everything, sort)
    own = {i: k for i, k in everything.items() if inbox[i][3] == world.farmer.id}
    rows, _ = await walk(client, f"/api/v1/bookings?sort={sort}&limit=2&q=sortmulcher", world.farmer.headers)
    assert [r["id"] for r in rows] == in_order(own, sort)
    rows, _ = await walk(client, f"/api/v1/bookings?q=sortmulcher&sort={sort}&limit=5", world.admin.headers)
    assert [r["id"] for r in rows] == in_order(everything, sort)


async def test_inbox_default_order_with_search_and_page_size(client, world, inbox):
    """No order chosen: the open requests first, oldest request first, then the rest; the search finds the
    farmer by name too."""
    await login(client, world.yard_north.user.email)
    found = await walk_html(client, "/manage/bookings?status=&q=sortmulcher&limit=3", r'id="booking-(\d+)"')
    requested = {i: (k[1], i) for i, k in inbox.items() if k[2] == "requested"}
    assert found == in_order(requested, "received")  # the cancelled ones are not in the default view
    found = await walk_html(client, "/manage/bookings?status=all&q=gerda&sort=start&limit=2", r'id="booking-(\d+)"')
    gerdas = {i: (k[0], i) for i, k in inbox.items() if k[3] == world.farmer2.id}
    assert found == in_order(gerdas, "start")
    page = (await client.get("/manage/bookings?status=all&sort=open")).text  # "open" with a status: by start
    assert [(h[0], link(h[1]), h[2]) for h in SORT_HEADER.findall(page) if h[0]] == [
        ("ascending", ("/manage/bookings", {"status": "all", "sort": "-start"}), "Zeitraum")]


# --- balances ------------------------------------------------------------------------------------------


async def _entry(db_session, farmer_id: int, municipality_id: int, amount: int, day: date) -> None:
    await partners.add_partner(db_session, SYSTEM, municipality_id, farmer_id)
    await db_session.execute(insert(LedgerEntry), [{
        "farmer_id": farmer_id, "municipality_id": municipality_id, "value_date": day, "kind": "adjustment",
        "amount_cents": amount, "net_cents": amount, "vat_cents": 0, "vat_percent": Decimal(0),
        "text": "Sortierprobe",
    }])


@pytest.fixture
async def balances(db_session, world) -> Keys:
    """Nine farmers with accounts at the north, equal names and equal balances among them."""
    keys: Keys = {}
    day = datetime.now(UTC).date()
    for n, amounts in enumerate([(500,), (-300,), (500,), (100, 400), (100, -100), (-300,), (1200, -200), (500,), (7,)]):
        person = await make_person(db_session, "farmer", f"Kontoprobe {n % 4}")
        for amount in amounts:
            await _entry(db_session, person.user.id, world.north.id, amount, day)
        keys[person.user.id] = (person.user.name, sum(amounts), person.user.id)
    await _entry(db_session, world.farmer.id, world.south.id, 900, day)  # another municipality's
    await db_session.commit()
    return keys


@pytest.mark.parametrize("sort", both_ways("name", "balance"))
async def test_balances_every_order_every_farmer_once(client, world, balances, sort):
    column = 0 if sort.lstrip("-") == "name" else 1
    keys = {i: (k[column], i) for i, k in balances.items()}
    await login(client, world.finance_north.user.email)
    found = await walk_html(client, f"/manage/accounts?q=kontoprobe&sort={sort}&limit=2",
                            r'href="/manage/accounts/(\d+)"')
    assert found == in_order(keys, sort)
    rows, _ = await walk(client, f"/api/v1/accounts?q=kontoprobe&sort={sort}&limit=4", world.finance_north.headers)
    assert [r["farmer_id"] for r in rows] == in_order(keys, sort)
    assert {r["farmer_id"]: r["balance_cents"] for r in rows} == {i: k[1] for i, k in balances.items()}
    rows, _ = await walk(client, f"/api/v1/accounts?municipality_id={world.north.id}&q=kontoprobe&sort={sort}&limit=5",
                         world.admin.headers)
    assert [r["farmer_id"] for r in rows] == in_order(keys, sort)


async def test_balances_list_is_for_the_municipality_s_staff(client, world, balances):
    assert (await client.get("/api/v1/accounts", headers=world.farmer.headers)).status_code == 403
    assert (await client.get("/api/v1/accounts", headers=world.admin.headers)).status_code == 422
    other = await client.get(f"/api/v1/accounts?municipality_id={world.north.id}", headers=world.yard_south.headers)
    assert other.status_code == 403
    south = await client.get("/api/v1/accounts?q=kontoprobe", headers=world.yard_south.headers)
    assert south.status_code == 200 and south.json() == []


# --- care reports ----------------------------------------------------------------------------------------


@pytest.fixture
async def reports(db_session, world) -> Keys:
    sections = []
    for name in ("Sortweg Nord", "Sortweg Süd"):
        section = Section(municipality_id=world.north.id, name=name, kind="path", length_m=900, task="verge_mowing",
                          unit="hour", rate_cents=3000)
        db_session.add(section)
        sections.append(section)
    elsewhere = Section(municipality_id=world.south.id, name="Sortweg Fremd", kind="path", length_m=900,
                        task="verge_mowing", unit="hour", rate_cents=3000)
    db_session.add(elsewhere)
    await db_session.flush()
    rows = []
    for n in range(10):
        rows.append({"section_id": sections[n % 2].id, "farmer_id": (world.farmer, world.farmer2)[n % 3 == 0].user.id,
                     "performed_on": date(2026, 5, 1 + n // 3), "quantity": Decimal(2),
                     "credit_cents": (6000, 3000, 6000, 1500)[n % 4],
                     "status": ("reported", "confirmed", "rejected")[n % 3]})
    ids = list((await db_session.execute(insert(CareLog).returning(CareLog.id), rows)).scalars())
    await db_session.execute(insert(CareLog), [{"section_id": elsewhere.id, "farmer_id": world.farmer.user.id,
                                                "performed_on": date(2026, 5, 2), "quantity": Decimal(1),
                                                "credit_cents": 3000}])
    await db_session.commit()
    logs = (await db_session.execute(select(CareLog).where(CareLog.id.in_(ids)))).scalars()
    return {log.id: (log.performed_on, log.credit_cents, log.status, log.farmer_id, log.id) for log in logs}


@pytest.mark.parametrize("sort", both_ways("date", "credit"))
async def test_care_reports_every_order_every_report_once(client, world, reports, sort):
    column = 0 if sort.lstrip("-") == "date" else 1
    keys = {i: (k[column], i) for i, k in reports.items()}
    await login(client, world.yard_north.user.email)
    found = await walk_html(client, f"/manage/care-logs?status=all&q=sortweg&sort={sort}&limit=3", r'id="log-(\d+)"')
    assert found == in_order(keys, sort)
    open_ = {i: k for i, k in keys.items() if reports[i][2] == "reported"}
    found = await walk_html(client, f"/manage/care-logs?q=sortweg&sort={sort}&limit=2", r'id="log-(\d+)"')
    assert found == in_order(open_, sort)
    rows, _ = await walk(client, f"/api/v1/care-logs?q=sortweg&sort={sort}&limit=3", world.yard_north.headers)
    assert [r["id"] for r in rows] == in_order(keys, sort)
    gerdas = {i: k for i, k in keys.items() if reports[i][3] == world.farmer2.id}
    rows, _ = await walk(client, f"/api/v1/care-logs?q=gerda&sort={sort}&limit=2", world.yard_north.headers)
    assert [r["id"] for r in rows] == in_order(gerdas, sort)


# --- settled months and a settlement's lines ---------------------------------------------------------


@pytest.fixture
async def settled(db_session, world, settings) -> dict[str, Any]:
    """Six settled months of the north (nets with a tie); in March four farmers (lines with ties)."""
    people = [await make_person(db_session, "farmer", f"Zeilenprobe {n % 2}") for n in range(4)]
    nets = [400, -100, 400, 900, 50, 400]
    for month, net in enumerate(nets, start=1):
        await _entry(db_session, world.farmer.id, world.north.id, net, date(2025, month, 3))
    march = [300, -200, 300, 5]
    for person, amount in zip(people, march, strict=True):
        await _entry(db_session, person.user.id, world.north.id, amount, date(2025, 3, 9))
    await db_session.commit()
    for month in range(1, 7):
        await settlement.settle(db_session, world.finance_north.actor, date(2025, month, 1), world.north.id,
                                settings=settings)
    await db_session.commit()
    months = (await db_session.execute(select(Settlement).where(
        Settlement.municipality_id == world.north.id, Settlement.frozen.is_(True)))).scalars()
    lines = {p.user.id: (p.user.name, amount, p.user.id) for p, amount in zip(people, march, strict=True)}
    lines[world.farmer.id] = (world.farmer.user.name, nets[2], world.farmer.id)
    return {"months": {s.id: (s.month, s.total_net_cents, s.id) for s in months}, "lines": lines}


@pytest.mark.parametrize("sort", both_ways("month", "net"))
async def test_settled_months_every_order_every_month_once(client, world, settled, sort):
    months = settled["months"]
    column = 0 if sort.lstrip("-") == "month" else 1
    keys = {i: (k[column], i) for i, k in months.items()}
    expected = [f"{months[i][0]:%Y-%m}" for i in in_order(keys, sort)]
    await login(client, world.finance_north.user.email)
    found, _ = await walk_pages(client, f"/finance/settlements?sort={sort}&limit=2",
                                re.compile(r'href="/finance/settlements/(\d{4}-\d{2})'))
    assert found == expected
    rows, _ = await walk(client, f"/api/v1/settlements?municipality_id={world.north.id}&sort={sort}&limit=4",
                         world.finance_north.headers)
    assert [r["month"] for r in rows] == expected
    searched, _ = await walk_pages(client, f"/finance/settlements?sort={sort}&q=03%2F2025",
                                   re.compile(r'href="/finance/settlements/(\d{4}-\d{2})'))
    assert searched == ["2025-03"]


@pytest.mark.parametrize("sort", both_ways("name", "net"))
async def test_settlement_lines_every_order_every_farmer_once(client, world, settled, sort):
    lines = settled["lines"]
    column = 0 if sort.lstrip("-") == "name" else 1
    keys = {i: (k[column], i) for i, k in lines.items()}
    await login(client, world.finance_north.user.email)
    found = await walk_html(client, f"/finance/settlements/2025-03?sort={sort}&limit=2",
                            r'<a href="/manage/accounts/(\d+)">')
    assert found == in_order(keys, sort)
    probes = {i: k for i, k in keys.items() if lines[i][0].startswith("Zeilenprobe")}
    found = await walk_html(client, f"/finance/settlements/2025-03?sort={sort}&limit=3&q=zeilenprobe",
                            r'<a href="/manage/accounts/(\d+)">')
    assert found == in_order(probes, sort)


async def test_settlement_lines_charges_and_credits_orders(client, db_session, world, settled):
    await login(client, world.finance_north.user.email)
    rows = (await db_session.execute(select(User.id).where(User.name.like("Zeilenprobe%")))).scalars()
    assert set(rows) <= set(settled["lines"])
    for sort in both_ways("charges", "credits"):
        found = await walk_html(client, f"/finance/settlements/2025-03?sort={sort}&limit=2",
                                r'<a href="/manage/accounts/(\d+)">')
        assert sorted(found) == sorted(settled["lines"]), sort
