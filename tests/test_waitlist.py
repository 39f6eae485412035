"""Issue #18, the waiting list: wait for a taken period, the offer when it frees up, accepting it, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from machinery_network.bookings import service, waitlist
from machinery_network.bookings.models import Booking, Occupancy
from machinery_network.bookings.schemas import BlockCreate
from machinery_network.notifications.models import OutboxMessage
from tests.test_bookings import at, make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)


async def approved(client, world, item, start, end, person=None) -> dict:
    r = await request(client, person or world.farmer, item.id, start, end)
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/bookings/{r.json()['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def wait(client, person, item, start, end) -> dict:
    r = await request(client, person, item.id, start, end, waitlist=True)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "waiting"
    return r.json()


async def show(client, person, booking_id) -> dict:
    r = await client.get(f"/api/v1/bookings/{booking_id}", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_wait_then_offer_on_cancel_then_accept(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    taken = await approved(client, world, item, at(5, 8), at(5, 12))
    # Without waitlist: 409 as before.
    assert (await request(client, world.farmer2, item.id, at(5, 9), at(5, 11))).status_code == 409
    first = await wait(client, world.farmer2, item, at(5, 9), at(5, 11))
    shown = await show(client, world.farmer2, first["id"])
    assert shown["status"] == "waiting" and shown["offer_expires_at"] is None

    r = await client.post(f"/api/v1/bookings/{taken['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    offered = await show(client, world.farmer2, first["id"])
    assert offered["status"] == "offered"
    assert datetime.fromisoformat(offered["offer_expires_at"]) == NOW + timedelta(hours=4)
    # The hold is an occupancy: nobody else can take the period meanwhile.
    assert await db_session.scalar(select(func.count()).select_from(Occupancy).where(
        Occupancy.booking_id == first["id"])) == 1
    r = await request(client, world.farmer, item.id, at(5, 10), at(5, 11))
    assert r.status_code == 409, r.text
    mails = list(await db_session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.recipient_id == world.farmer2.user.id)))
    assert any("Warteliste" in subject for subject in mails)

    # Refusals: not his, not a farmer, unknown, not logged in.
    url = f"/api/v1/bookings/{first['id']}/accept-offer"
    assert (await client.post(url)).status_code == 401
    assert (await client.post(url, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(url, headers=world.yard_north.headers)).status_code == 403
    assert (await client.post("/api/v1/bookings/999999/accept-offer",
                              headers=world.farmer2.headers)).status_code == 404
    r = await client.post(url, headers=world.farmer2.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["approved_rate_cents"] == 4800
    # Twice: no longer an offer.
    r = await client.post(url, headers=world.farmer2.headers)
    assert r.status_code == 409 and r.json()["status_code"] == 409


async def test_first_waiting_that_fits_gets_the_offer_in_order(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    taken = await approved(client, world, item, at(5, 8), at(5, 12))
    blocker = await approved(client, world, item, at(5, 14), at(5, 16), person=world.farmer)
    # The first waiter also needs 14-16, which stays taken: the second one (8-12) is offered.
    first = await wait(client, world.farmer2, item, at(5, 10), at(5, 15))
    second = await wait(client, world.farmer2, item, at(5, 8), at(5, 12))
    third = await wait(client, world.farmer2, item, at(5, 9), at(5, 10))
    r = await client.post(f"/api/v1/bookings/{taken['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    statuses = [(await show(client, world.farmer2, b["id"]))["status"] for b in (first, second, third)]
    assert statuses == ["waiting", "offered", "waiting"]
    assert blocker["status"] == "approved"


async def test_accepting_an_expired_offer_is_refused_and_the_job_passes_it_on(
    client, db_session, world, frozen, settings
):
    item = await make_item(db_session, world)
    taken = await approved(client, world, item, at(5, 8), at(5, 12))
    first = await wait(client, world.farmer2, item, at(5, 8), at(5, 10))
    second = await wait(client, world.farmer, item, at(5, 9), at(5, 11))
    assert (await client.post(f"/api/v1/bookings/{taken['id']}/cancel",
                              headers=world.farmer.headers)).status_code == 200
    assert (await show(client, world.farmer2, first["id"]))["status"] == "offered"
    frozen.move(NOW + timedelta(hours=4, minutes=1))
    r = await client.post(f"/api/v1/bookings/{first['id']}/accept-offer", headers=world.farmer2.headers)
    assert r.status_code == 409, r.text
    assert await waitlist.expire_offers(db_session, settings) == 1
    await db_session.commit()
    assert (await show(client, world.farmer2, first["id"]))["status"] == "expired"
    passed = await show(client, world.farmer, second["id"])
    assert passed["status"] == "offered"
    r = await client.post(f"/api/v1/bookings/{second['id']}/accept-offer", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    # Nothing left to expire.
    assert await waitlist.expire_offers(db_session, settings) == 0


async def test_a_removed_block_offers_the_period_and_waiting_can_be_cancelled(client, db_session, world, frozen,
                                                                                 settings):
    item = await make_item(db_session, world)
    block = await service.create_block(
        db_session, world.yard_north.actor, item.id,
        BlockCreate(start=datetime.fromisoformat(at(6, 0)), end=datetime.fromisoformat(at(7, 0)), reason="Reparatur"),
        settings,
    )
    await db_session.commit()
    waiting = await wait(client, world.farmer, item, at(6, 8), at(6, 12))
    other = await wait(client, world.farmer2, item, at(6, 13), at(6, 15))
    r = await client.post(f"/api/v1/bookings/{other['id']}/cancel", headers=world.farmer2.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    await service.remove_block(db_session, world.yard_north.actor, block.id, settings)
    await db_session.commit()
    assert (await show(client, world.farmer, waiting["id"]))["status"] == "offered"
    assert (await show(client, world.farmer2, other["id"]))["status"] == "cancelled"
    # Cancelling the offer frees the hold.
    r = await client.post(f"/api/v1/bookings/{waiting['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    assert await db_session.scalar(select(func.count()).select_from(Occupancy).where(
        Occupancy.item_id == item.id)) == 0
    assert await db_session.scalar(select(func.count()).select_from(Booking).where(
        Booking.item_id == item.id, Booking.status == "offered")) == 0


async def test_waitlist_over_a_free_period_is_an_ordinary_request(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    r = await request(client, world.farmer, item.id, at(5, 8), at(5, 12), waitlist=True)
    assert r.status_code == 201 and r.json()["status"] == "requested"
    r = await request(client, world.farmer, item.id, at(5, 8), at(5, 12), waitlist="yes please")
    assert r.status_code == 422
