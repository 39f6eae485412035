"""DATEV accounts and BU keys for every VAT rate of the network (MN_VAT_RATES = 0, 7, 10.7, 19)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.errors import Invalid
from machinery_network.exports import datev, service
from machinery_network.money import line_amounts
from machinery_network.settlement import service as settlement_service
from tests.test_exports import MONTH, _charge
from tests.test_municipality_datev import _reload, _rows, _url


@pytest.fixture
def four_rates(monkeypatch):
    monkeypatch.setenv("MN_VAT_RATES", "0,7,10.7,19")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("MN_VAT_RATES")
    get_settings.cache_clear()


FLAT_RATE = {"vat_percent": 10.7, "account": 8410, "tax_key": 59}


async def _month_at_four_rates(db_session, world) -> None:
    north = world.north.id
    for day, rate in ((13, Decimal(0)), (14, Decimal(7)), (15, Decimal("10.7")), (16, Decimal(19))):
        await _charge(db_session, world.farmer, north, date(2025, 10, day), "1", 10_000, rate, f"Satz {rate}")
    await settlement_service.settle(db_session, SYSTEM, MONTH, north, settings=get_settings())
    await db_session.commit()


@pytest.mark.usefixtures("four_rates")
async def test_every_rate_has_its_account_and_the_other_rate_its_bu_key(client, db_session, world):
    response = await client.patch(_url(world), headers=world.finance_north.headers,
                                  json={"datev_vat_accounts": [FLAT_RATE]})
    assert response.status_code == 200, response.text
    # in effect: the chart's automatic accounts for 0 / 7 / 19 % and the configured 10.7 %
    assert response.json()["datev_vat_accounts"] == [
        {"vat_percent": 0, "account": 8200, "tax_key": None}, {"vat_percent": 7, "account": 8300, "tax_key": None},
        {"vat_percent": 10.7, "account": 8410, "tax_key": 59}, {"vat_percent": 19, "account": 8400, "tax_key": None},
    ]
    assert (await _reload(db_session, world.north.id)).datev_vat_accounts == {"10.7": {"account": 8410, "tax_key": 59}}
    await _month_at_four_rates(db_session, world)
    export = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "datev")
    rows = _rows(export.content)
    steuersatz = rows[1].index("Steuersatz")
    booked = [(row[0], row[7], row[8], row[steuersatz]) for row in rows[2:]]
    # 100.00 € net each: gross 100.00 / 107.00 / 110.70 / 119.00
    assert line_amounts(Decimal(1), 10_000, Decimal("10.7")).gross_cents == 11_070
    assert booked == [("100,00", "8200", "", ""), ("107,00", "8300", "", ""), ("110,70", "8410", "59", "10,70"),
                      ("119,00", "8400", "", "")]
    assert len(rows[2]) == 125


@pytest.mark.usefixtures("four_rates")
async def test_a_rate_without_an_account_is_refused_naming_it(db_session, world):
    await _month_at_four_rates(db_session, world)
    with pytest.raises(Invalid) as refused:
        await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "datev")
    assert refused.value.key == "exports.datev_vat_rate" and refused.value.params["rate"] == "10.7"
    assert "BU-Schlüssel" in refused.value.message("de")


@pytest.mark.usefixtures("four_rates")
async def test_a_configured_entry_wins_over_the_automatic_account_and_clearing_works(client, db_session, world):
    url = _url(world)
    body = {"datev_vat_accounts": [FLAT_RATE, {"vat_percent": 19, "account": 8000, "tax_key": 3}]}
    response = await client.patch(url, headers=world.admin.headers, json=body)
    assert response.status_code == 200, response.text
    effective = {row["vat_percent"]: (row["account"], row["tax_key"]) for row in response.json()["datev_vat_accounts"]}
    assert effective[19] == (8000, 3) and effective[7] == (8300, None)
    cleared = await client.patch(url, headers=world.admin.headers, json={"datev_vat_accounts": None})
    assert cleared.status_code == 200
    assert [row["vat_percent"] for row in cleared.json()["datev_vat_accounts"]] == [0, 7, 19]


@pytest.mark.usefixtures("four_rates")
@pytest.mark.parametrize("entries", [
    [{"vat_percent": 12, "account": 8410, "tax_key": 59}],  # not one of the network's rates
    [FLAT_RATE, {**FLAT_RATE, "account": 8411}],  # the same rate twice
    [{**FLAT_RATE, "account": 84100}],  # beyond the account length (4 digits)
    [{**FLAT_RATE, "tax_key": 10_000}],  # BU keys have at most 4 digits
    [{**FLAT_RATE, "tax_key": 0}],
])
async def test_bad_vat_accounts_are_422_and_nothing_is_written(client, db_session, world, entries):
    response = await client.patch(_url(world), headers=world.finance_north.headers,
                                  json={"datev_vat_accounts": entries})
    assert response.status_code == 422, response.text
    assert "datev_vat_accounts" in response.text
    assert (await _reload(db_session, world.north.id)).datev_vat_accounts == {}


async def test_others_may_not_set_vat_accounts(client, world):
    for person in (world.farmer, world.yard_north, world.finance_south):
        response = await client.patch(_url(world), headers=person.headers, json={"datev_vat_accounts": []})
        assert response.status_code == 403


def test_percent_field():
    assert (datev.percent(Decimal("10.7")), datev.percent(Decimal(19))) == ("10,70", "19,00")


@pytest.mark.usefixtures("four_rates")
async def test_settings_page_has_a_row_per_rate_and_saves_it(client, db_session, world, settings, monkeypatch):
    from tests.web_helpers import login, post_form

    monkeypatch.setattr(settings, "vat_rates_text", "0,7,10.7,19")  # the app's own settings
    url = f"/municipalities/{world.north.id}/settings"
    await login(client, world.finance_north.user.email)
    page = await client.get(url)
    assert page.status_code == 200 and "Erlöskonten je Steuersatz" in page.text
    assert "10,7 %" in page.text and 'name="vat_rate_2" value="10.7"' in page.text
    assert 'name="vat_account_3"' in page.text and 'placeholder="8400"' in page.text
    rows = {"vat_rate_0": "0", "vat_rate_1": "7", "vat_rate_2": "10.7", "vat_rate_3": "19",
            "vat_account_2": "8410", "vat_key_2": "59"}
    saved = await post_form(client, url, rows)
    assert saved.status_code == 303, saved.text
    assert (await _reload(db_session, world.north.id)).datev_vat_accounts == {"10.7": {"account": 8410, "tax_key": 59}}
    page = await client.get(url)
    assert 'name="vat_account_2" type="number" min="1" value="8410"' in page.text
    refused = await post_form(client, url, {**rows, "vat_key_2": "10000"})
    assert refused.status_code == 422
    assert (await _reload(db_session, world.north.id)).datev_vat_accounts == {"10.7": {"account": 8410, "tax_key": 59}}


@pytest.mark.usefixtures("four_rates")
async def test_an_item_at_a_rate_without_an_account_is_refused_until_finance_sets_one(client, world):
    """Every month's DATEV export can always be produced: an item may carry a configured rate only once
    its municipality books that rate (0, 7 and 19 % have automatic accounts)."""
    body = {"municipality_id": world.north.id, "name": "Pauschal-Mulcher", "kind": "machine", "unit": "hour",
            "rate_cents": 4000, "vat_percent": 10.7}
    refused = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["extra"]["field"] == "vat_percent" and "10.7" in refused.json()["detail"]
    at_seven = await client.post("/api/v1/items", json={**body, "vat_percent": 7}, headers=world.yard_north.headers)
    assert at_seven.status_code == 201, at_seven.text
    changed = await client.patch(f"/api/v1/items/{at_seven.json()['id']}", json={"vat_percent": 10.7},
                                 headers=world.yard_north.headers)
    assert changed.status_code == 422 and changed.json()["extra"]["field"] == "vat_percent"

    set_up = await client.patch(_url(world), json={"datev_vat_accounts": [FLAT_RATE]},
                                headers=world.finance_north.headers)
    assert set_up.status_code == 200, set_up.text
    created = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert created.status_code == 201, created.text


@pytest.mark.usefixtures("four_rates")
async def test_a_rate_account_in_use_cannot_be_cleared_until_no_item_carries_the_rate(client, world):
    """The other way round: finance cannot clear the account of a rate that an item carries (the next
    DATEV export would be refused); once no item carries it, the account may go."""
    set_up = await client.patch(_url(world), json={"datev_vat_accounts": [FLAT_RATE]},
                                headers=world.finance_north.headers)
    assert set_up.status_code == 200, set_up.text
    body = {"municipality_id": world.north.id, "name": "Pauschal-Mulcher", "kind": "machine", "unit": "hour",
            "rate_cents": 4000, "vat_percent": 10.7}
    item = await client.post("/api/v1/items", json=body, headers=world.yard_north.headers)
    assert item.status_code == 201, item.text

    cleared = await client.patch(_url(world), json={"datev_vat_accounts": []}, headers=world.finance_north.headers)
    assert cleared.status_code == 422, cleared.text
    assert cleared.json()["extra"]["field"] == "datev_vat_accounts" and "10.7" in cleared.json()["detail"]
    kept = await client.get(_url(world), headers=world.finance_north.headers)
    assert {"vat_percent": 10.7, "account": 8410, "tax_key": 59}.items() <= next(  # nothing written
        a for a in kept.json()["datev_vat_accounts"] if a["vat_percent"] == 10.7).items()

    moved = await client.patch(f"/api/v1/items/{item.json()['id']}", json={"vat_percent": 7},
                               headers=world.yard_north.headers)
    assert moved.status_code == 200, moved.text
    cleared = await client.patch(_url(world), json={"datev_vat_accounts": []}, headers=world.finance_north.headers)
    assert cleared.status_code == 200, cleared.text
    assert 10.7 not in [a["vat_percent"] for a in cleared.json()["datev_vat_accounts"]]
