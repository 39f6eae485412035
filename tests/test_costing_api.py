"""POST /api/v1/items/{id}/cost-calculation: the contract's figures, and who may ask."""

import pytest

BODY = {
    "purchase_price_cents": 12_000_000,
    "residual_value_cents": 2_400_000,
    "life_years": 12,
    "life_units": 10_000,
    "annual_units": 600,
    "interest_percent": 3,
    "insurance_cents_per_year": 80_000,
    "housing_cents_per_year": 40_000,
    "tax_cents_per_year": 0,
    "repair_percent_of_price": 80,
    "fuel_litres_per_unit": 9.5,
    "fuel_price_cents_per_litre": 150,
}


async def make_item(client, world, rate_cents=4_800):
    body = {"municipality_id": world.north.id, "name": "Traktor 120 PS", "kind": "machine", "unit": "hour",
            "rate_cents": rate_cents}
    response = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_yard_head_gets_the_tractor_figures(client, world):
    item = await make_item(client, world)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=BODY,
                                 headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    got = response.json()
    # worked by hand in test_costing_ktbl.test_tractor_by_hand
    assert (got["fixed_cents_per_year"], got["variable_cents_per_unit"], got["cost_cents_per_unit"]) == (
        1_136_000, 2_385, 4_278)
    assert got["current_rate_cents"] == 4_800
    assert got["break_even_units_per_year"] == 470.4
    assert got["operator_rate_cents"] is None


async def test_operator_wage_is_an_optional_extra(client, world):
    item = await make_item(client, world)
    body = {**BODY, "operator_wage_cents_per_hour": 2_200, "operator_overhead_percent": 60}
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=body,
                                 headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    assert response.json()["operator_rate_cents"] == 3_520
    assert response.json()["cost_cents_per_unit"] == 4_278


async def test_a_rate_below_the_variable_cost_has_no_threshold(client, world):
    item = await make_item(client, world, rate_cents=2_000)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=BODY,
                                 headers=world.yard_north.headers)
    assert response.json()["break_even_units_per_year"] is None


async def test_needs_a_login(client, world):
    item = await make_item(client, world)
    assert (await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=BODY)).status_code == 401


@pytest.mark.parametrize("who", ["farmer", "finance_north", "admin", "yard_south"])
async def test_only_the_items_yard_head(client, world, who):
    item = await make_item(client, world)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=BODY,
                                 headers=getattr(world, who).headers)
    assert response.status_code == 403
    assert response.json()["detail"]


async def test_unknown_item_is_404(client, world):
    response = await client.post("/api/v1/items/999999/cost-calculation", json=BODY, headers=world.yard_north.headers)
    assert response.status_code == 404


@pytest.mark.parametrize("change", [
    {"life_years": 0},
    {"life_units": 0},
    {"annual_units": -5},
    {"purchase_price_cents": -1},
    {"purchase_price_cents": 12.5},
    {"residual_value_cents": 12_000_001},
    {"interest_percent": 101},
    {"fuel_litres_per_unit": -1},
    {"life_years": "zwölf"},
    {"surprise": 1},
])
async def test_bad_input_is_422_with_a_reason(client, world, change):
    item = await make_item(client, world)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json={**BODY, **change},
                                 headers=world.yard_north.headers)
    assert response.status_code in (400, 422), response.text
    assert response.json()["detail"]


async def test_missing_field_is_refused(client, world):
    item = await make_item(client, world)
    body = dict(BODY)
    del body["purchase_price_cents"]
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation", json=body,
                                 headers=world.yard_north.headers)
    assert response.status_code in (400, 422)


# --- adopting a calculation as the rate -------------------------------------------------------------


async def test_yard_head_adopts_the_cost_as_the_rate_and_the_calculation_is_kept(client, world):
    item = await make_item(client, world)
    body = {**BODY, "operator_wage_cents_per_hour": 2_200, "operator_overhead_percent": 60, "note": "KTBL 2026"}
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation/adopt", json=body,
                                 headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    kept = response.json()
    assert (kept["rate_cents"], kept["cost_cents_per_unit"], kept["fixed_cents_per_year"]) == (4_278, 4_278, 1_136_000)
    assert kept["purchase_price_cents"] == 12_000_000 and kept["fuel_litres_per_unit"] == 9.5
    assert kept["operator_rate_cents"] == 3_520
    shown = (await client.get(f"/api/v1/items/{item['id']}", headers=world.farmer.headers)).json()
    assert (shown["rate_cents"], shown["operator_rate_cents"]) == (4_278, 3_520)
    # anyone signed in sees how the rate was reached
    listed = await client.get(f"/api/v1/items/{item['id']}/cost-calculations", headers=world.farmer.headers)
    assert listed.status_code == 200
    assert [(c["id"], c["rate_cents"], c["note"]) for c in listed.json()] == [(kept["id"], 4_278, "KTBL 2026")]


