"""Catalogue API: who may do what, and bad input that writes nothing."""

import pytest
from sqlalchemy import func, select

from machinery_network.catalogue.models import Item


def item_body(world, **overrides):
    body = {
        "municipality_id": world.north.id,
        "name": "Traktor 120 PS mit Mulcher",
        "kind": "machine",
        "unit": "hour",
        "rate_cents": 4800,
        "operator_rate_cents": 3900,
        "vat_percent": 19,
    }
    body.update(overrides)
    return body


async def count_items(db_session) -> int:
    return await db_session.scalar(select(func.count()).select_from(Item))


async def test_yard_head_creates_an_item_for_his_municipality(client, world):
    response = await client.post("/api/v1/items", json=item_body(world), headers=world.yard_north.headers)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["id"] > 0
    assert (item["rate_cents"], item["operator_rate_cents"], item["vat_percent"]) == (4800, 3900, 19)

    listed = await client.get("/api/v1/items", headers=world.farmer.headers)
    assert [i["id"] for i in listed.json()] == [item["id"]]


async def test_vat_defaults_to_zero(client, world):
    body = item_body(world)
    del body["vat_percent"]
    response = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert response.status_code == 201
    assert response.json()["vat_percent"] == 0


async def test_items_filter_by_municipality_and_kind(client, world):
    await client.post("/api/v1/items", json=item_body(world), headers=world.yard_north.headers)
    await client.post("/api/v1/items", json=item_body(world, name="Kolonne", kind="service",
                                                       operator_rate_cents=None), headers=world.yard_north.headers)
    await client.post("/api/v1/items", json=item_body(world, municipality_id=world.south.id, name="Walze"),
                      headers=world.yard_south.headers)
    h = world.farmer.headers
    assert len((await client.get("/api/v1/items", headers=h)).json()) == 3
    south = (await client.get(f"/api/v1/items?municipality_id={world.south.id}", headers=h)).json()
    assert [i["name"] for i in south] == ["Walze"]
    services = (await client.get("/api/v1/items?kind=service", headers=h)).json()
    assert [i["name"] for i in services] == ["Kolonne"]
    assert (await client.get("/api/v1/items?kind=rocket", headers=h)).status_code in (400, 422)


async def test_catalogue_needs_a_login(client, world):
    assert (await client.get("/api/v1/items")).status_code == 401
    assert (await client.post("/api/v1/items", json=item_body(world))).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    response = await client.get("/api/v1/items", headers=bad)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("who", ["farmer", "finance_north", "admin", "yard_south"])
async def test_only_the_yard_head_of_that_municipality_creates_items(client, world, db_session, who):
    response = await client.post("/api/v1/items", json=item_body(world), headers=getattr(world, who).headers)
    assert response.status_code == 403
    assert response.json()["status_code"] == 403
    assert await count_items(db_session) == 0


async def test_yard_head_of_another_municipality_cannot_edit(client, world):
    created = (await client.post("/api/v1/items", json=item_body(world), headers=world.yard_north.headers)).json()
    response = await client.patch(f"/api/v1/items/{created['id']}", json={"rate_cents": 1},
                                  headers=world.yard_south.headers)
    assert response.status_code == 403
    mine = await client.patch(f"/api/v1/items/{created['id']}", json={"rate_cents": 5000},
                              headers=world.yard_north.headers)
    assert mine.status_code == 200 and mine.json()["rate_cents"] == 5000


async def test_unknown_item_is_404(client, world):
    assert (await client.get("/api/v1/items/999999", headers=world.farmer.headers)).status_code == 404
    response = await client.patch("/api/v1/items/999999", json={"rate_cents": 1}, headers=world.yard_north.headers)
    assert response.status_code == 404


async def test_item_for_unknown_municipality_is_refused(client, world):
    response = await client.post("/api/v1/items", json=item_body(world, municipality_id=999999),
                                 headers=world.yard_north.headers)
    assert response.status_code == 403  # not his municipality, whether it exists or not


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate_cents": -1}, "rate_cents"),
        ({"operator_rate_cents": -100}, "operator_rate_cents"),
        ({"rate_cents": 12.5}, "rate_cents"),
        ({"rate_cents": "4800"}, "rate_cents"),
        ({"unit": "fortnight"}, "unit"),
        ({"kind": "spaceship"}, "kind"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"description": "x" * 2001}, "description"),
        ({"vat_percent": 101}, "vat_percent"),
        ({"vat_percent": -1}, "vat_percent"),
        ({"surprise": True}, "surprise"),
    ],
)
async def test_bad_item_input_is_422_and_writes_nothing(client, world, db_session, overrides, field):
    response = await client.post("/api/v1/items", json=item_body(world, **overrides), headers=world.yard_north.headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status_code"] == 422
    assert field in response.text
    assert await count_items(db_session) == 0


@pytest.mark.parametrize("missing", ["name", "kind", "unit", "rate_cents", "municipality_id"])
async def test_missing_fields_are_422(client, world, db_session, missing):
    body = item_body(world)
    del body[missing]
    response = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert response.status_code == 422
    assert missing in response.text
    assert await count_items(db_session) == 0


async def test_malformed_json_is_a_client_error(client, world):
    response = await client.post("/api/v1/items", content=b"{not json", headers={
        **world.yard_north.headers, "content-type": "application/json"})
    assert response.status_code in (400, 422)
