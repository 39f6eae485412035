"""Paging of every JSON list: ``limit`` and ``cursor``, the ``Link: rel="next"`` header, every row once, in the
documented order; the refusals (bad limit or cursor 422, no token 401, wrong role 403, unknown farmer 404).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import insert

from machinery_network.accounts.models import Role
from machinery_network.bookings.models import Booking
from machinery_network.care.models import CareLog, Section
from machinery_network.catalogue.models import Item
from machinery_network.paging import decode_cursor, encode_cursor, parse_limit
from machinery_network.settlement.models import Settlement
from tests.conftest import make_person

START = datetime(2031, 3, 1, 8, tzinfo=UTC)


def next_url(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    assert link.endswith('>; rel="next"'), link
    return link[1 : link.index(">")]


async def walk(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[list[dict], int]:
    """Follow the Link headers from ``url``; every row of every page, and the number of pages."""
    rows: list[dict] = []
    pages = 0
    next_: str | None = url
    while next_ is not None:
        response = await client.get(next_, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, list)
        pages += 1
        assert pages < 100, "the pages never end"
        rows.extend(body)
        next_ = next_url(response)
        if next_ is not None:
            assert body, "an empty page names a next page"
    return rows, pages


def once(rows: list[dict]) -> list[int]:
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "a row was listed twice"
    return ids


async def add_items(db_session, municipality_id: int, names: list[str], **fields) -> list[int]:
    result = await db_session.execute(
        insert(Item).returning(Item.id),
        [{"municipality_id": municipality_id, "name": n, "kind": "machine", "unit": "hour", "rate_cents": 1000,
          "vat_percent": Decimal(19), **fields} for n in names],
    )
    ids = list(result.scalars())
    await db_session.commit()
    return ids


async def add_bookings(db_session, item_id: int, farmer_id: int, count: int, status: str, *, offset_days: int = 0,
                       created: datetime | None = None) -> list[int]:
    rows = []
    for i in range(count):
        start = START + timedelta(days=offset_days + i)
        row = {"item_id": item_id, "farmer_id": farmer_id, "start_at": start, "end_at": start + timedelta(hours=2),
               "status": status}
        if created is not None:
            row["created_at"] = created + timedelta(minutes=i)
        rows.append(row)
    ids = list((await db_session.execute(insert(Booking).returning(Booking.id), rows)).scalars())
    await db_session.commit()
    return ids


# --- the helper ----------------------------------------------------------------------------------


def test_limit_bounds():
    assert parse_limit(None) == 100
    assert parse_limit("") == 100
    assert parse_limit("1") == 1
    assert parse_limit("1000") == 1000
    for bad in ("0", "1001", "-5", "abc", "1.5"):
        with pytest.raises(Exception) as caught:
            parse_limit(bad)
        assert getattr(caught.value, "status_code", None) == 422
        assert caught.value.field == "limit"


def test_cursor_round_trip_and_refusals():
    key = (1, datetime(2031, 1, 2, 3, 4, tzinfo=UTC), date(2031, 1, 2), "Müller", True, None)
    cursor = encode_cursor("x", key)
    assert decode_cursor("x", cursor, 6) == key
    for order, text, width in (("y", cursor, 6), ("x", cursor, 5), ("x", "not a cursor!", 6), ("x", "e30", 6)):
        with pytest.raises(Exception) as caught:
            decode_cursor(order, text, width)
        assert getattr(caught.value, "status_code", None) == 422
        assert caught.value.field == "cursor"


# --- every list route: more rows than one page, each found once by following the links ---------------


async def test_items_pages_find_every_item_once_in_order(client, db_session, world):
    names = [f"Gerät {i:02d}" for i in range(23)]
    ids = await add_items(db_session, world.north.id, names)
    await add_items(db_session, world.south.id, ["Walze"])
    rows, pages = await walk(client, f"/api/v1/items?municipality_id={world.north.id}&limit=5", world.farmer.headers)
    assert once(rows) == ids  # by municipality, name, id
    assert pages == 5
    everything, _ = await walk(client, "/api/v1/items?limit=7", world.farmer.headers)
    assert len(once(everything)) == 24
    searched, _ = await walk(client, "/api/v1/items?q=r%C3%A4t%201&limit=3", world.farmer.headers)
    assert once(searched) == ids[10:20]


async def test_bookings_pages_by_start_then_id(client, db_session, world):
    item_id = (await add_items(db_session, world.north.id, ["Mulcher"]))[0]
    ids = await add_bookings(db_session, item_id, world.farmer.id, 13, "cancelled")
    ids += await add_bookings(db_session, item_id, world.farmer.id, 4, "approved", offset_days=20)
    for person in (world.farmer, world.finance_north, world.admin):
        rows, pages = await walk(client, "/api/v1/bookings?limit=4", person.headers)
        assert once(rows) == ids, person.user.role
        assert pages == 5
    south, _ = await walk(client, "/api/v1/bookings?limit=4", world.yard_south.headers)
    assert south == []
    others, _ = await walk(client, "/api/v1/bookings?limit=4", world.farmer2.headers)
    assert others == []


async def test_a_thousand_bookings_do_not_hide_new_requests_from_the_yard_head(client, db_session, world):
    """The old bug: the list read the 1,000 earliest bookings and filtered afterwards."""
    item_id = (await add_items(db_session, world.north.id, ["Kehrmaschine"]))[0]
    old = await add_bookings(db_session, item_id, world.farmer.id, 1100, "cancelled")
    created = datetime(2030, 1, 1, tzinfo=UTC)
    later = await add_bookings(db_session, item_id, world.farmer2.id, 3, "requested", offset_days=2000, created=created)
    earlier = await add_bookings(db_session, item_id, world.farmer.id, 3, "requested", offset_days=1500,
                                 created=created - timedelta(days=1))
    requested = earlier + later

    first = await client.get("/api/v1/bookings?limit=5", headers=world.yard_north.headers)
    assert first.status_code == 200
    assert [b["id"] for b in first.json()] == requested[:5]  # open requests first, the oldest request first
    assert all(b["status"] == "requested" for b in first.json())
    inbox, _ = await walk(client, "/api/v1/bookings?limit=1000", world.yard_north.headers)
    assert once(inbox) == requested + old  # then every other booking by start
    only, _ = await walk(client, "/api/v1/bookings?status=requested", world.yard_north.headers)
    assert sorted(once(only)) == sorted(requested)
    assert [b["id"] for b in only] == earlier + later  # with a status filter: by start, then id
    default = await client.get("/api/v1/bookings", headers=world.admin.headers)
    assert len(default.json()) == 100 and next_url(default) is not None  # never more than the limit


async def test_yard_head_inbox_pages_across_the_two_parts(client, db_session, world):
    item_id = (await add_items(db_session, world.north.id, ["Häcksler"]))[0]
    done = await add_bookings(db_session, item_id, world.farmer.id, 6, "rejected")
    open_ = await add_bookings(db_session, item_id, world.farmer.id, 5, "requested", offset_days=50)
    for limit in (1, 2, 5, 6, 11, 12):
        rows, _ = await walk(client, f"/api/v1/bookings?limit={limit}", world.yard_north.headers)
        assert once(rows) == open_ + done, limit


async def test_care_logs_pages_newest_first(client, db_session, world):
    section = Section(municipality_id=world.north.id, name="Feldweg 1", kind="path", length_m=800, task="verge_mowing",
                      unit="hour", rate_cents=3000)
    db_session.add(section)
    await db_session.flush()
    result = await db_session.execute(
        insert(CareLog).returning(CareLog.id),
        [{"section_id": section.id, "farmer_id": world.farmer.id, "performed_on": date(2031, 5, 1) + timedelta(days=i),
          "quantity": Decimal(2), "credit_cents": 6000} for i in range(11)],
    )
    ids = list(result.scalars())
    await db_session.commit()
    expected = ids[::-1]  # one log a day (section, farmer): newest day first
    for person in (world.farmer, world.yard_north, world.finance_north, world.admin):
        rows, pages = await walk(client, "/api/v1/care-logs?limit=3", person.headers)
        assert once(rows) == expected, person.user.role
        assert pages == 4
    assert (await walk(client, "/api/v1/care-logs?limit=3", world.yard_south.headers))[0] == []
    response = await client.get(f"/api/v1/care-logs?municipality_id={world.north.id}", headers=world.yard_south.headers)
    assert response.status_code == 403


async def test_users_pages_by_name(client, db_session, world):
    item_id = (await add_items(db_session, world.north.id, ["Egge"]))[0]
    partners = []
    for i in range(9):
        person = await make_person(db_session, Role.farmer, f"Anna Acker {i}")
        partners.append(person.id)
    await db_session.commit()
    for n, farmer_id in enumerate(partners):  # an approved booking makes him a partner of the municipality
        await add_bookings(db_session, item_id, farmer_id, 1, "approved", offset_days=n)
    rows, pages = await walk(client, "/api/v1/users?limit=4", world.admin.headers)
    assert len(once(rows)) == 7 + 9  # the world's seven people and the nine farmers
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    farmers, _ = await walk(client, "/api/v1/users?limit=4", world.yard_north.headers)
    # the nine, and the world's two farmers (partners of both municipalities)
    assert {r["role"] for r in farmers} == {"farmer"}
    assert sorted(once(farmers)) == sorted([*partners, world.farmer.id, world.farmer2.id])
    assert all(r["iban"] is None for r in farmers)  # the IBAN only for finance and admin
    south = (await walk(client, "/api/v1/users?limit=4", world.yard_south.headers))[0]
    assert sorted(once(south)) == sorted([world.farmer.id, world.farmer2.id])  # none of the nine
    found, pages = await walk(client, "/api/v1/users?q=acker&limit=4", world.finance_north.headers)
    assert [r["name"] for r in found] == [f"Anna Acker {i}" for i in range(9)] and pages == 3
    staff, _ = await walk(client, "/api/v1/users?role=yard_head&limit=1", world.admin.headers)
    assert {r["id"] for r in staff} == {world.yard_north.id, world.yard_south.id}
    assert (await client.get("/api/v1/users?role=king", headers=world.admin.headers)).status_code == 422
    assert (await client.get("/api/v1/users", headers=world.farmer.headers)).status_code == 403
    assert (await client.get("/api/v1/users")).status_code == 401


async def test_settlements_pages_newest_month_first(client, db_session, world):
    months = [date(2029 + i // 12, i % 12 + 1, 1) for i in range(14)]
    await db_session.execute(insert(Settlement), [
        {"municipality_id": world.north.id, "month": m, "cutoff": m + timedelta(days=27), "frozen": True,
         "total_charges_cents": 0, "total_credits_cents": 0, "total_net_cents": 0}
        for m in months
    ])
    await db_session.commit()
    for person, query in ((world.finance_north, ""), (world.admin, f"&municipality_id={world.north.id}")):
        rows, pages = await walk(client, f"/api/v1/settlements?limit=5{query}", person.headers)
        assert [r["month"] for r in rows] == [m.isoformat()[:7] for m in reversed(months)] or \
            [r["month"] for r in rows] == [m.isoformat() for m in reversed(months)]
        assert pages == 3
    assert (await client.get("/api/v1/settlements", headers=world.yard_north.headers)).status_code == 403
    response = await client.get(f"/api/v1/settlements?municipality_id={world.north.id}", headers=world.finance_south.headers)
    assert response.status_code == 403
    assert (await client.get("/api/v1/settlements?municipality_id=999999", headers=world.admin.headers)).status_code == 404


async def test_account_entries_pages_by_value_date(client, world):
    path = f"/api/v1/accounts/{world.farmer.id}/adjustments"
    posted = []
    for i in range(8):
        body = {"municipality_id": world.north.id, "value_date": (date.today() - timedelta(days=i)).isoformat(),
                "amount_cents": 100 + i, "reason": f"Diesel {i}"}
        response = await client.post(path, json=body, headers=world.yard_north.headers)
        assert response.status_code == 201, response.text
        posted.append(response.json()["id"])
    url = f"/api/v1/accounts/{world.farmer.id}/entries?limit=3"
    for person in (world.farmer, world.yard_north, world.finance_north):
        rows, pages = await walk(client, url, person.headers)
        assert once(rows) == list(reversed(posted)), person.user.role  # by value date, then id
        assert pages == 3
    account = (await client.get(f"/api/v1/accounts/{world.farmer.id}", headers=world.farmer.headers)).json()
    assert [e["id"] for e in account["entries"]] == list(reversed(posted))
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=world.farmer2.headers)).status_code == 403
    assert (await client.get(url, headers=world.yard_south.headers)).status_code in (200, 403)
    south = await client.get(url + f"&municipality_id={world.north.id}", headers=world.yard_south.headers)
    assert south.status_code == 403
    unknown = await client.get("/api/v1/accounts/999999/entries", headers=world.admin.headers)
    assert unknown.status_code == 404


async def test_mandates_pages_by_id(client, db_session, world):
    from machinery_network.auth import SYSTEM
    from machinery_network.mandates import service as mandates

    created = []
    for i in range(7):
        person = await make_person(db_session, Role.farmer, f"Mandatsbauer {i}")
        mandate = await mandates.create_mandate(
            db_session, SYSTEM, farmer_id=person.id, municipality_id=world.north.id, reference=f"NORD-{i:03d}",
            signed_on=date(2026, 3, 1), iban="DE89370400440532013000")
        created.append(mandate.id)
    south = await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer.id,
                                          municipality_id=world.south.id, reference="SUED-001",
                                          signed_on=date(2026, 3, 1), iban="DE89370400440532013000")
    await db_session.commit()
    rows, pages = await walk(client, "/api/v1/mandates?limit=3", world.finance_north.headers)
    assert once(rows) == created and pages == 3  # his municipality's only, by id
    rows, pages = await walk(client, f"/api/v1/mandates?municipality_id={world.north.id}&limit=2", world.admin.headers)
    assert once(rows) == created and pages == 4
    rows, _ = await walk(client, "/api/v1/mandates?limit=1", world.admin.headers)
    assert once(rows) == sorted([*created, south.id])
    rows, _ = await walk(client, "/api/v1/mandates?limit=1", world.farmer.headers)
    assert once(rows) == [south.id]
    assert (await client.get("/api/v1/mandates", headers=world.yard_north.headers)).status_code == 403
    response = await client.get(f"/api/v1/mandates?municipality_id={world.north.id}", headers=world.finance_south.headers)
    assert response.status_code == 403


async def test_sections_pages_by_municipality_name_id(client, db_session, world):
    def section(mid: int, name: str, active: bool = True) -> dict:
        return {"municipality_id": mid, "name": name, "kind": "path", "length_m": 100, "task": "verge_mowing",
                "unit": "hour", "rate_cents": 3000, "active": active}

    north = list((await db_session.execute(insert(Section).returning(Section.id),
                                           [section(world.north.id, f"Weg {i:02d}", i % 4 != 0) for i in range(11)]))
                 .scalars())
    south = list((await db_session.execute(insert(Section).returning(Section.id),
                                           [section(world.south.id, f"Pfad {i}") for i in range(3)])).scalars())
    await db_session.commit()
    rows, pages = await walk(client, f"/api/v1/sections?municipality_id={world.north.id}&limit=4",
                             world.yard_north.headers)
    assert once(rows) == north and pages == 3
    rows, pages = await walk(client, "/api/v1/sections?limit=5", world.admin.headers)
    first, second = sorted([(world.north.id, north), (world.south.id, south)])
    assert once(rows) == first[1] + second[1] and pages == 3
    rows, _ = await walk(client, f"/api/v1/sections?municipality_id={world.north.id}&active=true&limit=2",
                         world.yard_north.headers)
    assert once(rows) == [sid for i, sid in enumerate(north) if i % 4 != 0]


async def test_partners_pages_by_farmer_id(client, db_session, world):
    from machinery_network.auth import SYSTEM
    from machinery_network.mandates import partners

    farmers = [await make_person(db_session, Role.farmer, f"Partnerbauer {i}") for i in range(9)]
    for person in farmers:
        await partners.add_partner(db_session, SYSTEM, world.north.id, person.id)
    await partners.add_partner(db_session, SYSTEM, world.south.id, farmers[0].id)
    await db_session.commit()
    path = f"/api/v1/municipalities/{world.north.id}/partners"
    rows, pages = await walk(client, f"{path}?limit=4", world.finance_north.headers)
    found = [row["farmer_id"] for row in rows]
    expected = sorted(await partners.partner_ids(db_session, world.north.id))
    assert len(found) == len(set(found)) and found == expected and pages == (len(expected) + 3) // 4
    assert {p.id for p in farmers} <= set(found) and len(expected) > 8
    assert all(row["municipality_id"] == world.north.id for row in rows)
    assert (await client.get(path, headers=world.finance_south.headers)).status_code == 403
    response = await client.get(f"{path}?cursor=kaputt", headers=world.finance_north.headers)
    assert response.status_code == 422 and response.json()["extra"] == {"field": "cursor"}
    response = await client.get(f"{path}?limit=1001", headers=world.finance_north.headers)
    assert response.status_code == 422 and response.json()["extra"] == {"field": "limit"}


async def test_blocks_pages_by_start_then_id(client, db_session, world):
    from machinery_network.bookings.models import Block

    item_id = (await add_items(db_session, world.north.id, ["Kehrmaschine"]))[0]
    other = (await add_items(db_session, world.north.id, ["Walze"]))[0]
    rows = [{"item_id": item_id, "start_at": START + timedelta(days=3 * i), "end_at": START + timedelta(days=3 * i, hours=4),
             "reason": f"Wartung {i}"} for i in reversed(range(9))]
    ids = list((await db_session.execute(insert(Block).returning(Block.id), rows)).scalars())
    await db_session.execute(insert(Block), [{"item_id": other, "start_at": START, "end_at": START + timedelta(hours=1),
                                              "reason": "anderes Gerät"}])
    await db_session.commit()
    found, pages = await walk(client, f"/api/v1/items/{item_id}/blocks?limit=4", world.yard_north.headers)
    assert once(found) == list(reversed(ids)) and pages == 3  # by start
    response = await client.get(f"/api/v1/items/{item_id}/blocks?cursor=kaputt", headers=world.yard_north.headers)
    assert response.status_code == 422 and response.json()["extra"] == {"field": "cursor"}


async def test_assignments_pages_by_valid_from(client, db_session, world):
    from machinery_network.care.models import Assignment

    section_id = (await db_session.execute(insert(Section).returning(Section.id), [{
        "municipality_id": world.north.id, "name": "Feldweg", "kind": "path", "length_m": 100,
        "task": "verge_mowing", "unit": "hour", "rate_cents": 3000}])).scalar_one()
    rows = [{"section_id": section_id, "farmer_id": (world.farmer if i % 2 else world.farmer2).id,
             "valid_from": date(2020 + i, 1, 1), "valid_to": date(2020 + i, 12, 31)} for i in range(7)]
    ids = list((await db_session.execute(insert(Assignment).returning(Assignment.id), rows)).scalars())
    await db_session.commit()
    path = f"/api/v1/sections/{section_id}/assignments"
    found, pages = await walk(client, f"{path}?limit=3", world.yard_north.headers)
    assert once(found) == ids and pages == 3
    mine, _ = await walk(client, f"{path}?limit=2", world.farmer.headers)
    assert once(mine) == ids[1::2]
    assert (await client.get(path, headers=world.yard_south.headers)).status_code == 403


async def test_municipalities_pages_by_name_with_search(client, db_session, world):
    from machinery_network.accounts import service as accounts
    from machinery_network.auth import SYSTEM

    made = [await accounts.create_municipality(db_session, SYSTEM, name=f"Zell {i:02d} {world.north.name[-4:]}")
            for i in range(9)]
    await db_session.commit()
    rows, pages = await walk(client, "/api/v1/municipalities?limit=4", world.admin.headers)
    names = [row["name"] for row in rows]
    assert len(once(rows)) >= 11 and names == sorted(names) and pages == (len(rows) + 3) // 4
    assert {m.id for m in made} | {world.north.id, world.south.id} <= {row["id"] for row in rows}
    searched, pages = await walk(client, "/api/v1/municipalities?q=zell&limit=4", world.farmer.headers)
    assert [row["id"] for row in searched if row["id"] in {m.id for m in made}] == [m.id for m in made]


async def add_draws(db_session, item_id: int, count: int) -> list[int]:
    """``count`` weekly draws of one contested season of the item, the earliest first."""
    from machinery_network.bookings.draw_models import ContestedSeason, Draw

    season_id = (await db_session.execute(insert(ContestedSeason).returning(ContestedSeason.id), [{
        "item_id": item_id, "first_day": date(2031, 3, 1), "last_day": date(2031, 12, 31), "deadline_weekday": 5,
        "deadline_time": datetime(2031, 1, 1, 12).time(), "created_at": START}])).scalar_one()
    weeks = [date(2031, 3, 3) + timedelta(weeks=i) for i in range(count)]
    ids = list((await db_session.execute(insert(Draw).returning(Draw.id), [
        {"item_id": item_id, "season_id": season_id, "period_start": w, "period_end": w + timedelta(days=6),
         "seed": 7, "occupied": [], "trigger": "scheduler", "ran_at": START} for w in weeks
    ])).scalars())
    await db_session.commit()
    return ids


async def test_draws_pages_latest_period_first(client, db_session, world):
    item_id = (await add_items(db_session, world.north.id, ["Güllefass"]))[0]
    ids = await add_draws(db_session, item_id, 9)
    rows, pages = await walk(client, f"/api/v1/items/{item_id}/draws?limit=4", world.farmer.headers)
    assert once(rows) == list(reversed(ids)) and pages == 3


# --- refusals shared by every list -------------------------------------------------------------------

LISTS = ["/api/v1/items", "/api/v1/bookings", "/api/v1/care-logs", "/api/v1/users", "/api/v1/settlements",
         "/api/v1/mandates", "/api/v1/sections", "/api/v1/municipalities"]


@pytest.mark.parametrize("path", LISTS)
async def test_bad_limit_and_cursor_are_422_naming_the_parameter(client, world, path):
    headers = world.admin.headers
    suffix = f"&municipality_id={world.north.id}" if path.endswith("settlements") else ""
    for limit in ("0", "1001", "-1", "zehn"):
        response = await client.get(f"{path}?limit={limit}{suffix}", headers=headers)
        assert response.status_code == 422, (limit, response.text)
        assert response.json()["extra"] == {"field": "limit"}
    assert (await client.get(f"{path}?limit=1000{suffix}", headers=headers)).status_code == 200
    for cursor in ("kaputt", encode_cursor("another-list", (1, 2)), "W10"):
        response = await client.get(f"{path}?cursor={cursor}{suffix}", headers=headers)
        assert response.status_code == 422, (cursor, response.text)
        assert response.json()["extra"] == {"field": "cursor"}
    assert (await client.get(path)).status_code == 401


async def test_a_cursor_of_one_list_is_refused_by_another(client, db_session, world):
    await add_items(db_session, world.north.id, ["A", "B"])
    first = await client.get("/api/v1/items?limit=1", headers=world.admin.headers)
    cursor = next_url(first).split("cursor=")[1]
    response = await client.get(f"/api/v1/users?cursor={cursor}", headers=world.admin.headers)
    assert response.status_code == 422
    assert response.json()["extra"] == {"field": "cursor"}