async def test_a_rounded_rate_may_be_adopted(client, world):
    item = await make_item(client, world)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation/adopt",
                                 json={**BODY, "rate_cents": 4_300}, headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    assert (response.json()["rate_cents"], response.json()["cost_cents_per_unit"]) == (4_300, 4_278)


@pytest.mark.parametrize("who", ["farmer", "finance_north", "admin", "yard_south"])
async def test_only_the_items_yard_head_adopts(client, world, db_session, who):
    item = await make_item(client, world)
    response = await client.post(f"/api/v1/items/{item['id']}/cost-calculation/adopt", json=BODY,
                                 headers=getattr(world, who).headers)
    assert response.status_code == 403
    assert (await client.get(f"/api/v1/items/{item['id']}/cost-calculations",
                             headers=world.farmer.headers)).json() == []
    assert (await client.get(f"/api/v1/items/{item['id']}", headers=world.farmer.headers)).json()["rate_cents"] == 4_800


async def test_adoption_refusals_write_nothing(client, world):
    item = await make_item(client, world)
    url = f"/api/v1/items/{item['id']}/cost-calculation/adopt"
    h = world.yard_north.headers
    assert (await client.post(url, json={**BODY, "valid_from": "2999-01-01"}, headers=h)).status_code == 422
    assert (await client.post(url, json={**BODY, "life_units": 0}, headers=h)).status_code in (400, 422)
    assert (await client.post("/api/v1/items/999999/cost-calculation/adopt", json=BODY, headers=h)).status_code == 404
    assert (await client.post(url, json=BODY)).status_code == 401
    assert (await client.get(f"/api/v1/items/{item['id']}/cost-calculations")).status_code == 401
    assert (await client.get("/api/v1/items/999999/cost-calculations", headers=h)).status_code == 404
    assert (await client.get(f"/api/v1/items/{item['id']}/cost-calculations", headers=h)).json() == []
    assert (await client.get(f"/api/v1/items/{item['id']}", headers=h)).json()["rate_cents"] == 4_800


async def test_a_rate_cannot_take_effect_before_the_last_calculation(client, world):
    item = await make_item(client, world)
    url = f"/api/v1/items/{item['id']}/cost-calculation/adopt"
    h = world.yard_north.headers
    first = await client.post(url, json=BODY, headers=h)
    assert first.status_code == 201, first.text
    earlier = await client.post(url, json={**BODY, "valid_from": "2025-06-01", "rate_cents": 5_000}, headers=h)
    assert earlier.status_code == 422
    assert first.json()["valid_from"] in earlier.json()["detail"]


async def test_kept_calculations_cannot_be_rewritten(client, world, db_session):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    item = await make_item(client, world)
    kept = (await client.post(f"/api/v1/items/{item['id']}/cost-calculation/adopt", json=BODY,
                              headers=world.yard_north.headers)).json()
    for statement in ("UPDATE cost_calculations SET rate_cents = 1 WHERE id = :id",
                      "DELETE FROM cost_calculations WHERE id = :id"):
        with pytest.raises(DBAPIError, match="kept"):
            async with db_session.begin_nested():
                await db_session.execute(text(statement), {"id": kept["id"]})
    with pytest.raises(DBAPIError, match="ck_cost_calculations_residual_within_price"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                "INSERT INTO cost_calculations (item_id, valid_from, purchase_price_cents, residual_value_cents,"
                " life_years, life_units, annual_units, interest_percent, insurance_cents_per_year,"
                " housing_cents_per_year, tax_cents_per_year, repair_percent_of_price, fuel_litres_per_unit,"
                " fuel_price_cents_per_litre, operator_overhead_percent, fixed_cents_per_year,"
                " variable_cents_per_unit, cost_cents_per_unit, rate_cents)"
                " VALUES (:item, '2026-01-01', 100, 200, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)"),
                {"item": item["id"]})
