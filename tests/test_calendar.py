"""iCalendar feeds per item and per farmer: the token in the URL is the only credential."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from machinery_network.bookings import calendar, service
from machinery_network.bookings.schemas import BlockCreate, BookingCreate
from machinery_network.errors import NotAllowed
from tests.test_bookings import NOW, make_item


async def test_item_and_farmer_feeds(client, db_session, world, settings, frozen):  # noqa: F811
    item = await make_item(db_session, world)
    start = NOW + timedelta(days=2)
    approved = await service.request(db_session, world.farmer.actor,
                                     BookingCreate(item_id=item.id, start=start, end=start + timedelta(hours=3)),
                                     settings)
    await service.approve(db_session, world.yard_north.actor, approved.id, settings)
    requested = await service.request(db_session, world.farmer.actor,
                                      BookingCreate(item_id=item.id, start=start + timedelta(days=1),
                                                    end=start + timedelta(days=1, hours=2)), settings)
    other = await service.request(db_session, world.farmer2.actor,
                                  BookingCreate(item_id=item.id, start=start + timedelta(days=2),
                                                end=start + timedelta(days=2, hours=2)), settings)
    block = await service.create_block(db_session, world.yard_north.actor, item.id,
                               BlockCreate(start=start + timedelta(days=5), end=start + timedelta(days=6),
                                           reason="TÜV-Prüfung"), settings)
    item_token = await calendar.item_token(db_session, world.farmer.actor, item.id)
    assert await calendar.item_token(db_session, world.farmer2.actor, item.id) == item_token  # stable
    farmer_token = await calendar.farmer_token(db_session, world.farmer.actor)
    await db_session.commit()

    r = await client.get(f"/calendar/items/{item_token}.ics")  # no login: calendar apps cannot log in
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(r.content).walk("VEVENT")
    assert [(str(e["uid"]), e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (f"booking-{approved.id}@machinery-network", start, start + timedelta(hours=3)),
        (f"block-{block.id}@machinery-network", start + timedelta(days=5), start + timedelta(days=6)),
    ]
    assert "TÜV-Prüfung" in str(events[1]["description"])
    assert world.farmer.user.name not in r.text  # the item feed names no farmer

    r = await client.get(f"/calendar/farmers/{farmer_token}.ics")
    assert r.status_code == 200
    events = Calendar.from_ical(r.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"booking-{approved.id}@machinery-network",
                                               f"booking-{requested.id}@machinery-network"]
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "TENTATIVE"]
    assert f"booking-{other.id}@" not in r.text


async def test_unknown_tokens_are_404(client, db_session, world, frozen):  # noqa: F811
    await make_item(db_session, world)
    assert (await client.get("/calendar/items/nonsense.ics")).status_code == 404
    assert (await client.get("/calendar/farmers/nonsense.ics")).status_code == 404
    assert (await client.get("/calendar/items/.ics")).status_code == 404
    assert (await client.get("/calendar/farmers/abc")).status_code == 404


async def test_only_farmers_have_a_booking_feed(db_session, world):
    with pytest.raises(NotAllowed):
        await calendar.farmer_token(db_session, world.yard_north.actor)
