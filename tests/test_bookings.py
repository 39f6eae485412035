"""Bookings through the JSON API: the lifecycle, the audit trail and every refusal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from machinery_network.bookings.models import Block, Booking, BookingEvent, Occupancy
from machinery_network.catalogue import service as catalogue
from machinery_network.catalogue.schemas import ItemCreate
from machinery_network.config import get_settings
from machinery_network.ledger.models import LedgerEntry
from machinery_network.notifications.models import OutboxMessage

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> str:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).isoformat()


async def make_item(db_session, world, *, unit="hour", rate=4800, operator=None, vat=19, active=True,
                    municipality="north"):
    municipality_obj = getattr(world, municipality)
    yard = world.yard_north if municipality == "north" else world.yard_south
    item = await catalogue.create_item(
        db_session, yard.actor,
        ItemCreate(municipality_id=municipality_obj.id, name=f"Gerät {unit}", kind="machine", unit=unit,
                   rate_cents=rate, operator_rate_cents=operator, vat_percent=Decimal(vat), active=active),
        get_settings(),
    )
    await db_session.commit()
    return item


async def request(client, person, item_id, start, end, **extra):
    body = {"item_id": item_id, "start": start, "end": end, **extra}
    return await client.post("/api/v1/bookings", json=body, headers=person.headers)


async def count(db_session, model) -> int:
    return await db_session.scalar(select(func.count()).select_from(model))


async def test_lifecycle_request_approve_complete_with_audit_trail(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    r = await request(client, world.farmer, item.id, at(5, 8), at(5, 12), note="Hecke am Feldweg")
    assert r.status_code == 201, r.text
    booking = r.json()
    # 4 h × 48,00 € = 192,00 net + 19 % = 228,48
    assert (booking["status"], booking["estimated_cents"]) == ("requested", 22848)

    r = await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    outbox = (await db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [m.recipient_id for m in outbox] == [world.yard_north.id, world.farmer.id]  # request, approval
    outbox = outbox[1:]
    assert "genehmigt" in outbox[0].subject and "228,48" in outbox[0].body

    r = await client.post(f"/api/v1/bookings/{booking['id']}/complete", json={"quantity": 3.5},
                          headers=world.yard_north.headers)
    assert r.status_code == 409  # not started yet
    frozen.move(datetime(2026, 10, 5, 13, 0, tzinfo=BERLIN))
    r = await client.post(f"/api/v1/bookings/{booking['id']}/complete", json={"quantity": "3.5"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    # 3,5 h × 48,00 € = 168,00 net + 31,92 VAT = 199,92
    assert (r.json()["status"], r.json()["charge_cents"]) == ("completed", 19992)
    entry = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == booking["id"]))
    assert (entry.amount_cents, entry.net_cents, entry.vat_cents) == (19992, 16800, 3192)
    assert (entry.farmer_id, entry.municipality_id, entry.value_date) == (world.farmer.id, world.north.id,
                                                                         date(2026, 10, 5))

    r = await client.post(f"/api/v1/bookings/{booking['id']}/complete", json={"quantity": 1},
                          headers=world.yard_north.headers)
    assert r.status_code == 409  # completed once only
    assert await count(db_session, LedgerEntry) == 1

    r = await client.get(f"/api/v1/bookings/{booking['id']}", headers=world.farmer.headers)
    assert r.status_code == 200
    events = r.json()["events"]
    assert [(e["from_status"], e["to_status"], e["actor_id"]) for e in events] == [
        (None, "requested", world.farmer.id),
        ("requested", "approved", world.yard_north.id),
        ("approved", "completed", world.yard_north.id),
    ]
    # The completed booking still occupies its period.
    r = await client.get(f"/api/v1/items/{item.id}/availability",
                         params={"from": at(5, 0), "to": at(6, 0)}, headers=world.farmer2.headers)
    assert r.json() == [{"start": at(5, 8), "end": at(5, 12), "kind": "booking"}]


async def test_requests_may_overlap_requests_but_not_approved_bookings(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    first = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    second = await request(client, world.farmer2, item.id, at(5, 10), at(5, 14))
    assert second.status_code == 201
    assert (await client.post(f"/api/v1/bookings/{first['id']}/approve",
                              headers=world.yard_north.headers)).status_code == 200
    # The competing request can no longer be approved: 409 naming the approved period.
    r = await client.post(f"/api/v1/bookings/{second.json()['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409
    assert at(5, 8) in r.json()["detail"] and at(5, 12) in r.json()["detail"]
    assert r.json()["extra"]["conflict"] == {"start": at(5, 8), "end": at(5, 12), "kind": "booking"}
    # New requests overlapping it are refused outright; touching ones are fine (half-open periods).
    r = await request(client, world.farmer2, item.id, at(5, 11), at(5, 15))
    assert r.status_code == 409 and at(5, 8) in r.json()["detail"]
    assert (await request(client, world.farmer2, item.id, at(5, 12), at(5, 15))).status_code == 201
    assert (await request(client, world.farmer2, item.id, at(5, 6), at(5, 8))).status_code == 201


async def test_reject_and_cancel(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    a = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    r = await client.post(f"/api/v1/bookings/{a['id']}/reject", json={"reason": "Gerät in Reparatur"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["reject_reason"] == "Gerät in Reparatur"
    r = await client.post(f"/api/v1/bookings/{a['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409

    b = (await request(client, world.farmer, item.id, at(6, 8), at(6, 12))).json()
    await client.post(f"/api/v1/bookings/{b['id']}/approve", headers=world.yard_north.headers)
    assert await count(db_session, Occupancy) == 1
    r = await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert await count(db_session, Occupancy) == 0  # the period is free again
    assert (await request(client, world.farmer2, item.id, at(6, 9), at(6, 10))).status_code == 201
    r = await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 409  # already cancelled
    outbox = (await db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    outbox = [m for m in outbox if not m.subject.startswith("Neue Buchungsanfrage")]
    assert [(m.subject.split(":")[0], m.recipient_id) for m in outbox] == [
        ("Buchung abgelehnt", world.farmer.id),
        ("Buchung genehmigt", world.farmer.id),
        ("Buchung storniert", world.farmer.id),  # his confirmation
        ("Buchung storniert", world.yard_north.id),  # the yard's heads learn the period is free
    ]
    assert "Gerät in Reparatur" in outbox[0].body


async def test_cancel_after_start_is_refused(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    b = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    frozen.move(datetime(2026, 10, 5, 8, 0, tzinfo=BERLIN))
    r = await client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 409


async def test_refusals_of_who_may_do_what(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    b = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    url = f"/api/v1/bookings/{b['id']}"
    assert (await client.post("/api/v1/bookings", json={})).status_code == 401
    assert (await client.post(f"{url}/approve")).status_code == 401
    assert (await client.get("/api/v1/bookings")).status_code == 401
    assert (await request(client, world.yard_north, item.id, at(5, 8), at(5, 12))).status_code == 403
    assert (await client.post(f"{url}/approve", headers=world.farmer.headers)).status_code == 403
    assert (await client.post(f"{url}/approve", headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(f"{url}/approve", headers=world.finance_north.headers)).status_code == 403
    assert (await client.post(f"{url}/reject", json={"reason": "x"},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(f"{url}/cancel", headers=world.farmer2.headers)).status_code in (403, 404)
    assert (await client.post(f"{url}/cancel", headers=world.yard_north.headers)).status_code == 403
    assert (await client.get(url, headers=world.farmer2.headers)).status_code in (403, 404)
    assert (await client.get(url, headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(url, headers=world.yard_north.headers)).status_code == 200
    assert (await client.post("/api/v1/bookings/999999/approve", headers=world.yard_north.headers)).status_code == 404
    await client.post(f"{url}/approve", headers=world.yard_north.headers)
    frozen.move(datetime(2026, 10, 5, 13, 0, tzinfo=BERLIN))
    assert (await client.post(f"{url}/complete", json={"quantity": 1},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(f"{url}/complete", json={"quantity": 1},
                              headers=world.farmer.headers)).status_code == 403
    r = await client.post(f"/api/v1/items/{item.id}/blocks", json={"start": at(7, 8), "end": at(7, 9),
                          "reason": "Wartung"}, headers=world.yard_south.headers)
    assert r.status_code == 403
    assert await count(db_session, Block) == 0
    assert await count(db_session, LedgerEntry) == 0
    # Lists: each sees his own / his municipality's.
    assert [x["id"] for x in (await client.get("/api/v1/bookings", headers=world.farmer.headers)).json()] == [b["id"]]
    assert (await client.get("/api/v1/bookings", headers=world.farmer2.headers)).json() == []
    assert (await client.get("/api/v1/bookings", headers=world.yard_south.headers)).json() == []
    north = (await client.get("/api/v1/bookings", params={"status": "approved"},
                              headers=world.yard_north.headers)).json()
    assert [x["id"] for x in north] == [b["id"]]
    assert (await client.get("/api/v1/bookings", params={"status": "requested"},
                             headers=world.yard_north.headers)).json() == []
    assert (await client.get("/api/v1/bookings", params={"status": "nonsense"},
                             headers=world.yard_north.headers)).status_code == 422


@pytest.mark.parametrize(
    ("start", "end", "extra", "field"),
    [
        (at(1, 9), at(1, 12), {}, "start"),  # in the past (now is 10:00)
        (at(5, 12), at(5, 12), {}, "end"),  # empty period
        (at(5, 12), at(5, 8), {}, "end"),  # end before start
        ("2027-04-20T08:00:00+02:00", "2027-04-20T09:00:00+02:00", {}, "start"),  # beyond 180 days
        (at(5, 8), at(5, 12), {"with_operator": True}, "with_operator"),  # no operator rate
        ("2026-10-05T08:00:00", "2026-10-05T12:00:00", {}, "start"),  # no offset
        (at(5, 8), at(5, 12), {"note": "x" * 2001}, "note"),
        (at(5, 8), at(5, 12), {"expected_quantity": -1}, "expected_quantity"),
        (at(5, 8), at(5, 12), {"colour": "red"}, "colour"),
    ],
)
async def test_bad_requests_are_422_and_write_nothing(client, db_session, world, frozen, start, end, extra, field):
    item = await make_item(db_session, world)
    r = await request(client, world.farmer, item.id, start, end, **extra)
    assert r.status_code == 422, r.text
    assert field in r.text
    assert await count(db_session, Booking) == 0
    assert await count(db_session, BookingEvent) == 0


async def test_horizon_inactive_item_and_unknown_item(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    # 180 days from 1 Oct 2026 10:00 is 30 Mar 2027 10:00 (in UTC time).
    r = await request(client, world.farmer, item.id, at(29, 8, month=3).replace("2026", "2027"),
                      at(30, 14, month=3).replace("2026", "2027"))
    assert r.status_code == 422 and "180 days" in r.json()["detail"]
    assert (await request(client, world.farmer, item.id, at(29, 8, month=3).replace("2026", "2027"),
                          at(29, 12, month=3).replace("2026", "2027"))).status_code == 201
    inactive = await make_item(db_session, world, active=False)
    r = await request(client, world.farmer, inactive.id, at(5, 8), at(5, 12))
    assert r.status_code == 422 and "not active" in r.json()["detail"]
    assert (await request(client, world.farmer, 987654, at(5, 8), at(5, 12))).status_code == 404
    assert await count(db_session, Booking) == 1


async def test_blocks_occupy_the_item(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    url = f"/api/v1/items/{item.id}/blocks"
    r = await client.post(url, json={"start": at(7, 6), "end": at(7, 18), "reason": "Ölwechsel"},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    r = await request(client, world.farmer, item.id, at(7, 17), at(7, 19))
    assert r.status_code == 409 and "blocked" in r.json()["detail"] and at(7, 6) in r.json()["detail"]
    # A request made before the block cannot be approved over it.
    b = (await request(client, world.farmer, item.id, at(8, 8), at(8, 12))).json()
    r = await client.post(url, json={"start": at(8, 0), "end": at(9, 0), "reason": "Eigenbedarf"},
                          headers=world.yard_north.headers)
    assert r.status_code == 201
    r = await client.post(f"/api/v1/bookings/{b['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409 and r.json()["extra"]["conflict"]["kind"] == "block"
    # A block over an approved booking is refused, naming it.
    c = (await request(client, world.farmer, item.id, at(10, 8), at(10, 12))).json()
    await client.post(f"/api/v1/bookings/{c['id']}/approve", headers=world.yard_north.headers)
    r = await client.post(url, json={"start": at(10, 11), "end": at(10, 13), "reason": "Wartung"},
                          headers=world.yard_north.headers)
    assert r.status_code == 409 and at(10, 8) in r.json()["detail"]
    r = await client.post(url, json={"start": at(10, 13), "end": at(10, 11), "reason": "Wartung"},
                          headers=world.yard_north.headers)
    assert r.status_code == 422
    assert await count(db_session, Block) == 2
    r = await client.get(f"/api/v1/items/{item.id}/availability", params={"from": at(7, 0), "to": at(11, 0)},
                         headers=world.farmer2.headers)
    assert r.json() == [
        {"start": at(7, 6), "end": at(7, 18), "kind": "block"},
        {"start": at(8, 0), "end": at(9, 0), "kind": "block"},
        {"start": at(10, 8), "end": at(10, 12), "kind": "booking"},
    ]
    # Window edges: an interval ending at 'from' is not in the window.
    r = await client.get(f"/api/v1/items/{item.id}/availability", params={"from": at(7, 18), "to": at(8, 0)},
                         headers=world.farmer2.headers)
    assert r.json() == []
    r = await client.get(f"/api/v1/items/{item.id}/availability", params={"from": at(8, 0), "to": at(7, 0)},
                         headers=world.farmer2.headers)
    assert r.status_code == 422
    assert (await client.get(f"/api/v1/items/{item.id}/availability")).status_code == 401


async def test_complete_refusals(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    b = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    frozen.move(datetime(2026, 10, 5, 9, 0, tzinfo=BERLIN))
    r = await client.post(f"/api/v1/bookings/{b['id']}/complete", json={"quantity": 1},
                          headers=world.yard_north.headers)
    assert r.status_code == 409 and "approved" in r.json()["detail"]  # requested, not approved
    frozen.move(NOW)
    await client.post(f"/api/v1/bookings/{b['id']}/approve", headers=world.yard_north.headers)
    frozen.move(datetime(2026, 10, 5, 9, 0, tzinfo=BERLIN))
    for body in ({"quantity": -1}, {}, {"quantity": 0}, {"quantity": 1, "with_operator_hours": 2}):
        r = await client.post(f"/api/v1/bookings/{b['id']}/complete", json=body, headers=world.yard_north.headers)
        assert r.status_code == 422, body
    assert await count(db_session, LedgerEntry) == 0


async def test_estimate_endpoint(client, db_session, world, frozen):
    item = await make_item(db_session, world, unit="hectare", rate=2250, vat=19)
    r = await client.get("/api/v1/bookings/estimate", headers=world.farmer.headers,
                         params={"item_id": item.id, "start": at(5, 8), "end": at(5, 12), "expected_quantity": "12.5"})
    assert r.status_code == 200, r.text
    # 12,5 ha × 22,50 € = 281,25 net + 19 % = 334,6875 → 334,69
    assert r.json()["estimated_cents"] == 33469
    r = await client.get("/api/v1/bookings/estimate", headers=world.farmer.headers,
                         params={"item_id": item.id, "start": at(5, 8), "end": at(5, 12)})
    assert r.json()["estimated_cents"] is None
    r = await client.get("/api/v1/bookings/estimate", headers=world.farmer.headers,
                         params={"item_id": item.id, "start": "tomorrow", "end": at(5, 12)})
    assert r.status_code == 422


async def test_demo_bookings_are_loaded_once(db_session, frozen, settings):
    from sqlalchemy import text

    from machinery_network.demo import load_demo

    await load_demo(db_session, settings)
    counts = dict((await db_session.execute(text(
        "SELECT status, count(*) FROM bookings WHERE note LIKE '[Demo]%' AND NOT in_draw GROUP BY status"))).all())
    assert counts == {"completed": 4, "approved": 2, "requested": 3}  # the contested mower's: test_draws
    charges = await db_session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.booking_id.is_not(None)))
    assert charges == 4
    assert await count(db_session, Block) == 1
    before = await count(db_session, Booking)
    await load_demo(db_session, settings)  # idempotent
    assert await count(db_session, Booking) == before and await count(db_session, Block) == 1


async def test_request_writes_its_first_event_with_actor_and_time(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()
    event = await db_session.scalar(select(BookingEvent).where(BookingEvent.booking_id == booking["id"]))
    assert (event.actor_id, event.from_status, event.to_status) == (world.farmer.id, None, "requested")
    assert event.at == NOW
    stored = await db_session.get(Booking, booking["id"])
    assert stored.start_at == datetime(2026, 10, 5, 8, 0, tzinfo=BERLIN) and stored.created_at == NOW


def test_booking_data_has_the_columns_of_a_booking():
    """The busy routes answer ``BookingData`` for a ``Booking``: the same fields, in the same order."""
    from dataclasses import fields

    from machinery_network.bookings.models import BookingData

    assert [f.name for f in fields(BookingData)] == [column.name for column in Booking.__table__.c]
