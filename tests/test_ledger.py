"""A farmer's account: sign rules, adjustments and reversals through the API, and every refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.settlement import service as settlement
from tests.test_settlement import adjust, charge, credit

# 5 November 2026, noon in Berlin: October has ended, November has not.
NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")


def _adjustment(world, municipality=None, **overrides):
    body = {"municipality_id": (municipality or world.north).id, "value_date": "2026-10-12",
            "amount_cents": 2500, "reason": "Schaden am Mähwerk"}
    return {**body, **overrides}


async def test_balance_signs_charges_positive_credits_negative(client, db_session, world):
    await charge(db_session, world.farmer, world.north, date(2026, 10, 2), 2, 4000, 19)  # 80,00 + 15,20 = 95,20
    await credit(db_session, world.farmer, world.north, date(2026, 10, 3), 400, 20)  # 400 m × 0,20 = 80,00
    await adjust(db_session, world.finance_north, world.farmer, world.north, date(2026, 10, 4), -1000)
    await charge(db_session, world.farmer, world.south, date(2026, 10, 2), 1, 5000)  # other municipality
    await db_session.commit()

    response = await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                                headers=world.farmer.headers)
    assert response.status_code == 200
    body = response.json()
    assert [e["amount_cents"] for e in body["entries"]] == [9520, -8000, -1000]
    assert [e["kind"] for e in body["entries"]] == ["charge", "credit", "adjustment"]
    assert body["balance_cents"] == 9520 - 8000 - 1000 == 520
    assert all(e["settlement_id"] is None for e in body["entries"])
    assert body["entries"][0]["net_cents"] == 8000 and body["entries"][0]["vat_cents"] == 1520

    # the farmer himself without a municipality: all his accounts
    everything = (await client.get(f"/api/v1/accounts/{world.farmer.id}", headers=world.farmer.headers)).json()
    assert everything["balance_cents"] == 520 + 5000 and len(everything["entries"]) == 4
    # staff without a municipality: their own
    south = (await client.get(f"/api/v1/accounts/{world.farmer.id}", headers=world.yard_south.headers)).json()
    assert south["balance_cents"] == 5000 and south["municipality_id"] == world.south.id

    s = (await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
    await db_session.commit()
    after = (await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                              headers=world.finance_north.headers)).json()
    assert {e["settlement_id"] for e in after["entries"]} == {s.id}
    assert after["balance_cents"] == 520 and after["unsettled_cents"] == 0
    line = (await settlement.get_settlement(db_session, SYSTEM, date(2026, 10, 1), world.north.id))[1][0]
    assert (line.charges_cents, line.credits_cents, line.net_cents) == (9520, 9000, 520)


async def test_adjustment_by_yard_head_and_finance(client, world):
    response = await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", json=_adjustment(world),
                                 headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["kind"], entry["amount_cents"], entry["reason"]) == ("adjustment", 2500, "Schaden am Mähwerk")
    assert entry["value_date"] == "2026-10-12" and entry["settlement_id"] is None
    response = await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments",
                                 json=_adjustment(world, amount_cents=-700), headers=world.finance_north.headers)
    assert response.status_code == 201
    account = (await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                                headers=world.farmer.headers)).json()
    assert account["balance_cents"] == 1800


async def test_adjustment_refusals(client, db_session, world):
    path = f"/api/v1/accounts/{world.farmer.id}/adjustments"
    assert (await client.post(path, json=_adjustment(world))).status_code == 401
    for person in (world.farmer, world.farmer2, world.yard_south, world.finance_south, world.admin):
        response = await client.post(path, json=_adjustment(world), headers=person.headers)
        assert response.status_code == 403, person.user.name
    response = await client.post("/api/v1/accounts/999999/adjustments", json=_adjustment(world),
                                 headers=world.yard_north.headers)
    assert response.status_code == 404
    response = await client.post(f"/api/v1/accounts/{world.yard_south.id}/adjustments", json=_adjustment(world),
                                 headers=world.yard_north.headers)
    assert response.status_code == 422  # not a farmer
    bad = [
        {"amount_cents": 0},
        {"amount_cents": 12.5},
        {"amount_cents": "100"},
        {"reason": "x" * 2001},
        {"reason": "   "},
        {"value_date": "2026-02-30"},
        {"value_date": "gestern"},
        {"municipality_id": 0},
        {"unknown": 1},
    ]
    for override in bad:
        response = await client.post(path, json=_adjustment(world, **override), headers=world.yard_north.headers)
        assert response.status_code == 422, override
    body = _adjustment(world)
    del body["reason"]
    assert (await client.post(path, json=body, headers=world.yard_north.headers)).status_code == 422
    # nothing was written by any refused call
    account = (await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                                headers=world.finance_north.headers)).json()
    assert account["entries"] == [] and account["balance_cents"] == 0
    # the limit itself is fine
    response = await client.post(path, json=_adjustment(world, reason="x" * 2000), headers=world.yard_north.headers)
    assert response.status_code == 201


async def test_account_refusals(client, world):
    path = f"/api/v1/accounts/{world.farmer.id}"
    params = {"municipality_id": world.north.id}
    assert (await client.get(path, params=params)).status_code == 401
    assert (await client.get(path, params=params, headers=world.farmer2.headers)).status_code == 403
    assert (await client.get(path, params=params, headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(path, params=params, headers=world.finance_south.headers)).status_code == 403
    assert (await client.get(path, params=params, headers=world.yard_north.headers)).status_code == 200
    assert (await client.get(path, params=params, headers=world.admin.headers)).status_code == 200
    assert (await client.get("/api/v1/accounts/999999", params=params,
                             headers=world.finance_north.headers)).status_code == 404
    assert (await client.get(path, params={"municipality_id": 999999},
                             headers=world.admin.headers)).status_code == 404


async def test_reversal_negates_once_and_lands_in_the_next_open_month(client, db_session, world):
    original = await charge(db_session, world.farmer, world.north, date(2026, 9, 10), 3, 3333, 19)
    await db_session.commit()
    assert original.amount_cents == 11899  # 99,99 + 19 % = 118,9881 → 118,99 € (half-up)
    sep = (await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())).settlement
    await db_session.commit()

    path = f"/api/v1/accounts/{world.farmer.id}/entries/{original.id}/reverse"
    body = {"value_date": "2026-09-10", "reason": "falsches Gerät erfasst"}
    assert (await client.post(path, json=body)).status_code == 401
    for person in (world.farmer, world.yard_south, world.finance_south):
        assert (await client.post(path, json=body, headers=person.headers)).status_code == 403
    wrong_farmer = f"/api/v1/accounts/{world.farmer2.id}/entries/{original.id}/reverse"
    assert (await client.post(wrong_farmer, json=body, headers=world.yard_north.headers)).status_code == 404
    unknown = f"/api/v1/accounts/{world.farmer.id}/entries/999999/reverse"
    assert (await client.post(unknown, json=body, headers=world.yard_north.headers)).status_code == 404
    too_long = {**body, "reason": "x" * 2001}
    assert (await client.post(path, json=too_long, headers=world.yard_north.headers)).status_code == 422

    response = await client.post(path, json=body, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    reversal = response.json()
    assert (reversal["kind"], reversal["amount_cents"], reversal["net_cents"], reversal["vat_cents"]) == (
        "reversal", -11899, -9999, -1900)
    assert reversal["reverses_entry_id"] == original.id
    assert (await client.post(path, json=body, headers=world.finance_north.headers)).status_code == 409
    again = f"/api/v1/accounts/{world.farmer.id}/entries/{reversal['id']}/reverse"
    assert (await client.post(again, json=body, headers=world.yard_north.headers)).status_code == 409

    # September stays as it was; the reversal (dated in September) is October's business
    assert (await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())).settlement.id == sep.id
    assert sep.total_net_cents == 11899
    oct_ = (await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
    # the reversal of a charge lowers the charges column (by kind, not by sign): it is no credit
    assert (oct_.entry_count, oct_.total_charges_cents, oct_.total_credits_cents, oct_.total_net_cents) == (
        1, -11899, 0, -11899)
    account = (await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                                headers=world.farmer.headers)).json()
    assert account["balance_cents"] == 0
