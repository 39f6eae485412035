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
