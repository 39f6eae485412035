"""The dashboards as JSON: the same numbers as the pages (same service functions), the same refusals."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from machinery_network.dashboards import service
from tests.test_dashboards import entry, panel
from tests.web_helpers import login

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN)
pytestmark = pytest.mark.usefixtures("frozen")


async def test_finance_dashboard_json_has_the_pages_numbers(client, db_session, world, settings):
    world.farmer2.user.iban = None
    db_session.add_all([
        entry(world, world.farmer, date(2026, 1, 15), 10_000),
        entry(world, world.farmer, date(2026, 2, 10), 5_000),
        entry(world, world.farmer, date(2026, 3, 5), 2_000),
        entry(world, world.farmer2, date(2026, 2, 20), -3_000),
    ])
    await db_session.commit()
    response = await client.get(f"/api/v1/dashboards/finance?municipality_id={world.north.id}",
                                headers=world.finance_north.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["view"], body["municipality_id"], body["year"]) == ("finance", world.north.id, None)
    assert [p["key"] for p in body["panels"]] == ["balances", "mandates", "debt"]
    balances = body["panels"][0]
    assert balances["kinds"] == ["text", "eur", "eur", "eur"]
    assert balances["rows"][-3:] == [["Januar 2026", 10_000, 0, 10_000], ["Februar 2026", 5_000, 3_000, 2_000],
                                     ["März 2026", 2_000, 0, 2_000]]
    assert balances["shown"][-2] == ["Februar 2026", "50,00 €", "30,00 €", "20,00 €"]
    assert body["panels"][1]["rows"] == [["Franz Bauer", 17_000, "ohne Mandat"], ["Gerda Hof", -3_000, "ohne IBAN"]]
    assert body["panels"][2]["rows"] == [["Franz Bauer", 10_000, 15_000, 17_000]]
    assert "chart" not in balances

    # the page shows the same cells
    await login(client, world.finance_north.user.email)
    page = (await client.get("/dashboard")).text
    for p in body["panels"]:
        for row in p["shown"]:
            for cell in row:
                assert cell in page, (p["key"], cell)


async def test_yard_head_and_admin_dashboards_json_match_the_services(client, db_session, world, settings):
    api = (await client.get(f"/api/v1/dashboards/yard-head?municipality_id={world.north.id}",
                            headers=world.yard_north.headers)).json()
    panels = await service.yard_head(db_session, world.yard_north.actor, world.north.id, settings)
    assert [p["key"] for p in api["panels"]] == [p.key for p in panels]
    for got, expected in zip(api["panels"], panels, strict=True):
        assert (got["title"], got["columns"], got["shown"]) == (expected.title, expected.columns, expected.shown())
    assert api["panels"][2]["columns"] == panel(panels, "use").columns

    api = (await client.get("/api/v1/dashboards/admin?year=2026", headers=world.admin.headers)).json()
    panels = await service.council(db_session, world.admin.actor, 2026, settings)
    assert (api["view"], api["year"]) == ("council", 2026)
    assert [p["key"] for p in api["panels"]] == ["lent", "care_done", "flows", "coverage"]
    for got, expected in zip(api["panels"], panels, strict=True):
        assert got["shown"] == expected.shown()
    # default year: this year
    assert (await client.get("/api/v1/dashboards/admin", headers=world.admin.headers)).json()["year"] == 2026
    # the administrator also sees a municipality's yard head and finance dashboards, as the services allow
    for path in ("yard-head", "finance"):
        response = await client.get(f"/api/v1/dashboards/{path}?municipality_id={world.south.id}",
                                    headers=world.admin.headers)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(("path", "who"), [
    ("yard-head", "farmer"), ("yard-head", "yard_south"), ("yard-head", "finance_north"),
    ("finance", "farmer"), ("finance", "yard_north"), ("finance", "finance_south"),
    ("admin", "farmer"), ("admin", "yard_north"), ("admin", "finance_north"),
])
async def test_dashboard_json_refusals(client, world, path, who):
    response = await client.get(f"/api/v1/dashboards/{path}?municipality_id={world.north.id}&year=2026",
                                headers=getattr(world, who).headers)
    assert response.status_code == 403, response.text
    assert response.json()["detail"] in ("You are not allowed to do this.",
                                         "You may only act for your own municipality.")


async def test_dashboard_json_bad_requests(client, world):
    assert (await client.get(f"/api/v1/dashboards/finance?municipality_id={world.north.id}")).status_code == 401
    assert (await client.get("/api/v1/dashboards/finance?municipality_id=999999",
                             headers=world.admin.headers)).status_code == 404
    assert (await client.get("/api/v1/dashboards/finance", headers=world.admin.headers)).status_code in (400, 422)
    response = await client.get("/api/v1/dashboards/admin?year=1999", headers=world.admin.headers)
    assert response.status_code == 422
    assert "year" in response.text
