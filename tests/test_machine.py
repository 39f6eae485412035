"""At the machine through the JSON API: hand-over, return, completion, defects, repairs, the buffer."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from machinery_network.bookings import service as bookings
from machinery_network.bookings.models import Block, Booking, Occupancy
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.catalogue import service as catalogue
from machinery_network.catalogue.schemas import ItemCreate
from machinery_network.errors import Conflict
from machinery_network.machine import service as machine
from machinery_network.machine.models import Defect, DefectBooking, Handover
from machinery_network.machine.schemas import CheckinInput, CheckoutInput
from machinery_network.notifications.models import OutboxMessage
from tests.conftest import build_world
from tests.test_bookings import make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)

pytestmark = pytest.mark.usefixtures("frozen")


def at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 10, day, hour, minute, tzinfo=BERLIN).isoformat()


async def approved(client, world, item_id, start, end, farmer=None):
    r = await request(client, farmer or world.farmer, item_id, start, end)
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    r = await client.post(f"/api/v1/bookings/{booking_id}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    return booking_id


RAW_BLOCK = ("WITH b AS (INSERT INTO blocks (item_id, start_at, end_at, reason, created_at) "
             "VALUES (:item, :start, :end, 'Eigenbedarf', now()) RETURNING id) "
             "INSERT INTO occupancies (item_id, start_at, end_at, buffer_minutes, block_id) ")
OUT = {"meter": 1000, "fuel_percent": 80, "condition": "ok"}


async def test_full_flow_approval_checkout_checkin_completion(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", headers=world.farmer.headers,
                          json={**OUT, "condition": "remarks", "remarks": "Kratzer an der Tür"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["meter"], body["fuel_percent"], body["condition"], body["by"]) == (
        "checkout", 1000, 80, "remarks", world.farmer.id)
    # Once only.
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", headers=world.farmer.headers, json=OUT)
    assert r.status_code == 409

    frozen.move(datetime(2026, 10, 1, 18, 30, tzinfo=BERLIN))
    # The meter going backwards: 422, nothing written.
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.yard_north.headers,
                          json={"meter": "999.5", "fuel_percent": 40, "condition": "ok"})
    assert r.status_code == 422 and r.json()["extra"]["field"] == "meter"
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkin_at is None

    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.yard_north.headers,
                          json={"meter": "1006.5", "fuel_percent": 40, "condition": "ok"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["meter"], body["meter_difference"], body["proposed_quantity"]) == (
        "checkin", 1006.5, 6.5, 6.5)
    assert body["blocked"] is False and body["affected_booking_ids"] == []
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.yard_north.headers,
                          json={"meter": 1007, "fuel_percent": 40, "condition": "ok"})
    assert r.status_code == 409

    r = await client.post(f"/api/v1/bookings/{booking_id}/complete", json={"quantity": body["proposed_quantity"]},
                          headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["charge_cents"]) == ("completed", 37128)  # 6,5 h × 48 € + 19 %
    # Hand-over and return are for an approved booking only.
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.yard_north.headers,
                          json={"meter": 1007, "fuel_percent": 40, "condition": "ok"})
    assert r.status_code == 409


async def test_database_refuses_a_return_meter_below_the_hand_over(db_session, world):
    item = await make_item(db_session, world)
    booking = Booking(item_id=item.id, farmer_id=world.farmer.id, start_at=NOW, end_at=NOW + timedelta(hours=2),
                      status="approved")
    db_session.add(booking)
    await db_session.flush()
    db_session.add(Handover(booking_id=booking.id, item_id=item.id, checkout_meter=Decimal(10), checkout_fuel_percent=50,
                            checkout_condition="ok", checkout_at=NOW))
    await db_session.flush()
    with pytest.raises(IntegrityError, match="ck_handovers_meter_forward"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                "UPDATE handovers SET checkin_meter = 9, checkin_fuel_percent = 5, checkin_condition = 'ok', "
                "checkin_at = now() WHERE booking_id = :id"), {"id": booking.id})


async def test_refusals_at_the_machine(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 12), at(1, 18))
    url = f"/api/v1/bookings/{booking_id}/checkout"
    assert (await client.post(url, json=OUT)).status_code == 401
    assert (await client.post(url, json=OUT, headers=world.farmer2.headers)).status_code == 403
    assert (await client.post(url, json=OUT, headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(url, json=OUT, headers=world.finance_north.headers)).status_code == 403
    assert (await client.post("/api/v1/bookings/999999/checkout", json=OUT,
                              headers=world.yard_north.headers)).status_code == 404
    for bad in ({**OUT, "fuel_percent": 101}, {**OUT, "condition": "defect"}, {**OUT, "meter": -1},
                {"fuel_percent": 50, "condition": "ok"}, {**OUT, "extra": 1}):
        r = await client.post(url, json=bad, headers=world.yard_north.headers)
        assert r.status_code == 422, (bad, r.text)
    # The return before the hand-over.
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.farmer.headers,
                          json={"meter": 1, "fuel_percent": 1, "condition": "ok"})
    assert r.status_code == 409
    # A requested booking, and one too far ahead (at most 48 hours before its start).
    requested = (await request(client, world.farmer, item.id, at(2, 12), at(2, 14))).json()["id"]
    r = await client.post(f"/api/v1/bookings/{requested}/checkout", json=OUT, headers=world.yard_north.headers)
    assert r.status_code == 409
    later = await approved(client, world, item.id, at(10, 8), at(10, 12))
    r = await client.post(f"/api/v1/bookings/{later}/checkout", json=OUT, headers=world.yard_north.headers)
    assert r.status_code == 409 and "48" in r.json()["detail"]
    assert await db_session.scalar(select(func.count()).select_from(Handover)) == 0

    # A defect needs its description; the meter may not go below the item's last reading.
    assert (await client.post(url, json=OUT, headers=world.farmer.headers)).status_code == 201
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.farmer.headers,
                          json={"meter": 1002, "fuel_percent": 50, "condition": "defect", "usable": True})
    assert r.status_code == 422
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.farmer.headers,
                          json={"meter": 1002, "fuel_percent": 50, "condition": "ok"})
    assert r.status_code == 201
    nxt = await approved(client, world, item.id, at(2, 8), at(2, 10), farmer=world.farmer2)
    r = await client.post(f"/api/v1/bookings/{nxt}/checkout", json={**OUT, "meter": 1001},
                          headers=world.farmer2.headers)
    assert r.status_code == 422 and r.json()["extra"]["last"] == 1002


async def test_defect_blocks_the_item_tells_the_affected_and_a_repair_ends_it(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    returned = await approved(client, world, item.id, at(1, 11), at(1, 15))
    affected = await approved(client, world, item.id, at(5, 8), at(5, 12), farmer=world.farmer2)
    pending = (await request(client, world.farmer2, item.id, at(6, 8), at(6, 12))).json()["id"]
    assert (await client.post(f"/api/v1/bookings/{returned}/checkout", json=OUT,
                              headers=world.farmer.headers)).status_code == 201
    frozen.move(datetime(2026, 10, 1, 14, 0, tzinfo=BERLIN))
    before = await db_session.scalar(select(func.count()).select_from(OutboxMessage))
    r = await client.post(f"/api/v1/bookings/{returned}/checkin", headers=world.farmer.headers,
                          json={"meter": 1003, "fuel_percent": 30, "condition": "defect", "usable": False,
                                "description": "Mulchergehäuse gerissen"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["blocked"] is True and body["affected_booking_ids"] == [affected] and body["usable"] is False
    assert body["description"] == "Mulchergehäuse gerissen"
    mails = (await db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).offset(before))).all()
    assert [m.recipient_id for m in mails] == [world.farmer2.id]
    assert "nicht einsatzbereit" in mails[0].subject and "Mulchergehäuse" in mails[0].body

    # Out of service: no approval, no new request until the repair.
    r = await client.post(f"/api/v1/bookings/{pending}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409 and r.json()["extra"]["conflict"]["kind"] == "block"
    assert (await request(client, world.farmer, item.id, at(20, 8), at(20, 9))).status_code == 409
    # The returned booking keeps its past, the affected one waits for the yard head.
    occupied = {o.booking_id for o in await db_session.scalars(select(Occupancy).where(Occupancy.item_id == item.id))}
    assert returned in occupied and affected not in occupied
    assert (await db_session.scalar(select(DefectBooking.booking_id))) == affected

    url = f"/api/v1/items/{item.id}/repairs"
    assert (await client.post(url, json={"description": "geschweißt"})).status_code == 401
    assert (await client.post(url, json={"description": "geschweißt"}, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(url, json={"description": "geschweißt"},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post("/api/v1/items/999999/repairs", json={"description": "x"},
                              headers=world.yard_north.headers)).status_code == 404
    for bad in ({"description": ""}, {"description": "x", "cost_cents": -1}, {"description": "x", "cost_cents": 1.5}):
        assert (await client.post(url, json=bad, headers=world.yard_north.headers)).status_code == 422

    frozen.move(datetime(2026, 10, 3, 9, 0, tzinfo=BERLIN))
    r = await client.post(url, json={"description": "Gehäuse geschweißt", "cost_cents": 23000},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    defect = await db_session.scalar(select(Defect))
    assert r.json()["defect_ids"] == [defect.id] and r.json()["cost_cents"] == 23000
    block = await db_session.get(Block, defect.block_id, populate_existing=True)
    assert block.end_at == datetime(2026, 10, 3, 9, 0, tzinfo=BERLIN)
    # The affected booking occupies its period again, the item can be approved again.
    assert await db_session.scalar(select(func.count()).select_from(Occupancy).where(Occupancy.booking_id == affected)) == 1
    assert (await client.post(f"/api/v1/bookings/{pending}/approve", headers=world.yard_north.headers)).status_code == 200


async def test_usable_defect_is_recorded_without_a_block(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 15))
    await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=OUT, headers=world.farmer.headers)
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", headers=world.farmer.headers,
                          json={"meter": 1003, "fuel_percent": 30, "condition": "defect", "usable": True,
                                "description": "Spiegel lose"})
    assert r.status_code == 201 and r.json()["blocked"] is False and r.json()["defect_id"] is not None
    assert await db_session.scalar(select(func.count()).select_from(Block)) == 0


async def test_buffer_between_bookings_is_the_constraints(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"buffer_minutes": 60}, headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["buffer_minutes"] == 60
    for bad in (-1, 10081, 1.5, "60"):
        r = await client.patch(f"/api/v1/items/{item.id}", json={"buffer_minutes": bad},
                               headers=world.yard_north.headers)
        assert r.status_code == 422, bad
    assert (await client.patch(f"/api/v1/items/{item.id}", json={"buffer_minutes": 30},
                               headers=world.farmer.headers)).status_code == 403
    await approved(client, world, item.id, at(5, 8), at(5, 10))
    # Closer than the buffer after it, or before it: refused; exactly the buffer apart: fine.
    assert (await request(client, world.farmer2, item.id, at(5, 10, 30), at(5, 12))).status_code == 409
    assert (await request(client, world.farmer2, item.id, at(5, 6), at(5, 7, 30))).status_code == 409
    assert (await approved(client, world, item.id, at(5, 11), at(5, 12), farmer=world.farmer2))
    # Availability shows the buffer before and after each booking.
    r = await client.get(f"/api/v1/items/{item.id}/availability", params={"from": at(5, 0), "to": at(6, 0)},
                         headers=world.farmer2.headers)
    assert r.json()[:3] == [{"start": at(5, 7), "end": at(5, 8), "kind": "buffer"},
                            {"start": at(5, 8), "end": at(5, 10), "kind": "booking"},
                            {"start": at(5, 10), "end": at(5, 11), "kind": "buffer"}]
    # The database itself: an occupancy closer than the buffer, written past every application check.
    with pytest.raises(IntegrityError, match="ex_occupancies_no_overlap"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                RAW_BLOCK + "SELECT :item, :start, :end, 60, id FROM b"
            ), {"item": item.id, "start": datetime(2026, 10, 5, 12, 30, tzinfo=BERLIN),
                "end": datetime(2026, 10, 5, 13, 0, tzinfo=BERLIN)})
    # … nor with a smaller buffer than the item's (the foreign key keeps them equal).
    with pytest.raises(IntegrityError, match="fk_occupancies_item_buffer"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                RAW_BLOCK + "SELECT :item, :start, :end, 0, id FROM b"
            ), {"item": item.id, "start": datetime(2026, 10, 5, 14, 0, tzinfo=BERLIN),
                "end": datetime(2026, 10, 5, 15, 0, tzinfo=BERLIN)})
    # A bigger buffer that the approved bookings do not leave: 409, the buffer stays.
    r = await client.patch(f"/api/v1/items/{item.id}", json={"buffer_minutes": 90}, headers=world.yard_north.headers)
    assert r.status_code == 409
    r = await client.get(f"/api/v1/items/{item.id}", headers=world.farmer.headers)
    assert r.json()["buffer_minutes"] == 60


async def test_buffer_refused_by_the_constraint_when_approval_skips_its_check(
    committed_sessionmaker, settings, monkeypatch
):
    from machinery_network.bookings import service as booking_service

    async with committed_sessionmaker() as session:
        world = await build_world(session)
        item = await catalogue.create_item(session, world.yard_north.actor, ItemCreate(
            municipality_id=world.north.id, name="Tieflader", kind="machine", unit="hour", rate_cents=5000,
            buffer_minutes=45), settings)
        start = NOW + timedelta(days=3)
        a = await bookings.request(session, world.farmer.actor,
                                   BookingCreate(item_id=item.id, start=start, end=start + timedelta(hours=2)), settings)
        b = await bookings.request(session, world.farmer2.actor, BookingCreate(
            item_id=item.id, start=start + timedelta(hours=2, minutes=30), end=start + timedelta(hours=4)), settings)
        await session.commit()
    unchecked = booking_service.approval_statement(pre_check=False)
    monkeypatch.setattr(booking_service, "approval_statement", lambda: unchecked)
    async with committed_sessionmaker() as session:
        await bookings.approve(session, world.yard_north.actor, a.id, settings)
        await session.commit()
    async with committed_sessionmaker() as session:
        with pytest.raises(Conflict):
            await bookings.approve(session, world.yard_north.actor, b.id, settings)
        await session.rollback()
    async with committed_sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Occupancy)) == 1
        assert (await session.get(Booking, b.id)).status == "requested"


async def test_defect_races_a_concurrent_approval(committed_sessionmaker, settings):
    """The approval and the defect's block take the item's lock: whichever comes second sees the
    first. Approval first: the booking is affected and told; defect first: the approval is 409."""
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        item = await catalogue.create_item(session, world.yard_north.actor, ItemCreate(
            municipality_id=world.north.id, name="Mulcher", kind="machine", unit="hour", rate_cents=5000), settings)
        start = NOW + timedelta(hours=1)
        returned = await bookings.request(session, world.farmer.actor,
                                          BookingCreate(item_id=item.id, start=start, end=start + timedelta(hours=2)),
                                          settings)
        first = await bookings.request(session, world.farmer2.actor, BookingCreate(
            item_id=item.id, start=NOW + timedelta(days=2), end=NOW + timedelta(days=2, hours=3)), settings)
        second = await bookings.request(session, world.farmer2.actor, BookingCreate(
            item_id=item.id, start=NOW + timedelta(days=4), end=NOW + timedelta(days=4, hours=3)), settings)
        await session.commit()
        await bookings.approve(session, world.yard_north.actor, returned.id, settings)
        await session.commit()
        await machine.checkout(session, world.farmer.actor, returned.id,
                               CheckoutInput(meter=Decimal(5), fuel_percent=90, condition="ok"), settings)
        await session.commit()

    # The approval holds the item's lock (uncommitted) while the defect is reported: the defect waits.
    async with committed_sessionmaker() as approving, committed_sessionmaker() as reporting:
        await bookings.approve(approving, world.yard_north.actor, first.id, settings)
        report = asyncio.create_task(machine.checkin(
            reporting, world.farmer.actor, returned.id,
            CheckinInput(meter=Decimal(7), fuel_percent=50, condition="defect", usable=False, description="Riss"),
            settings))
        await asyncio.sleep(0.3)
        assert not report.done()
        await approving.commit()
        _, defect, affected = await asyncio.wait_for(report, timeout=30)
        await reporting.commit()
    assert defect is not None and affected == [first.id]

    # Now out of service: the next approval loses, whatever it was told before.
    async with committed_sessionmaker() as session:
        with pytest.raises(Conflict) as caught:
            await bookings.approve(session, world.yard_north.actor, second.id, settings)
        await session.rollback()
    assert caught.value.key == "booking.overlap_block"
    async with committed_sessionmaker() as session:
        assert (await session.get(Booking, second.id)).status == "requested"
        mails = list(await session.scalars(select(OutboxMessage.recipient_id).where(
            OutboxMessage.subject.like("%nicht einsatzbereit%"))))
        assert mails == [world.farmer2.id]


async def _break_down(client, db_session, world, frozen):
    """An item with a returned booking reported "not usable", two approved bookings in the way and a
    free item of the same kind."""
    item = await make_item(db_session, world)
    spare = await make_item(db_session, world)
    returned = await approved(client, world, item.id, at(1, 11), at(1, 15))
    first = await approved(client, world, item.id, at(5, 8), at(5, 12), farmer=world.farmer2)
    second = await approved(client, world, item.id, at(6, 8), at(6, 12), farmer=world.farmer2)
    third = await approved(client, world, item.id, at(7, 8), at(7, 12), farmer=world.farmer2)
    await approved(client, world, spare.id, at(6, 10), at(6, 11))  # the spare is taken on the 6th
    await client.post(f"/api/v1/bookings/{returned}/checkout", json=OUT, headers=world.farmer.headers)
    r = await client.post(f"/api/v1/bookings/{returned}/checkin", headers=world.farmer.headers,
                          json={"meter": 1001, "fuel_percent": 30, "condition": "defect", "usable": False,
                                "description": "Hydraulik undicht"})
    assert r.json()["affected_booking_ids"] == [first, second, third]
    return item, spare, r.json()["defect_id"], (first, second, third)


async def test_yard_head_moves_keeps_or_cancels_the_affected_bookings(client, db_session, world, frozen):
    item, spare, defect_id, (first, second, third) = await _break_down(client, db_session, world, frozen)
    r = await client.get("/api/v1/defects/affected", headers=world.yard_north.headers)
    assert r.status_code == 200
    rows = {row["booking_id"]: row for row in r.json()}
    assert rows[first]["alternative_item_ids"] == [spare.id] and rows[second]["alternative_item_ids"] == []
    assert (await client.get("/api/v1/defects/affected", headers=world.farmer.headers)).status_code == 403
    assert (await client.get("/api/v1/defects/affected", headers=world.yard_south.headers)).json() == []

    url = f"/api/v1/defects/{defect_id}/bookings/{{}}/decision"
    assert (await client.post(url.format(first), json={"action": "keep"},
                              headers=world.farmer2.headers)).status_code == 403
    assert (await client.post(url.format(first), json={"action": "keep"},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(url.format(999999), json={"action": "keep"},
                              headers=world.yard_north.headers)).status_code == 404
    assert (await client.post(url.format(first), json={"action": "fix"},
                              headers=world.yard_north.headers)).status_code == 422
    assert (await client.post(url.format(first), json={"action": "move"},
                              headers=world.yard_north.headers)).status_code == 422
    # The spare is taken on the 6th: 409, nothing changes.
    r = await client.post(url.format(second), json={"action": "move", "item_id": spare.id},
                          headers=world.yard_north.headers)
    assert r.status_code == 409
    before = await db_session.scalar(select(func.count()).select_from(OutboxMessage))
    r = await client.post(url.format(first), json={"action": "move", "item_id": spare.id},
                          headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["item_id"] == spare.id and r.json()["status"] == "approved"
    assert (await client.post(url.format(first), json={"action": "keep"},
                              headers=world.yard_north.headers)).status_code == 409
    r = await client.post(url.format(second), json={"action": "keep"}, headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = await client.post(url.format(third), json={"action": "cancel"}, headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    subjects = list(await db_session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id).offset(before)))
    assert [s.split(":")[0] for s in subjects] == ["Buchung umgebucht", "Buchung bleibt bestehen", "Buchung storniert"]
    occupancy = await db_session.scalar(select(Occupancy).where(Occupancy.booking_id == first))
    assert occupancy.item_id == spare.id

    # The repair gives the kept booking its period back, not the cancelled one.
    frozen.move(datetime(2026, 10, 2, 9, 0, tzinfo=BERLIN))
    assert (await client.post(f"/api/v1/items/{item.id}/repairs", json={"description": "Schlauch getauscht"},
                              headers=world.yard_north.headers)).status_code == 201
    occupied = set(await db_session.scalars(select(Occupancy.booking_id).where(Occupancy.item_id == item.id)))
    assert second in occupied and third not in occupied and first not in occupied


async def test_surcharges_from_the_return_and_a_damage_charge(client, db_session, world, frozen):
    from machinery_network.ledger.models import LedgerEntry
    from machinery_network.machine.models import HandoverSurcharge

    item = await make_item(db_session, world)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"fuel_surcharge_cents": 2500},
                           headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["fuel_surcharge_cents"] == 2500
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 15))
    await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=OUT, headers=world.farmer.headers)
    back = {"meter": 1004, "fuel_percent": 10, "condition": "defect", "usable": True, "description": "Delle"}
    # Surcharges only by the yard head, only those the item has, each once.
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**back, "surcharges": ["fuel"]},
                          headers=world.farmer.headers)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**back, "surcharges": ["cleaning"]},
                          headers=world.yard_north.headers)
    assert r.status_code == 422 and "Reinigungszuschlag" in r.json()["detail"]
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**back, "surcharges": ["fuel", "fuel"]},
                          headers=world.yard_north.headers)
    assert r.status_code == 422
    assert await db_session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**back, "surcharges": ["fuel"]},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    entry = await db_session.get(LedgerEntry, r.json()["surcharge_entry_ids"][0])
    assert (entry.kind, entry.amount_cents, entry.farmer_id) == ("adjustment", 2500, world.farmer.id)
    link = await db_session.scalar(select(HandoverSurcharge))
    assert (link.booking_id, link.kind, link.entry_id) == (booking_id, "fuel", entry.id)

    defect_id = r.json()["defect_id"]
    url = f"/api/v1/defects/{defect_id}/charge"
    assert (await client.post(url, json={"amount_cents": 15000}, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(url, json={"amount_cents": 15000},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post("/api/v1/defects/999999/charge", json={"amount_cents": 1},
                              headers=world.yard_north.headers)).status_code == 404
    assert (await client.post(url, json={"amount_cents": 0}, headers=world.yard_north.headers)).status_code == 422
    r = await client.post(url, json={"amount_cents": 15000, "reason": "Delle Motorhaube"},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    assert (r.json()["amount_cents"], r.json()["farmer_id"], r.json()["kind"]) == (15000, world.farmer.id, "adjustment")
    defect = await db_session.get(Defect, defect_id, populate_existing=True)
    assert defect.charge_entry_id == r.json()["id"]
    assert (await client.post(url, json={"amount_cents": 100}, headers=world.yard_north.headers)).status_code == 409


async def test_maintenance_by_hours_and_months_is_due_and_planned_in_one_action(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    url = f"/api/v1/items/{item.id}/maintenance-intervals"
    for bad in ({"name": "Service"}, {"name": "", "every_hours": 50}, {"name": "x", "every_hours": -1},
                {"name": "x", "every_months": 0}):
        assert (await client.post(url, json=bad, headers=world.yard_north.headers)).status_code == 422, bad
    assert (await client.post(url, json={"name": "Service", "every_hours": 50},
                              headers=world.farmer.headers)).status_code == 403
    assert (await client.post(url, json={"name": "Service", "every_hours": 50},
                              headers=world.yard_south.headers)).status_code == 403
    assert (await client.post("/api/v1/items/999999/maintenance-intervals", json={"name": "S", "every_hours": 5},
                              headers=world.yard_north.headers)).status_code == 404
    r = await client.post(url, json={"name": "Service", "every_hours": 50, "last_done_meter": 980},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    service_id = r.json()["id"]
    assert r.json()["next_meter"] == 1030 and r.json()["due"] is False
    r = await client.post(url, json={"name": "UVV-Prüfung", "every_months": 12,
                                     "last_done_at": "2025-10-10T09:00:00+02:00"}, headers=world.yard_north.headers)
    assert r.status_code == 201 and r.json()["due"] is True and r.json()["overdue"] is False  # due on 10.10.
    uvv_id = r.json()["id"]
    due = (await client.get("/api/v1/maintenance/due", headers=world.yard_north.headers)).json()
    assert [d["id"] for d in due] == [uvv_id]

    # A return at 1006 operating hours: the service is 24 hours away, so due.
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=OUT, headers=world.farmer.headers)
    await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**OUT, "meter": 1006},
                      headers=world.farmer.headers)
    due = (await client.get("/api/v1/maintenance/due", headers=world.yard_north.headers)).json()
    assert sorted(d["id"] for d in due) == sorted([service_id, uvv_id])
    assert (await client.get("/api/v1/maintenance/due", headers=world.yard_south.headers)).json() == []

    # Planning is one action: a block on the first free working day from tomorrow.
    await approved(client, world, item.id, at(2, 6), at(2, 9))  # tomorrow morning is taken
    assert (await client.post(f"/api/v1/maintenance-intervals/{service_id}/plan",
                              headers=world.farmer.headers)).status_code == 403
    assert (await client.post("/api/v1/maintenance-intervals/999999/plan",
                              headers=world.yard_north.headers)).status_code == 404
    r = await client.post(f"/api/v1/maintenance-intervals/{service_id}/plan", headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    assert r.json()["start"] == "2026-10-03T05:00:00Z" and r.json()["reason"] == "Wartung: Service"
    r = await client.post(f"/api/v1/maintenance-intervals/{service_id}/done", headers=world.yard_north.headers)
    assert r.status_code == 200 and r.json()["last_done_meter"] == 1006 and r.json()["due"] is False


async def test_weekly_digest_tells_each_yard_head_what_is_due(db_session, world, settings):
    from machinery_network.dashboards.digest import weekly_digest
    from machinery_network.machine.models import MaintenanceInterval

    item = await make_item(db_session, world)
    db_session.add(MaintenanceInterval(item_id=item.id, name="UVV-Prüfung", every_months=12,
                                       last_done_at=datetime(2025, 9, 20, tzinfo=BERLIN), created_at=NOW))
    db_session.add(MaintenanceInterval(item_id=item.id, name="Ölwechsel", every_months=12,
                                       last_done_at=datetime(2026, 5, 1, tzinfo=BERLIN), created_at=NOW))
    await db_session.flush()
    assert await weekly_digest(db_session, settings) == 1
    mail = await db_session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("Wochenübersicht%")))
    assert mail.subject.endswith("1 Wartung(en) fällig")
    assert mail.recipient_id == world.yard_north.id
    assert "ÜBERFÄLLIG Gerät hour: UVV-Prüfung, fällig am 20.09.2026" in mail.body and "Ölwechsel" not in mail.body
