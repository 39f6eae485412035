"""PATCH /municipalities/{id}: bank and DATEV settings, who may change what, and what DATEV then says."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select, text

from machinery_network.accounts.models import Municipality, Role
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.exports import datev, service
from machinery_network.money import line_amounts, vat_in_gross
from machinery_network.settlement import service as settlement_service
from tests.conftest import make_person
from tests.test_exports import MONTH, _charge, _credit


def _url(world) -> str:
    return f"/api/v1/municipalities/{world.north.id}"


async def _reload(db_session, municipality_id: int) -> Municipality:
    return await db_session.scalar(select(Municipality).where(Municipality.id == municipality_id)
                                   .execution_options(populate_existing=True))


async def test_finance_sets_bank_and_datev_fields(client, db_session, world):
    body = {
        "iban": "DE02 1203 0000 0000 2020 51", "bic": "BYLADEM1001", "creditor_id": "de09zzz00000000001",
        "datev_consultant_number": 1234567, "datev_client_number": 99999, "datev_chart": "SKR04",
        "fiscal_year_start_month": 7, "prenotification_days": 5,
        "datev_debtor_start": 20000, "datev_debtor_end": 29999, "datev_expense_account": 6305,
    }
    response = await client.patch(_url(world), headers=world.finance_north.headers, json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["iban"] == "DE02120300000000202051"
    assert data["creditor_id"] == "DE09ZZZ00000000001"
    assert data["datev_chart"] == "SKR04" and data["fiscal_year_start_month"] == 7
    assert data["prenotification_days"] == 5 and data["datev_consultant_number"] == 1234567
    # The chart's defaults fill what was not set; the set expense account wins.
    assert data["datev_revenue_account"] == 4400 and data["datev_expense_account"] == 6305
    stored = await _reload(db_session, world.north.id)
    assert stored.datev_client_number == 99999 and stored.datev_debtor_start == 20000


async def test_who_may_change_what(client, world):
    url = _url(world)
    assert (await client.patch(url, json={"datev_client_number": 2})).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_south):
        response = await client.patch(url, headers=person.headers, json={"datev_client_number": 2})
        assert response.status_code == 403, person
    # The name is the administrator's.
    assert (await client.patch(url, headers=world.finance_north.headers, json={"name": "Neu"})).status_code == 403
    renamed = await client.patch(url, headers=world.admin.headers, json={"name": "Neuheim", "datev_client_number": 7})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Neuheim"
    taken = await client.patch(url, headers=world.admin.headers, json={"name": world.south.name})
    assert taken.status_code == 409
    missing = await client.patch("/api/v1/municipalities/999999", headers=world.admin.headers, json={})
    assert missing.status_code == 404


async def test_invalid_values_are_422_naming_the_field_and_nothing_is_written(client, db_session, world):
    url = _url(world)
    cases = [
        ({"creditor_id": "ABC 123"}, "creditor_id"),
        ({"creditor_id": "DE67ZZZ00000000001"}, "creditor_id"),
        ({"iban": "DE00370400440532013000"}, "iban"),
        ({"bic": "XYZ"}, "bic"),
        ({"datev_consultant_number": 1000}, "datev_consultant_number"),
        ({"datev_consultant_number": 10_000_000}, "datev_consultant_number"),
        ({"datev_client_number": 0}, "datev_client_number"),
        ({"datev_client_number": 100_000}, "datev_client_number"),
        ({"datev_chart": "SKR05"}, "datev_chart"),
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month"),
        ({"prenotification_days": 31}, "prenotification_days"),
        ({"prenotification_days": 0}, "prenotification_days"),
        ({"datev_debtor_start": 70000}, "datev_debtor_start"),
        ({"datev_debtor_start": 30000, "datev_debtor_end": 20000}, "datev_debtor_end"),
        ({"datev_revenue_account": 10000}, "datev_revenue_account"),
        ({"datev_client_number": 5, "creditor_id": "ABC"}, "creditor_id"),
    ]
    for body, field in cases:
        response = await client.patch(url, headers=world.finance_north.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.text, (body, response.text)
    stored = await _reload(db_session, world.north.id)
    assert stored.datev_client_number == 1 and stored.creditor_id == "DE98ZZZ09999999999"
    assert stored.prenotification_days == 14 and stored.datev_chart == "SKR03"


async def test_null_resets_an_account_to_the_charts_default(client, world):
    url = _url(world)
    await client.patch(url, headers=world.admin.headers, json={"datev_revenue_account": 8410})
    response = await client.patch(url, headers=world.admin.headers, json={"datev_revenue_account": None})
    assert response.status_code == 200 and response.json()["datev_revenue_account"] == 8400


# --- DATEV with the municipality's own settings -------------------------------------------------


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("cp1252"), newline=""), delimiter=";", quotechar='"'))


async def _big_id_farmer(db_session, name: str, iban: str | None = "DE62370400440532013001"):
    await db_session.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), 150000 + "
                                  "(SELECT coalesce(max(id), 0) FROM users))"))
    return await make_person(db_session, Role.farmer, name, iban=iban)


async def test_datev_header_chart_fiscal_year_and_debtor_numbers(db_session, world):
    north = world.north
    north.datev_consultant_number, north.datev_client_number = 4711, 815
    north.datev_chart, north.fiscal_year_start_month = "SKR04", 7
    north.datev_debtor_start = 12000
    big = await _big_id_farmer(db_session, "Zacharias Groß")
    assert big.id > 100_000
    await _charge(db_session, world.farmer, north.id, date(2025, 10, 14), "1", 1000, 19, "Traktor")
    await _charge(db_session, big, north.id, date(2025, 10, 15), "1", 1000, 7, "Mulcher")
    await _credit(db_session, big, north.id, date(2025, 10, 16), "2", 500, "Graben", "hour")
    await settlement_service.settle(db_session, SYSTEM, MONTH, north.id, settings=get_settings())
    export = await service.export(db_session, world.finance_north.actor, MONTH, north.id, "datev")
    rows = _rows(export.content)
    head = rows[0]
    assert head[10:14] == ["4711", "815", "20250701", "4"]
    assert head[26] == "04"
    konten = {(row[6], row[7], row[1]) for row in rows[2:]}
    # Farmers numbered in order of their id from the configured start, not from their user id.
    assert konten == {("12000", "4400", "S"), ("12001", "4300", "S"), ("12001", "6300", "H")}
    # Stable: a re-export (and a later farmer) does not renumber.
    again = await service.export(db_session, world.finance_north.actor, MONTH, north.id, "datev")
    assert again.content == export.content
    numbers = dict((await db_session.execute(text(
        "SELECT farmer_id, number FROM datev_debtors WHERE municipality_id = :m"), {"m": north.id})).all())
    assert numbers == {world.farmer.id: 12000, big.id: 12001}


async def test_datev_debtor_range_exhausted_is_422_with_advice(db_session, world):
    north = world.north
    north.datev_debtor_start = north.datev_debtor_end = 10000
    await _charge(db_session, world.farmer, north.id, date(2025, 10, 14), "1", 1000, 19, "Traktor")
    await _charge(db_session, world.farmer2, north.id, date(2025, 10, 14), "1", 1000, 19, "Traktor")
    await settlement_service.settle(db_session, SYSTEM, MONTH, north.id, settings=get_settings())
    try:
        await service.export(db_session, world.finance_north.actor, MONTH, north.id, "datev")
    except Exception as exc:  # noqa: BLE001 - the domain error is what we check
        assert getattr(exc, "key", None) == "exports.datev_debtor_range"
        assert getattr(exc, "status_code", None) == 422
    else:
        raise AssertionError("a full debtor range must be refused")


async def test_vat_of_two_lines_of_1_03_agrees_in_statement_and_datev(db_session, world):
    """2 × 1,03 € net at 19 %: the statement says 0,40 € VAT, and DATEV's automatic VAT account,
    taking the VAT out of each record's gross, comes to the same 0,40 € (not 0,39 €)."""
    north = world.north
    for day in (14, 15):
        await _charge(db_session, world.farmer, north.id, date(2025, 10, day), "1", 103, 19, "Kleinteil")
    result = await settlement_service.settle(db_session, SYSTEM, MONTH, north.id, settings=get_settings())
    line = line_amounts(Decimal(1), 103, Decimal(19))
    assert (line.net_cents, line.vat_cents, line.gross_cents) == (103, 20, 123)
    assert result.settlement.total_charges_cents == 246
    export = await service.export(db_session, world.finance_north.actor, MONTH, north.id, "datev")
    records = _rows(export.content)[2:]
    grosses = [int(row[0].replace(",", "")) for row in records]
    assert grosses == [123, 123]
    assert sum(vat_in_gross(gross, Decimal(19)) for gross in grosses) == 40
    # Aggregated into one record, DATEV would have computed 0,39 €: the reason for one record per line.
    assert vat_in_gross(246, Decimal(19)) == 39
    pdf = await service.export(db_session, world.finance_north.actor, MONTH, north.id, "pdf",
                               farmer_id=world.farmer.id)
    from pypdf import PdfReader

    text_ = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "0,40 €" in text_ and "2,06 €" in text_ and "2,46 €" in text_


