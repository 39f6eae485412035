"""Contract partners: registration by staff, by approval and assignment (database triggers), and the
rule that only partners can be charged or credited by a municipality."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from machinery_network.accounts.models import Role
from machinery_network.mandates import partners
from tests.conftest import make_person
from tests.test_bookings import make_item, request

NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")  # the one frozen clock (conftest), at NOW


@pytest.fixture
async def stranger(db_session):
    person = await make_person(db_session, Role.farmer, "Sebastian Fremd", iban="DE02120300000000202051")
    await db_session.commit()
    return person


def _adjustment(world, amount=50000):
    return {"municipality_id": world.north.id, "value_date": "2026-11-02", "amount_cents": amount,
            "reason": "Schaden am Mulcher"}


async def test_staff_register_a_partner_201_then_200(client, db_session, world, stranger):
    path = f"/api/v1/municipalities/{world.north.id}/partners"
    first = await client.post(path, json={"farmer_id": stranger.id}, headers=world.yard_north.headers)
    assert first.status_code == 201, first.text
    assert first.json()["farmer_id"] == stranger.id and first.json()["how"] == "registered"
    again = await client.post(path, json={"farmer_id": stranger.id}, headers=world.finance_north.headers)
    assert again.status_code == 200 and again.json()["since"] == first.json()["since"]
    assert await partners.is_partner(db_session, world.north.id, stranger.id)
    assert not await partners.is_partner(db_session, world.south.id, stranger.id)
    listed = await client.get(path, headers=world.admin.headers)
    assert stranger.id in [p["farmer_id"] for p in listed.json()]


async def test_register_partner_refusals(client, world, stranger):
    path = f"/api/v1/municipalities/{world.north.id}/partners"
    body = {"farmer_id": stranger.id}
    assert (await client.post(path, json=body, headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(path, json=body, headers=world.finance_south.headers)).status_code == 403
    assert (await client.post(path, json=body, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(path, json=body)).status_code == 401
    assert (await client.post(path, json={"farmer_id": world.yard_north.id},
                              headers=world.admin.headers)).status_code == 422
    assert (await client.post(path, json={"farmer_id": 999999}, headers=world.admin.headers)).status_code == 404
    assert (await client.post("/api/v1/municipalities/999999/partners", json=body,
                              headers=world.admin.headers)).status_code == 404
    assert (await client.get(path, headers=world.yard_south.headers)).status_code == 403


async def test_non_partner_cannot_be_charged_or_credited(client, db_session, world, stranger):
    path = f"/api/v1/accounts/{stranger.id}/adjustments"
    for person, amount in ((world.yard_north, 50000), (world.finance_north, -50000)):
        refused = await client.post(path, json=_adjustment(world, amount), headers=person.headers)
        assert refused.status_code == 403, refused.text
    count = await db_session.scalar(text("SELECT count(*) FROM ledger_entries WHERE farmer_id = :f"),
                                    {"f": stranger.id})
    assert count == 0
    await client.post(f"/api/v1/municipalities/{world.north.id}/partners", json={"farmer_id": stranger.id},
                      headers=world.finance_north.headers)
    allowed = await client.post(path, json=_adjustment(world), headers=world.yard_north.headers)
    assert allowed.status_code == 201, allowed.text


async def test_database_refuses_an_entry_for_a_non_partner(db_session, world, stranger):
    with pytest.raises(IntegrityError, match="fk_ledger_entries_partner"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
                " vat_cents, vat_percent, text, created_at) VALUES (:f, :m, '2026-11-02', 'adjustment', 100, 100,"
                " 0, 0, 'x', now())"), {"f": stranger.id, "m": world.north.id})


async def test_approval_makes_the_farmer_a_partner(client, db_session, world, stranger):
    item = await make_item(db_session, world)
    start = NOW + timedelta(days=3)
    booking = await request(client, stranger, item.id, start.isoformat(), (start + timedelta(hours=2)).isoformat())
    assert booking.status_code == 201, booking.text
    assert not await partners.is_partner(db_session, world.north.id, stranger.id)  # a request is not enough
    approved = await client.post(f"/api/v1/bookings/{booking.json()['id']}/approve",
                                 headers=world.yard_north.headers)
    assert approved.status_code == 200, approved.text
    assert await partners.is_partner(db_session, world.north.id, stranger.id)
    assert not await partners.is_partner(db_session, world.south.id, stranger.id)
    how = await db_session.scalar(text("SELECT how FROM partners WHERE farmer_id = :f"), {"f": stranger.id})
    assert how == "booking"


async def test_section_assignment_makes_the_farmer_a_partner(client, db_session, world, stranger):
    from tests.test_care_api import make_section

    section = await make_section(client, world)
    r = await client.post(f"/api/v1/sections/{section['id']}/assignments",
                          json={"farmer_id": stranger.id, "valid_from": "2026-11-01"},
                          headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    assert stranger.id in await partners.partner_ids(db_session, world.north.id)
    assert stranger.id not in await partners.partner_ids(db_session, world.south.id)


async def test_partner_ids_query_filters_lists(db_session, world, stranger):
    from sqlalchemy import select

    from machinery_network.accounts.models import User

    ids = set(await db_session.scalars(select(User.id).where(User.id.in_(partners.partner_ids_query(world.north.id)))))
    assert {world.farmer.id, world.farmer2.id} <= ids and stranger.id not in ids
