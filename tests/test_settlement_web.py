"""The finance office's settlement pages and the account pages, through the HTML forms (CSRF, German)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from machinery_network.config import get_settings
from machinery_network.settlement import service as settlement
from tests.test_settlement import small_month
from tests.web_helpers import login, post_form

# 5 November 2026, noon in Berlin: October has ended, November has not.
NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")


async def test_finance_settles_a_month_from_the_page_and_sees_lines_totals_and_downloads(client, db_session, world):
    await small_month(db_session, world)
    await login(client, world.finance_north.user.email)
    page = await client.get("/finance/settlements")
    assert page.status_code == 200
    assert "Monat abrechnen" in page.text and world.north.name in page.text
    assert "09/2026" in page.text  # September is pending

    response = await post_form(client, "/finance/settlements", {"month": "2026-09"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/finance/settlements/2026-09")
    detail = await client.get(response.headers["location"])
    assert detail.status_code == 200
    text = detail.text
    assert "wurde abgerechnet" in text
    assert world.farmer.user.name in text and world.farmer2.user.name in text
    assert "204,92 €" in text and "77,42 €" in text  # Franz: charges and net
    assert "461,72 €" in text and "202,50 €" in text and "259,22 €" in text  # totals
    assert "Fritz Nord" in text  # who ran it
    assert 'id="downloads"' in text
    for fmt in ("csv", "datev", "pdf", "sepa-debit", "sepa-credit"):
        assert f"/finance/settlements/2026-09/export?format={fmt}" in text

    again = await post_form(client, "/finance/settlements", {"month": "2026-09"})
    assert again.status_code == 303
    assert "bereits abgerechnet" in (await client.get(again.headers["location"])).text
    overview = await client.get("/finance/settlements")
    assert 'href="/finance/settlements/2026-09"' in overview.text


async def test_settle_form_rerenders_with_german_messages(client, db_session, world):
    await login(client, world.finance_north.user.email)
    response = await post_form(client, "/finance/settlements", {"month": "2026-11"})
    assert response.status_code == 422
    assert "noch nicht abgeschlossen" in response.text and "01.12.2026" in response.text
    assert 'value="2026-11"' in response.text
    response = await post_form(client, "/finance/settlements", {"month": "11/2026"})
    assert response.status_code == 422
    assert "JJJJ-MM" in response.text
    assert await settlement.find_settlement(db_session, world.north.id, date(2026, 11, 1)) is None


async def test_settlement_pages_refuse_other_roles_and_municipalities(client, db_session, world):
    await small_month(db_session, world)
    await settlement.settle(db_session, world.finance_north.actor, date(2026, 9, 1), world.north.id, settings=get_settings())
    await db_session.commit()
    html = {"accept": "text/html"}
    response = await client.get("/finance/settlements", headers=html)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    for person in (world.farmer, world.yard_north):
        client.cookies.clear()
        await login(client, person.user.email)
        assert (await client.get("/finance/settlements", headers=html)).status_code == 403
        assert (await post_form(client, "/finance/settlements", {"month": "2026-09"}, headers=html)).status_code == 403
        assert (await client.get("/finance/settlements/2026-09", headers=html)).status_code == 403
    client.cookies.clear()
    await login(client, world.finance_south.user.email)
    # the south's finance officer sees the south, where September is not settled
    assert (await client.get("/finance/settlements/2026-09", headers=html)).status_code == 404
    # admins choose the municipality
    client.cookies.clear()
    await login(client, world.admin.user.email)
    page = await client.get(f"/finance/settlements/2026-09?municipality_id={world.north.id}", headers=html)
    assert page.status_code == 200 and "259,22 €" in page.text


async def test_farmer_account_page_shows_balances_entries_and_statements(client, db_session, world):
    await small_month(db_session, world)
    await settlement.settle(db_session, world.finance_north.actor, date(2026, 9, 1), world.north.id, settings=get_settings())
    await db_session.commit()
    await login(client, world.farmer.user.email)
    page = await client.get("/account")
    assert page.status_code == 200
    text = page.text
    assert world.north.name in text and world.south.name in text
    # north: 199,92 + 5,00 − 127,50 + 9,99 (October) = 87,41 €; south: 80,00 €
    assert "87,41 €" in text and "80,00 €" in text
    assert "Nutzung Gerät" in text and "Korrektur: Diesel" in text
    assert 'id="statements"' in text and "09/2026" in text and "77,42 €" in text
    # Gerda's figures are not on Franz's page
    assert "181,80 €" not in text


async def test_staff_posts_an_adjustment_from_the_account_page(client, db_session, world):
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/manage/accounts/{world.farmer.id}")
    assert page.status_code == 200 and "Korrektur buchen" in page.text
    bad = await post_form(client, f"/manage/accounts/{world.farmer.id}/adjustments",
                          {"value_date": "2026-10-20", "amount": "0", "reason": "Diesel"})
    assert bad.status_code == 422 and "nicht null" in bad.text
    bad = await post_form(client, f"/manage/accounts/{world.farmer.id}/adjustments",
                          {"value_date": "2026-10-20", "amount": "12,50", "reason": "x" * 2001})
    assert bad.status_code == 422 and "Höchstens 2000 Zeichen" in bad.text
    ok = await post_form(client, f"/manage/accounts/{world.farmer.id}/adjustments",
                         {"value_date": "2026-10-20", "amount": "-12,50", "reason": "Kulanz"})
    assert ok.status_code == 303
    page = await client.get(ok.headers["location"])
    assert "-12,50 €" in page.text and "Korrektur: Kulanz" in page.text
    farmers = await client.get("/manage/accounts")
    assert farmers.status_code == 200 and world.farmer.user.name in farmers.text and "-12,50 €" in farmers.text

    client.cookies.clear()
    await login(client, world.yard_south.user.email)
    other = await client.get(f"/manage/accounts/{world.farmer.id}")
    assert "-12,50 €" not in other.text  # the south sees its own account of the farmer
    response = await post_form(client, f"/manage/accounts/{world.farmer.id}/entries/1/reverse",
                               {"value_date": "2026-10-20", "reason": "x"}, headers={"accept": "text/html"})
    assert response.status_code in (403, 404)
    client.cookies.clear()
    await login(client, world.farmer2.user.email)
    assert (await client.get(f"/manage/accounts/{world.farmer.id}",
                             headers={"accept": "text/html"})).status_code == 403
