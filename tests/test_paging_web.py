"""The HTML lists page like the API (issue #15): at most a page of rows, a "Weitere Einträge" link that keeps
the filters, every row once when following it; filters and search applied in SQL before the limit."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import httpx
import pytest

from machinery_network.web import admin, booking_inbox, bookings, catalogue, draws, ledger, machine
from tests.test_paging import add_bookings, add_draws, add_items
from tests.web_helpers import login

NEXT = re.compile(r'rel="next" href="([^"]+)"')


async def walk_pages(client: httpx.AsyncClient, url: str, pattern: re.Pattern[str]) -> tuple[list[str], int]:
    found: list[str] = []
    pages = 0
    next_: str | None = url
    while next_ is not None:
        response = await client.get(next_)
        assert response.status_code == 200, response.text[:2000]
        pages += 1
        assert pages < 60
        found.extend(pattern.findall(response.text))
        match = NEXT.search(response.text)
        next_ = html.unescape(match.group(1)) if match else None
    assert len(found) == len(set(found)), "a row was shown twice"
    return found, pages


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (admin, booking_inbox, bookings, catalogue, draws, ledger, machine):
        monkeypatch.setattr(module, "HTML_LIMIT", 4)


async def test_inbox_shows_new_requests_first_despite_a_thousand_other_bookings(client, db_session, world):
    item_id = (await add_items(db_session, world.north.id, ["Kehrmaschine"]))[0]
    await add_bookings(db_session, item_id, world.farmer.id, 1050, "cancelled")
    approved = await add_bookings(db_session, item_id, world.farmer.id, 2, "approved", offset_days=1200)
    requested = await add_bookings(db_session, item_id, world.farmer2.id, 3, "requested", offset_days=1500,
                                   created=datetime(2030, 1, 1, tzinfo=UTC))
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/bookings")
    assert page.status_code == 200
    shown = [int(i) for i in re.findall(r'id="booking-(\d+)"', page.text)]
    assert shown == requested + approved  # default view: open requests (oldest first), then approved ones
    assert "Weitere Einträge" not in page.text
    everything = await client.get("/manage/bookings?status=all")
    assert len(re.findall(r'id="booking-(\d+)"', everything.text)) == 50  # one page, the next one linked
    assert NEXT.search(everything.text) and "status=all" in html.unescape(NEXT.search(everything.text).group(1))


async def test_inbox_pages_follow_the_filter(client, db_session, world, small_pages):
    item_id = (await add_items(db_session, world.north.id, ["Mulcher"]))[0]
    rejected = await add_bookings(db_session, item_id, world.farmer.id, 9, "rejected")
    await add_bookings(db_session, item_id, world.farmer.id, 3, "cancelled", offset_days=30)
    await login(client, world.yard_north.user.email)
    found, pages = await walk_pages(client, "/manage/bookings?status=rejected", re.compile(r'id="booking-(\d+)"'))
    assert [int(i) for i in found] == rejected and pages == 3


async def test_catalogue_pages_with_search_in_sql(client, db_session, world, small_pages):
    ids = await add_items(db_session, world.north.id, [f"Schlegelmulcher {i:02d}" for i in range(10)])
    await add_items(db_session, world.north.id, [f"Walze {i}" for i in range(6)])
    await login(client, world.farmer.user.email)
    found, pages = await walk_pages(client, "/?q=schlegel", re.compile(r'href="/items/(\d+)"'))
    assert [int(i) for i in found] == ids and pages == 3
    everything, _ = await walk_pages(client, "/", re.compile(r'href="/items/(\d+)"'))
    assert len(everything) == 16


async def test_manage_items_pages_every_item_once_with_search_in_sql(client, db_session, world, small_pages):
    ids = await add_items(db_session, world.north.id, [f"Kreiselmäher {i:02d}" for i in range(7)])
    inactive = await add_items(db_session, world.north.id, ["Kreiselmäher alt"], active=False)
    others = await add_items(db_session, world.north.id, [f"Anhänger {i}" for i in range(3)])
    await add_items(db_session, world.south.id, ["Kreiselmäher Süd"])
    await login(client, world.yard_north.user.email)
    row = re.compile(r'href="/manage/items/(\d+)/edit"')
    found, pages = await walk_pages(client, "/manage/items", row)
    assert sorted(int(i) for i in found) == sorted([*ids, *inactive, *others]) and pages == 3
    searched, pages = await walk_pages(client, "/manage/items?q=kreisel", row)
    assert [int(i) for i in searched] == [*ids, *inactive] and pages == 2
    await login(client, world.farmer.user.email)
    assert (await client.get("/manage/items")).status_code == 403


async def test_farmer_s_bookings_page_latest_first_every_booking_once(client, db_session, world, small_pages):
    item_id = (await add_items(db_session, world.north.id, ["Pflug"]))[0]
    cancelled = await add_bookings(db_session, item_id, world.farmer.id, 5, "cancelled")
    approved = await add_bookings(db_session, item_id, world.farmer.id, 6, "approved", offset_days=10)
    await add_bookings(db_session, item_id, world.farmer2.id, 3, "approved", offset_days=20)
    await login(client, world.farmer.user.email)
    found, pages = await walk_pages(client, "/bookings", re.compile(r'<tr id="booking-(\d+)"'))
    assert [int(i) for i in found] == list(reversed(cancelled + approved)) and pages == 3
    assert (await client.get("/bookings?cursor=kaputt")).status_code == 422


async def test_item_draws_page_latest_first_every_draw_once(client, db_session, world, small_pages):
    item_id = (await add_items(db_session, world.north.id, ["Güllefass"]))[0]
    ids = await add_draws(db_session, item_id, 10)
    await login(client, world.farmer.user.email)
    found, pages = await walk_pages(client, f"/items/{item_id}/draws", re.compile(r'href="/draws/(\d+)"'))
    assert [int(i) for i in found] == list(reversed(ids)) and pages == 3


async def test_machine_history_pages_its_bookings_the_csv_has_them_all(client, db_session, world, small_pages):
    item_id = (await add_items(db_session, world.north.id, ["Radlader"]))[0]
    approved = await add_bookings(db_session, item_id, world.farmer.id, 6, "approved")
    cancelled = await add_bookings(db_session, item_id, world.farmer2.id, 4, "cancelled", offset_days=10)
    await add_bookings(db_session, item_id, world.farmer2.id, 3, "rejected", offset_days=20)
    await login(client, world.yard_north.user.email)
    found, pages = await walk_pages(client, f"/manage/items/{item_id}/history",
                                    re.compile(r'<a href="/manage/bookings/(\d+)">'))
    assert [int(i) for i in found] == list(reversed(approved + cancelled)) and pages == 3
    csv = await client.get(f"/manage/items/{item_id}/history.csv")
    assert csv.status_code == 200 and csv.text.count("Franz Bauer") == 6
    await login(client, world.yard_south.user.email)
    assert (await client.get(f"/manage/items/{item_id}/history")).status_code == 403


async def test_balances_page_lists_only_the_municipality_s_account_holders_paged(client, world, small_pages):
    for person in (world.farmer, world.farmer2):
        for amount in (500, 250):
            body = {"municipality_id": world.north.id, "value_date": datetime.now(UTC).date().isoformat(),
                    "amount_cents": amount, "reason": "Diesel"}
            response = await client.post(f"/api/v1/accounts/{person.id}/adjustments", json=body,
                                         headers=world.yard_north.headers)
            assert response.status_code == 201, response.text
    await login(client, world.finance_north.user.email)
    page = await client.get("/manage/accounts")
    assert page.status_code == 200
    assert "Franz Bauer" in page.text and "Gerda Hof" in page.text and "7,50" in page.text
    found = await client.get("/manage/accounts?q=gerda")
    assert "Gerda Hof" in found.text and "Franz Bauer" not in found.text
    await login(client, world.finance_south.user.email)
    south = await client.get("/manage/accounts")
    assert "Franz Bauer" not in south.text and "Gerda Hof" not in south.text


async def test_admin_users_paged_and_searchable(client, db_session, world, small_pages):
    await login(client, world.admin.user.email)
    found, pages = await walk_pages(client, "/admin", re.compile(r'<a href="/admin/users/\d+">([^<]+)</a>'))
    assert len(found) == 7 and pages == 2
    assert found == sorted(found)
    searched = await client.get("/admin?q=yvonne")
    assert "Yvonne Süd" in searched.text and "Yannick Nord" not in searched.text


async def test_a_bad_cursor_on_a_page_is_refused_not_a_500(client, world):
    await login(client, world.yard_north.user.email)
    response = await client.get("/manage/bookings?cursor=kaputt")
    assert response.status_code == 422

