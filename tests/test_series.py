"""Issue #18, repeating bookings: one request per occurrence, conflicts and rule refusals listed on
creation, the cap, cancelling one or all, and the refusals."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from machinery_network.bookings.draw_models import BookingSeries
from machinery_network.bookings.models import Booking
from tests.test_bookings import at, make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)  # a Thursday

TUESDAYS = {"item_id": 0, "weekdays": [2], "start_time": "07:00", "end_time": "11:00",
            "from": "2026-10-05", "until": "2026-11-30"}  # 8 Tuesdays: Oct 6 … Nov 24


async def series(client, person, item_id, **changes):
    body = {**TUESDAYS, "item_id": item_id, **changes}
    return await client.post("/api/v1/booking-series", json=body, headers=person.headers)


async def approve(client, world, booking_id):
    r = await client.post(f"/api/v1/bookings/{booking_id}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text


async def test_every_tuesday_creates_one_request_each_and_lists_conflicts_and_rule_refusals(
    client, db_session, world, frozen
):
    item = await make_item(db_session, world)
    # Tuesday 13 October is taken from 08:00 to 10:00 by the other farmer.
    r = await request(client, world.farmer2, item.id, at(13, 8), at(13, 10))
    await approve(client, world, r.json()["id"])
    r = await client.patch(f"/api/v1/items/{item.id}", json={"max_open_requests_per_farmer": 6},
                           headers=world.yard_north.headers)
    assert r.status_code == 200, r.text

    r = await series(client, world.farmer, item.id, note="Mulchen Streuobstwiese")
    assert r.status_code == 201, r.text
    body = r.json()
    days = [datetime.fromisoformat(b["start"]).astimezone(BERLIN) for b in body["bookings"]]
    assert [d.day for d in days] == [6, 20, 27, 3, 10, 17]
    # 07:00 to 11:00 local time on each day, across the end of summer time (25 October).
    assert {(d.hour, d.weekday()) for d in days} == {(7, 1)}
    assert all(b["series_id"] == body["id"] and b["status"] == "requested" for b in body["bookings"])
    assert [c["date"] for c in body["conflicts"]] == ["2026-10-13"]
    assert body["conflicts"][0]["conflict"]["kind"] == "booking"
    assert "bereits gebucht" in body["conflicts"][0]["message"]
    # The seventh request breaks the item's rule: listed with the rule's name and its German message.
    assert [(x["date"], x["rule"]) for x in body["refused"]] == [("2026-11-24", "max_open_requests_per_farmer")]
    assert "Höchstzahl offener Anfragen" in body["refused"][0]["message"]

    # Each occurrence is decided on its own.
    first, second = body["bookings"][0]["id"], body["bookings"][1]["id"]
    await approve(client, world, first)
    r = await client.post(f"/api/v1/bookings/{second}/reject", json={"reason": "Gerät in Reparatur"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200
    # Cancel one.
    third = body["bookings"][2]["id"]
    r = await client.post(f"/api/v1/bookings/{third}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"

    r = await client.get(f"/api/v1/booking-series/{body['id']}", headers=world.farmer.headers)
    assert r.status_code == 200
    assert [b["status"] for b in r.json()["bookings"]] == ["approved", "rejected", "cancelled", "requested",
                                                           "requested", "requested"]
    # Cancel all: every open occurrence, the approved one too; decided ones stay.
    r = await client.post(f"/api/v1/booking-series/{body['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    assert [b["status"] for b in r.json()["bookings"]] == ["cancelled", "rejected", "cancelled", "cancelled",
                                                           "cancelled", "cancelled"]
    assert r.json()["cancelled_at"] is not None
    # The other farmer's booking is untouched, and the freed Tuesday can be booked again.
    r = await request(client, world.farmer2, item.id, at(6, 8), at(6, 9))
    assert r.status_code == 201, r.text


async def test_too_many_occurrences_or_none_possible_is_422_and_leaves_nothing(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    r = await series(client, world.farmer, item.id, weekdays=[1, 2, 3, 4, 5], until="2027-03-31")
    assert r.status_code == 422, r.text
    assert r.json()["extra"]["limit"] == 60 and "höchstens 60 Termine" in r.json()["extra"]["message"]
    # Every occurrence taken: nothing is requested, nothing stays behind.
    r = await request(client, world.farmer2, item.id, at(6, 0), at(7, 0))
    await approve(client, world, r.json()["id"])
    r = await series(client, world.farmer, item.id, until="2026-10-06")
    assert r.status_code == 422, r.text
    assert [c["date"] for c in r.json()["extra"]["conflicts"]] == ["2026-10-06"]
    assert "Kein Termin" in r.json()["extra"]["message"]
    assert await db_session.scalar(select(func.count()).select_from(BookingSeries)) == 0
    assert await db_session.scalar(select(func.count()).select_from(Booking).where(Booking.series_id.is_not(None))) == 0
    # Bad input.
    for changes in ({"weekdays": []}, {"weekdays": [8]}, {"end_time": "06:00"}, {"until": "2026-10-01"},
                    {"from": "2026-10-06", "until": "2026-10-06", "weekdays": [3]}, {"colour": "rot"},
                    {"from": "1900-01-01", "until": "1900-02-01"}, {"until": "2400-01-01"}):
        r = await series(client, world.farmer, item.id, **changes)
        assert r.status_code in (400, 422), (changes, r.text)


async def test_refusals(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    r = await series(client, world.yard_north, item.id)
    assert r.status_code == 403
    assert (await client.post("/api/v1/booking-series", json={**TUESDAYS, "item_id": item.id})).status_code == 401
    r = await series(client, world.farmer, 999999)
    assert r.status_code == 404
    r = await series(client, world.farmer, item.id, until="2026-10-20")
    assert r.status_code == 201
    series_id = r.json()["id"]
    url = f"/api/v1/booking-series/{series_id}"
    assert (await client.post(url + "/cancel", headers=world.farmer2.headers)).status_code == 403
    assert (await client.get(url, headers=world.farmer2.headers)).status_code == 403
    assert (await client.post(url + "/cancel", headers=world.yard_north.headers)).status_code == 403
    assert (await client.get(url, headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(url, headers=world.yard_north.headers)).status_code == 200
    assert (await client.post("/api/v1/booking-series/999999/cancel", headers=world.farmer.headers)).status_code == 404
    r = await client.get("/api/v1/booking-series", headers=world.farmer.headers)
    assert [s["id"] for s in r.json()] == [series_id] and len(r.json()[0]["bookings"]) == 3
