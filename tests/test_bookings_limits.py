"""Issue #11, bookings and catalogue: each attack, refused (4xx) or harmless, and nothing written."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from machinery_network.bookings.models import Booking
from machinery_network.catalogue.models import Item, ItemRate
from machinery_network.ledger.models import LedgerEntry
from machinery_network.schemas import Name, Reason
from tests.test_bookings import BERLIN, NOW, at, make_item, request  # noqa: F401  (NOW: the frozen clock's start)


async def count(db_session, model, *where) -> int:
    return await db_session.scalar(select(func.count()).select_from(model).where(*where))


async def approved(client, world, item, start, end, **extra) -> dict:
    r = await request(client, world.farmer, item.id, start, end, **extra)
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/bookings/{r.json()['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def complete(client, world, booking_id, **body):
    return await client.post(f"/api/v1/bookings/{booking_id}/complete", json=body, headers=world.yard_north.headers)


# --- prices fixed at approval ----------------------------------------------------------------------


async def test_rate_raised_100x_after_approval_charges_the_approved_rate(client, db_session, world, frozen):
    item = await make_item(db_session, world, rate=4800, vat=19)
    booking = await approved(client, world, item, at(5, 8), at(5, 11, 30))
    assert (booking["approved_rate_cents"], booking["approved_vat_percent"]) == (4800, 19)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"rate_cents": 480000, "vat_percent": 7},
                           headers=world.yard_north.headers)
    assert r.status_code == 200, r.text

    shown = (await client.get(f"/api/v1/bookings/{booking['id']}", headers=world.yard_north.headers)).json()
    assert shown["approved_rate_cents"] == 4800  # the yard head sees both
    assert shown["current_rates"] == {"rate_cents": 480000, "operator_rate_cents": None, "vat_percent": 7}

    frozen.move(datetime(2026, 10, 5, 12, 0, tzinfo=BERLIN))
    r = await complete(client, world, booking["id"], quantity="3.5")
    assert r.status_code == 200, r.text
    # 3,5 h × 48,00 € = 168,00 + 19 % = 199,92, not 19.992,00 € at the raised rate
    assert r.json()["charge_cents"] == 19992
    entry = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == booking["id"]))
    assert entry.amount_cents == 19992
    assert entry.vat_percent == Decimal(19)

    # A request approved after the change gets the new rates.
    later = await approved(client, world, item, at(6, 8), at(6, 9))
    assert (later["approved_rate_cents"], later["approved_vat_percent"]) == (480000, 7)


async def test_rate_history_is_kept_with_valid_from(client, db_session, world, frozen):
    item = await make_item(db_session, world, rate=4800)
    headers = world.yard_north.headers
    frozen.move(datetime(2026, 10, 10, 9, 0, tzinfo=BERLIN))
    r = await client.patch(f"/api/v1/items/{item.id}", json={"rate_cents": 5000, "valid_from": "2026-10-05"},
                           headers=headers)
    assert r.status_code == 200, r.text
    r = await client.patch(f"/api/v1/items/{item.id}", json={"rate_cents": 5200}, headers=headers)
    assert r.status_code == 200, r.text
    history = (await client.get(f"/api/v1/items/{item.id}/rates", headers=headers)).json()
    assert [(h["valid_from"], h["rate_cents"]) for h in history] == [
        ("2026-10-01", 4800), ("2026-10-05", 5000), ("2026-10-10", 5200),
    ]
    # Not in the future, not before the last change; nothing written then.
    for body in ({"rate_cents": 1, "valid_from": "2026-10-20"}, {"rate_cents": 1, "valid_from": "2026-10-07"}):
        r = await client.patch(f"/api/v1/items/{item.id}", json=body, headers=headers)
        assert r.status_code == 422 and r.json()["extra"]["field"] == "valid_from", r.text
    await db_session.rollback()
    assert await count(db_session, ItemRate, ItemRate.item_id == item.id) == 3
    assert (await db_session.get(Item, item.id, populate_existing=True)).rate_cents == 5200


# --- bounded quantities ----------------------------------------------------------------------------


async def test_a_million_hours_on_a_three_hour_booking_is_refused_and_nothing_written(
    client, db_session, world, frozen
):
    item = await make_item(db_session, world, rate=4800, operator=3500)
    booking = await approved(client, world, item, at(5, 8), at(5, 11), with_operator=True)
    frozen.move(datetime(2026, 10, 5, 12, 0, tzinfo=BERLIN))
    for body in ({"quantity": 1000000}, {"quantity": "3.01"}):
        r = await complete(client, world, booking["id"], **body)
        assert r.status_code == 422, r.text
        assert r.json()["extra"]["limit"] == 3 and "3" in r.json()["detail"]
    r = await complete(client, world, booking["id"], quantity=3, with_operator_hours=1000)
    assert r.status_code == 422 and r.json()["extra"]["limit"] == 3, r.text
    await db_session.rollback()
    assert await count(db_session, LedgerEntry) == 0
    assert (await db_session.get(Booking, booking["id"])).status == "approved"
    r = await complete(client, world, booking["id"], quantity=3)
    assert r.status_code == 200 and r.json()["operator_hours"] == 3, r.text


async def test_day_unit_is_bounded_by_days_touched(client, db_session, world, frozen):
    item = await make_item(db_session, world, unit="day", rate=15000)
    booking = await approved(client, world, item, at(5, 8), at(6, 12))  # touches 2 days
    frozen.move(datetime(2026, 10, 6, 13, 0, tzinfo=BERLIN))
    r = await complete(client, world, booking["id"], quantity=3)
    assert r.status_code == 422 and r.json()["extra"]["limit"] == 2, r.text
    assert (await complete(client, world, booking["id"], quantity=2)).status_code == 200


@pytest.mark.parametrize(("expected", "max_quantity", "limit"), [("10", None, 20), (None, None, 1000), ("10", "50", 50)])
async def test_hectare_bounded_by_expected_or_item_limit(client, db_session, world, frozen, expected, max_quantity,
                                                         limit):
    item = await make_item(db_session, world, unit="hectare", rate=2250)
    if max_quantity is not None:
        r = await client.patch(f"/api/v1/items/{item.id}", json={"max_quantity": max_quantity},
                               headers=world.yard_north.headers)
        assert r.status_code == 200 and r.json()["max_quantity"] == int(max_quantity), r.text
    extra = {"expected_quantity": expected} if expected else {}
    booking = await approved(client, world, item, at(5, 8), at(5, 12), **extra)
    frozen.move(datetime(2026, 10, 5, 13, 0, tzinfo=BERLIN))
    r = await complete(client, world, booking["id"], quantity=limit + 1)
    assert r.status_code == 422 and r.json()["extra"]["limit"] == limit, r.text
    assert (await complete(client, world, booking["id"], quantity=limit)).status_code == 200


async def test_item_operator_hours_cap(client, db_session, world, frozen):
    item = await make_item(db_session, world, unit="hectare", rate=2250, operator=3000)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"max_operator_hours": 2},
                           headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    booking = await approved(client, world, item, at(5, 8), at(5, 12), with_operator=True, expected_quantity="5")
    frozen.move(datetime(2026, 10, 5, 13, 0, tzinfo=BERLIN))
    r = await complete(client, world, booking["id"], quantity=5, with_operator_hours="2.5")
    assert r.status_code == 422 and r.json()["extra"]["limit"] == 2, r.text
    assert (await complete(client, world, booking["id"], quantity=5, with_operator_hours=2)).status_code == 200


# --- VAT rates and names ---------------------------------------------------------------------------


async def test_vat_outside_the_network_rates_is_refused(client, db_session, world):
    body = {"municipality_id": world.north.id, "name": "Mulcher", "kind": "machine", "unit": "hour",
            "rate_cents": 4800}
    headers = world.yard_north.headers
    r = await client.post("/api/v1/items", json={**body, "vat_percent": 16.5}, headers=headers)
    assert r.status_code == 422 and "19" in r.text, r.text
    assert await count(db_session, Item) == 0
    r = await client.post("/api/v1/items", json={**body, "vat_percent": 7}, headers=headers)
    assert r.status_code == 201, r.text
    item_id = r.json()["id"]
    r = await client.patch(f"/api/v1/items/{item_id}", json={"vat_percent": 16.5}, headers=headers)
    assert r.status_code == 422, r.text
    r = await client.patch(f"/api/v1/items/{item_id}", json={"vat_percent": 19}, headers=headers)
    assert r.status_code == 200 and r.json()["vat_percent"] == 19


@pytest.mark.parametrize("name", ["Mulcher\nBcc: x@example.org", "Mul\rcher", "Tab\there", "Nul\x00", "Del\x7f",
                                  "Line\u2028sep"])
async def test_names_with_control_characters_are_refused(client, db_session, world, name):
    body = {"municipality_id": world.north.id, "name": name, "kind": "machine", "unit": "hour", "rate_cents": 1}
    r = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert r.status_code == 422, r.text
    assert await count(db_session, Item) == 0
    item = await make_item(db_session, world)
    r = await client.patch(f"/api/v1/items/{item.id}", json={"name": name}, headers=world.yard_north.headers)
    assert r.status_code == 422, r.text
    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python(name)


def test_the_name_type_keeps_ordinary_names_and_reasons_keep_lines():
    assert TypeAdapter(Name).validate_python("  Kehrmaschine „Straße“ 2 ") == "Kehrmaschine „Straße“ 2"
    assert TypeAdapter(Reason).validate_python("Wartung\nÖlwechsel\tHydraulik") == "Wartung\nÖlwechsel\tHydraulik"


# --- extreme datetimes -----------------------------------------------------------------------------

EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00+01:00"]


@pytest.mark.parametrize("extreme", EXTREMES)
async def test_extreme_datetimes_give_422_never_500(client, db_session, world, frozen, extreme):
    item = await make_item(db_session, world)
    for start, end in ((extreme, at(5, 8)), (at(5, 8), extreme)):
        r = await request(client, world.farmer, item.id, start, end)
        assert r.status_code == 422, r.text
        r = await client.get("/api/v1/bookings/estimate", headers=world.farmer.headers,
                             params={"item_id": item.id, "start": start, "end": end})
        assert r.status_code == 422, r.text
        r = await client.post(f"/api/v1/items/{item.id}/blocks", json={"start": start, "end": end, "reason": "x"},
                              headers=world.yard_north.headers)
        assert r.status_code == 422, r.text
        r = await client.get(f"/api/v1/items/{item.id}/availability", params={"from": start, "to": end},
                             headers=world.farmer.headers)
        assert r.status_code == 422, r.text
    await db_session.rollback()
    assert await count(db_session, Booking) == 0


@pytest.mark.parametrize("table", ["bookings", "blocks", "occupancies"])
async def test_the_database_refuses_infinite_and_absurd_periods(db_session, world, table):
    item = await make_item(db_session, world)
    columns = {
        "bookings": "item_id, farmer_id, start_at, end_at, with_operator, status, created_at",
        "blocks": "item_id, start_at, end_at, reason, created_at",
        "occupancies": "item_id, start_at, end_at, block_id",
    }[table]
    values = {
        "bookings": ":item, :farmer, {start}, {end}, false, 'requested', now()",
        "blocks": ":item, {start}, {end}, 'x', now()",
        "occupancies": ":item, {start}, {end}, :block",
    }[table]
    block = await db_session.scalar(text(
        "INSERT INTO blocks (item_id, start_at, end_at, reason, created_at) "
        "VALUES (:item, now(), now() + interval '1 hour', 'x', now()) RETURNING id"), {"item": item.id})
    for start, end in (("'-infinity'", "now()"), ("now()", "'infinity'"), ("'0001-01-01'", "now()"),
                       ("now()", "'9999-01-01'")):
        with pytest.raises(DBAPIError):
            async with db_session.begin_nested():
                await db_session.execute(
                    text(f"INSERT INTO {table} ({columns}) VALUES ({values.format(start=start, end=end)})"),
                    {"item": item.id, "farmer": world.farmer.id, "block": block},
                )