def test_fiscal_year_start():
    assert datev.fiscal_year_start(date(2025, 10, 1), 1) == date(2025, 1, 1)
    assert datev.fiscal_year_start(date(2025, 10, 1), 7) == date(2025, 7, 1)
    assert datev.fiscal_year_start(date(2025, 3, 1), 7) == date(2024, 7, 1)


# --- the settings page -------------------------------------------------------------------------


async def test_settings_page_for_finance_saves_and_rerenders_refusals(client, db_session, world):
    from tests.web_helpers import login, post_form

    url = f"/municipalities/{world.north.id}/settings"
    await login(client, world.finance_north.user.email)
    page = await client.get(url)
    assert page.status_code == 200 and "Beraternummer" in page.text and "Kontenrahmen" in page.text
    assert (await client.get(f"/municipalities/{world.south.id}/settings")).status_code == 403
    saved = await post_form(client, url, {
        "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX", "creditor_id": "DE98ZZZ09999999999",
        "prenotification_days": "10", "datev_consultant_number": "54321", "datev_client_number": "12",
        "datev_chart": "SKR04", "fiscal_year_start_month": "1", "datev_account_length": "4",
        "datev_debtor_start": "", "datev_debtor_end": "", "datev_revenue_account": "",
        "datev_revenue_account_reduced": "", "datev_revenue_account_exempt": "", "datev_expense_account": ""})
    assert saved.status_code == 303, saved.text
    stored = await _reload(db_session, world.north.id)
    assert (stored.datev_consultant_number, stored.datev_chart, stored.prenotification_days) == (54321, "SKR04", 10)
    refused = await post_form(client, url, {"creditor_id": "DE67ZZZ00000000001", "datev_client_number": "77"})
    assert refused.status_code == 422
    assert "Gläubiger-Identifikationsnummer" in refused.text and "DE67ZZZ00000000001" in refused.text
    assert (await _reload(db_session, world.north.id)).datev_client_number == 12


async def test_settings_page_refuses_farmers_and_yard_heads(client, world):
    from tests.web_helpers import login

    for person in (world.farmer, world.yard_north):
        client.cookies.clear()
        await login(client, person.user.email)
        assert (await client.get(f"/municipalities/{world.north.id}/settings")).status_code == 403
