"""Finance exports of a settled month, parsed back and compared with hand-computed figures.

The month (October 2025, north):
- Franz Bauer: tractor 3.5 h × 48,00 € + 19 % = 168,00 + 31,92 = 199,92; sweeper 2 h × 35,00 € (0 %) = 70,00;
  care credit 850 m × 0,15 € = 127,50 → charges 269,92, credits 127,50, net 142,42 (direct debit).
- Gerda Hof: loader 1 day × 120,00 € + 19 % = 142,80; care credit 20 h × 25,00 € = 500,00 → net −357,20 (payout).
- Hans Ohnekonto (no IBAN): 4 h × 48,00 € + 19 % = 192,00 + 36,48 = 228,48 → owes 228,48, a SEPA exception.
- Ida Null: 2 h × 50,00 € (0 %) = 100,00 and a credit of 100 m × 1,00 € = 100,00 → net 0.
- Jörg Überweiser (no IBAN): credit 5 h × 20,00 € = 100,00 → payout −100,00, a SEPA exception.
Totals: charges 741,20, credits 827,50, net −86,30. Franz's south entry belongs to another settlement.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import text

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.errors import Invalid, NotAllowed, NotFound
from machinery_network.exports import datev, sepa, service
from machinery_network.ledger import service as ledger
from machinery_network.mandates import partners
from machinery_network.mandates import service as mandates
from machinery_network.money import line_amounts
from machinery_network.settlement import service as settlement_service
from machinery_network.settlement.models import Settlement
from tests.conftest import Person, World, build_world, make_person

MONTH = date(2025, 10, 1)
SCHEMAS = Path(os.path.dirname(sepa.__file__)) / "xsd"  # shipped with the package (see its README)
MANDATE_REFERENCE = "NORD-LS-0001"
DEBIT_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
CREDIT_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


@dataclass
class Month:
    world: World
    settlement: Settlement
    hans: Person
    ida: Person
    joerg: Person

    @property
    def north_id(self) -> int:
        return self.world.north.id


async def _charge(session, farmer: Person, municipality_id: int, day: date, quantity: str, rate: int, vat: int,
                  item: str, unit: str = "hour") -> None:
    await partners.add_partner(session, SYSTEM, municipality_id, farmer.id)
    await ledger.post_charge(
        session, farmer_id=farmer.id, municipality_id=municipality_id, value_date=day,
        amounts=line_amounts(Decimal(quantity), rate, Decimal(vat)), vat_percent=Decimal(vat), item_name=item,
        quantity=Decimal(quantity), unit=unit, rate_cents=rate, booking_id=None, actor=SYSTEM,
    )


async def _credit(session, farmer: Person, municipality_id: int, day: date, quantity: str, rate: int,
                  section: str, unit: str) -> None:
    await partners.add_partner(session, SYSTEM, municipality_id, farmer.id)
    await ledger.post_credit(
        session, farmer_id=farmer.id, municipality_id=municipality_id, value_date=day, quantity=Decimal(quantity),
        unit=unit, rate_cents=rate, section_name=section, care_log_id=None, actor=SYSTEM,
    )


async def settle_month(session, world: World) -> Month:
    north = world.north.id
    world.north.address = "Rathausplatz 1\n12345 Nordheim"
    world.farmer.user.address = "Hofweg 3\n12345 Nordheim"
    hans = await make_person(session, Role.farmer, "Hans Ohnekonto")
    ida = await make_person(session, Role.farmer, "Ida Null", iban="DE62370400440532013001")
    joerg = await make_person(session, Role.farmer, "Jörg Überweiser")
    await _charge(session, world.farmer, north, date(2025, 10, 14), "3.5", 4800, 19, "Traktor mit Mulcher")
    await _charge(session, world.farmer, north, date(2025, 10, 15), "2", 3500, 0, "Kehrmaschine")
    await _credit(session, world.farmer, north, date(2025, 10, 30), "850", 15, "K 21 Bankett", "metre")
    await _charge(session, world.farmer2, north, date(2025, 10, 2), "1", 12000, 19, "Frontlader", "day")
    await _credit(session, world.farmer2, north, date(2025, 10, 20), "20", 2500, "Heckenschnitt Weg 4", "hour")
    await _charge(session, hans, north, date(2025, 10, 7), "4", 4800, 19, "Traktor mit Mulcher")
    await _charge(session, ida, north, date(2025, 10, 8), "2", 5000, 0, "Bauhof-Kolonne")
    await _credit(session, ida, north, date(2025, 10, 9), "100", 100, "Graben Mühlbach", "metre")
    await _credit(session, joerg, north, date(2025, 10, 10), "5", 2000, "Winterdienst Steige", "hour")
    await _charge(session, world.farmer, world.south.id, date(2025, 10, 3), "1", 9900, 19, "Südlicher Traktor")
    await mandates.create_mandate(session, SYSTEM, farmer_id=world.farmer.id, municipality_id=north,
                                  reference=MANDATE_REFERENCE, signed_on=date(2025, 3, 1))
    await session.flush()
    result = await settlement_service.settle(session, SYSTEM, MONTH, north, settings=get_settings())
    await settlement_service.settle(session, SYSTEM, MONTH, world.south.id, settings=get_settings())
    await session.commit()
    return Month(world=world, settlement=result.settlement, hans=hans, ida=ida, joerg=joerg)


@pytest.fixture
async def month(db_session, world) -> Month:
    return await settle_month(db_session, world)


def test_hand_computed_figures_hold():
    assert line_amounts(Decimal("3.5"), 4800, 19).gross_cents == 19992
    assert line_amounts(Decimal(4), 4800, 19).gross_cents == 22848
    assert line_amounts(Decimal(1), 12000, 19).gross_cents == 14280


async def test_settlement_of_the_scenario(month):
    s = month.settlement
    assert (s.farmer_count, s.entry_count) == (5, 9)
    assert (s.total_charges_cents, s.total_credits_cents, s.total_net_cents) == (74120, 82750, -8630)


# --- CSV ---------------------------------------------------------------------------------------


async def test_csv_has_bom_header_decimal_comma_and_one_row_per_farmer(db_session, month):
    export = await service.export(db_session, month.world.finance_north.actor, MONTH, month.north_id, "csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    assert export.media_type.startswith("text/csv")
    assert export.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == ["Gemeinde", "Monat", "Landwirt", "IBAN", "Belastungen", "Gutschriften", "Saldo"]
    by_name = {row[2]: row for row in rows[1:]}
    assert len(rows) == 6 and len(by_name) == 5
    name = month.world.north.name
    assert by_name["Franz Bauer"][:7] == [name, "2025-10", "Franz Bauer", "DE02120300000000202051", "269,92",
                                          "127,50", "142,42"]
    assert by_name["Gerda Hof"][4:7] == ["142,80", "500,00", "-357,20"]
    assert by_name["Hans Ohnekonto"][3:7] == ["", "228,48", "0,00", "228,48"]
    assert by_name["Ida Null"][4:7] == ["100,00", "100,00", "0,00"]
    assert by_name["Jörg Überweiser"][4:7] == ["0,00", "100,00", "-100,00"]
    total = sum(int(row[6].replace(",", "")) for row in rows[1:])
    assert total == month.settlement.total_net_cents == -8630
    assert b"\r\n" in export.content


# --- DATEV ---------------------------------------------------------------------------------------


def _datev_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("cp1252"), newline=""), delimiter=";", quotechar='"'))


async def test_datev_layout_encoding_and_balance(db_session, month):
    export = await service.export(db_session, month.world.finance_north.actor, MONTH, month.north_id, "datev")
    content = export.content
    assert export.filename.startswith("EXTF_") and export.filename.endswith(".csv")
    # Windows-1252 and CR LF: the "ä" of "Geschäftspartnerbank" is the single byte 0xE4.
    assert "Geschäftspartnerbank".encode("cp1252") in content and "ä".encode() not in content
    assert content.count(b"\r\n") == content.count(b"\n") == 2 + 9
    rows = _datev_rows(content)
    head = rows[0]
    assert len(head) == 31
    assert head[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"]
    assert content.startswith(b'"EXTF";700;21;"Buchungsstapel";13;')
    created = month.settlement.created_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert re.fullmatch(r"\d{17}", head[5]) and head[5].startswith(f"{created:%Y%m%d%H%M%S}")
    assert head[10:16] == ["1001", "1", "20250101", "4", "20251001", "20251031"]
    assert head[21] == "EUR"
    assert rows[1] == datev.COLUMNS and len(rows[1]) == 125
    assert rows[1][:10] == ["Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs",
                            "Basis-Umsatz", "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)",
                            "BU-Schlüssel", "Belegdatum"]
    bookings = rows[2:]
    assert len(bookings) == 9  # one record per entry; Ida's charge and credit are two, nothing is netted away
    by_number = {number: farmer for farmer, number in (await db_session.execute(text(
        "SELECT farmer_id, number FROM datev_debtors WHERE municipality_id = :m"), {"m": month.north_id})).all()}
    # Debtor numbers per municipality from 10000 in the order of the farmers' ids, not the user ids.
    assert sorted(by_number) == list(range(10000, 10000 + len(by_number)))
    soll = haben = 0
    records = {}
    for row in bookings:
        assert len(row) == 125
        assert re.fullmatch(r"\d{1,10},\d{2}", row[0])
        assert row[1] in ("S", "H")
        assert row[9] == "3110"  # Belegdatum DDMM: the last day of the month
        assert row[10] == str(month.settlement.id)  # Belegfeld 1
        assert len(row[13]) <= 60
        cents = int(row[0].replace(",", ""))
        if row[1] == "S":
            soll += cents
        else:
            haben += cents
        records[(by_number[int(row[6])], row[7], row[1])] = cents
    assert soll - haben == month.settlement.total_net_cents == -8630
    assert (soll, haben) == (74120, 82750)
    w = month.world
    assert records[(w.farmer.id, "8400", "S")] == 19992
    assert records[(w.farmer.id, "8200", "S")] == 7000
    assert records[(w.farmer.id, "4900", "H")] == 12750
    assert records[(w.farmer2.id, "4900", "H")] == 50000
    assert records[(month.hans.id, "8400", "S")] == 22848
    assert records[(month.joerg.id, "4900", "H")] == 10000
    assert any("Überweiser" in row[13] for row in bookings)


async def test_datev_refuses_a_vat_rate_without_account(db_session, world):
    await _charge(db_session, world.farmer, world.north.id, date(2025, 10, 14), "1", 1000, 16, "Altpreis")
    await settlement_service.settle(db_session, SYSTEM, MONTH, world.north.id, settings=get_settings())
    with pytest.raises(Invalid) as info:
        await service.export(db_session, SYSTEM, MONTH, world.north.id, "datev")
    assert info.value.key == "exports.datev_vat_rate" and "16" in info.value.message("en")


# --- SEPA ---------------------------------------------------------------------------------------


def _xsd(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd")))


def assert_valid(doc, name: str) -> None:
    """Valid against ISO's schema and the DK's GBIC_4 and GBIC_5 subsets shipped with the package."""
    for variant in ("", "_GBIC_4", "_GBIC_5"):
        schema = _xsd(name + variant)
        assert schema.validate(doc), (name + variant, schema.error_log)


async def test_sepa_direct_debit_validates_and_lists_the_farmer_without_iban(db_session, month):
    export = await service.export(db_session, month.world.finance_north.actor, MONTH, month.north_id, "sepa-debit")
    doc = etree.fromstring(export.content)
    assert_valid(doc, "pain.008.001.08")
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=DEBIT_NS) == "1"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=DEBIT_NS) == "142.42"
    assert doc.findtext(".//p:GrpHdr/p:MsgId", namespaces=DEBIT_NS).startswith(
        f"MN{month.north_id}-S{month.settlement.id}-DD-"
    )
    txs = doc.findall(".//p:DrctDbtTxInf", namespaces=DEBIT_NS)
    assert len(txs) == 1
    tx = txs[0]
    assert tx.findtext("p:InstdAmt", namespaces=DEBIT_NS) == "142.42"
    assert tx.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=DEBIT_NS) == "DE02120300000000202051"
    assert tx.findtext(".//p:MndtId", namespaces=DEBIT_NS) == MANDATE_REFERENCE
    assert tx.findtext(".//p:DtOfSgntr", namespaces=DEBIT_NS) == "2025-03-01"
    assert tx.findtext(".//p:Dbtr/p:Nm", namespaces=DEBIT_NS) == "Franz Bauer"
    assert doc.findtext(".//p:CdtrSchmeId//p:Othr/p:Id", namespaces=DEBIT_NS) == "DE98ZZZ09999999999"
    collection = date.fromisoformat(doc.findtext(".//p:ReqdColltnDt", namespaces=DEBIT_NS))
    assert collection.weekday() < 5 and collection >= clock.today(ZoneInfo("Europe/Berlin")) + timedelta(days=14)
    assert [(e.farmer_id, e.reason, e.net_cents) for e in export.exceptions] == [
        (month.hans.id, "no_mandate", 22848)
    ]
    assert export.transactions == 1 and export.total_cents == 14242


async def test_sepa_credit_transfer_validates_and_lists_the_payout_without_iban(db_session, month):
    export = await service.export(db_session, month.world.finance_north.actor, MONTH, month.north_id,
                                  "sepa-credit")
    doc = etree.fromstring(export.content)
    assert_valid(doc, "pain.001.001.09")
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=CREDIT_NS) == "1"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=CREDIT_NS) == "357.20"
    tx = doc.find(".//p:CdtTrfTxInf", namespaces=CREDIT_NS)
    assert tx.findtext(".//p:InstdAmt", namespaces=CREDIT_NS) == "357.20"
    assert tx.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=CREDIT_NS) == "DE02500105170137075030"
    assert doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=CREDIT_NS) == "DE89370400440532013000"
    assert [(e.farmer_id, e.reason) for e in export.exceptions] == [(month.joerg.id, "no_iban")]
    listed = await service.sepa_exceptions(db_session, SYSTEM, MONTH, month.north_id, "sepa-credit")
    assert [e.farmer_id for e in listed] == [month.joerg.id]


async def test_sepa_needs_the_municipality_bank_details(db_session, month):
    with pytest.raises(Invalid) as info:
        await service.export(db_session, SYSTEM, MONTH, month.world.south.id, "sepa-debit")
    assert info.value.key == "exports.sepa_missing"
    assert info.value.extra == {"missing": ["iban", "bic", "creditor_id"]}


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


async def test_pdf_has_the_summary_and_every_farmers_statement(db_session, month):
    export = await service.export(db_session, month.world.finance_north.actor, MONTH, month.north_id, "pdf")
    assert export.content.startswith(b"%PDF") and export.media_type == "application/pdf"
    pages, text = _pdf_text(export.content)
    assert pages == 6  # summary + five statements
    assert "Monatsabrechnung Oktober 2025" in text
    for name in ("Franz Bauer", "Gerda Hof", "Hans Ohnekonto", "Ida Null", "Jörg Überweiser"):
        assert text.count(name) >= 2  # in the summary and on his statement
    assert "741,20 €" in text and "827,50 €" in text and "-86,30 €" in text
    assert "Rathausplatz 1" in text
    assert "199,92 €" in text and "168,00 €" in text and "31,92 €" in text  # net, VAT, gross
    assert "SEPA-Lastschrift von Ihrem Konto DE02 1203 0000 0000 2020 51 eingezogen (Mandat" in " ".join(text.split())
    assert MANDATE_REFERENCE in text
    assert "auf Ihr Konto DE02 5001 0517 0137 0750 30 überwiesen" in text
    assert "sobald Sie der Gemeinde Ihre Bankverbindung" in text
    assert "es ist nichts zu zahlen" in text


async def test_pdf_for_one_farmer_is_his_statement_only(db_session, month):
    export = await service.export(db_session, SYSTEM, MONTH, month.north_id, "pdf",
                                  farmer_id=month.world.farmer2.id)
    pages, text = _pdf_text(export.content)
    assert pages == 1
    assert "Gerda Hof" in text and "Franz Bauer" not in text
    assert "Frontlader" in text and "142,80 €" in text and "-357,20 €" in text
    with pytest.raises(NotFound):
        await service.export(db_session, SYSTEM, MONTH, month.north_id, "pdf", farmer_id=month.world.admin.id)
    with pytest.raises(Invalid):
        await service.export(db_session, SYSTEM, MONTH, month.north_id, "csv", farmer_id=month.world.farmer.id)


# --- determinism -------------------------------------------------------------------------------


async def test_every_format_re_exports_byte_identical(db_session, month, monkeypatch):
    exported = clock.now()
    monkeypatch.setattr(clock, "now", lambda: exported)  # the SEPA files carry the export time
    first = {fmt: (await service.export(db_session, SYSTEM, MONTH, month.north_id, fmt)).content
             for fmt in service.FORMATS}

    # A later "now" must not leak into any file (sepaxml and fpdf2 read the clock themselves).
    import datetime as real_datetime

    class Later(real_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=tz)

    later = type(sys)("datetime")
    later.__dict__.update(real_datetime.__dict__)
    later.datetime = Later
    import sepaxml.debit
    import sepaxml.transfer
    import sepaxml.utils

    for module in (sepaxml.debit, sepaxml.transfer, sepaxml.utils):
        monkeypatch.setattr(module, "datetime", later)
    import fpdf.output

    monkeypatch.setattr(fpdf.output, "datetime", Later)  # XMP dates; the document's own date is ours
    for fmt in service.FORMATS:
        again = (await service.export(db_session, SYSTEM, MONTH, month.north_id, fmt)).content
        assert again == first[fmt], fmt


# --- refusals ----------------------------------------------------------------------------------


async def test_service_refusals(db_session, month):
    w = month.world
    for person in (w.farmer, w.yard_north, w.finance_south):
        with pytest.raises(NotAllowed):
            await service.export(db_session, person.actor, MONTH, month.north_id, "csv")
    with pytest.raises(Invalid) as info:
        await service.export(db_session, w.finance_north.actor, MONTH, month.north_id, "xlsx")
    assert info.value.key == "exports.unknown_format"
    with pytest.raises(NotFound):
        await service.export(db_session, w.finance_north.actor, date(2025, 9, 1), month.north_id, "csv")


def _url(month: Month, fmt: str, when: str = "2025-10") -> str:
    return f"/api/v1/settlements/{when}/export?municipality_id={month.north_id}&format={fmt}"


async def test_api_serves_each_format_with_a_filename(client, month):
    headers = month.world.finance_north.headers
    for fmt in service.FORMATS:
        response = await client.get(_url(month, fmt), headers=headers)
        assert response.status_code == 200, (fmt, response.text)
        assert response.headers["content-disposition"].startswith("attachment; filename=")
    response = await client.get(_url(month, "sepa-debit"), headers=headers)
    assert response.headers["x-sepa-exceptions"] == f"{month.hans.id}:no_mandate"
    assert response.headers["x-sepa-transactions"] == "1"
    response = await client.get(_url(month, "csv"), headers=month.world.admin.headers)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    response = await client.get(
        f"/api/v1/settlements/2025-10/sepa-exceptions?municipality_id={month.north_id}&format=sepa-credit",
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json() == [{"farmer_id": month.joerg.id, "name": "Jörg Überweiser", "net_cents": -10000,
                                "reason": "no_iban"}]


async def test_api_refusals(client, month):
    w = month.world
    assert (await client.get(_url(month, "csv"))).status_code == 401
    for person in (w.farmer, w.yard_north, w.finance_south):
        assert (await client.get(_url(month, "csv"), headers=person.headers)).status_code == 403
    response = await client.get(_url(month, "xlsx"), headers=w.finance_north.headers)
    assert response.status_code == 422 and "xlsx" in response.json()["detail"]
    assert (await client.get(_url(month, "csv", "2025-09"), headers=w.finance_north.headers)).status_code == 404
    assert (await client.get(_url(month, "csv", "2025-13"), headers=w.finance_north.headers)).status_code == 422
    response = await client.get(
        f"/api/v1/settlements/2025-10/export?municipality_id={w.south.id}&format=sepa-credit",
        headers=w.finance_south.headers,
    )
    assert response.status_code == 422
    assert "iban, bic, creditor_id" in response.json()["detail"]
    assert response.json()["extra"] == {"missing": ["iban", "bic", "creditor_id"]}


async def test_farmer_downloads_only_his_own_statement(client, db_session, month):
    w = month.world
    url = f"/api/v1/statements/2025-10?municipality_id={month.north_id}"
    response = await client.get(url, headers=w.farmer.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    _, text = _pdf_text(response.content)
    assert "Franz Bauer" in text and "Gerda Hof" not in text and "142,42 €" in text
    assert (await client.get(f"{url}&farmer_id={w.farmer2.id}", headers=w.farmer.headers)).status_code == 403
    assert (await client.get(url, headers=w.yard_north.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    stranger = await make_person(db_session, Role.farmer, "Karl Leer", iban="DE12500105170648489890")
    await db_session.commit()
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    response = await client.get(f"{url}&farmer_id={w.farmer2.id}", headers=w.finance_north.headers)
    assert response.status_code == 200 and "Gerda Hof" in _pdf_text(response.content)[1]


async def test_web_download_for_the_finance_officer(client, month):
    w = month.world
    page = await client.get("/login")
    token = page.cookies.get("mn_csrf") or client.cookies.get("mn_csrf")
    response = await client.post(
        "/login", data={"email": w.finance_north.user.email, "password": "correct-horse-battery",
                        "_csrf_token": token},
    )
    assert response.status_code in (302, 303)
    response = await client.get("/finance/settlements/2025-10/export?format=datev")
    assert response.status_code == 200
    assert response.content.startswith(b'"EXTF";700;21')
    assert "EXTF_Buchungsstapel" in response.headers["content-disposition"]
    response = await client.get(f"/finance/settlements/2025-10/export?format=pdf&municipality_id={w.south.id}",
                                headers={"accept": "text/html"})
    assert response.status_code == 403
    response = await client.get(
        f"/account/statements/2025-10?municipality_id={w.north.id}&farmer_id={w.farmer.id}"
    )
    assert response.status_code == 200 and "Franz Bauer" in _pdf_text(response.content)[1]
    response = await client.get("/finance/settlements/2025-10/sepa-exceptions", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "Hans Ohnekonto" in response.text and "Jörg Überweiser" in response.text
    assert "keine IBAN hinterlegt" in response.text and "Lastschrift" in response.text
    assert "Franz Bauer" not in response.text


async def test_web_exception_listing_names_missing_bank_details(client, month):
    w = month.world
    page = await client.get("/login")
    token = page.cookies.get("mn_csrf") or client.cookies.get("mn_csrf")
    await client.post("/login", data={"email": w.finance_south.user.email, "password": "correct-horse-battery",
                                      "_csrf_token": token})
    response = await client.get("/finance/settlements/2025-10/sepa-exceptions", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "IBAN, BIC, Gläubiger-Identifikationsnummer" in response.text
    response = await client.get("/finance/settlements/2025-10/export?format=sepa-debit",
                                headers={"accept": "text/html"})
    assert response.status_code == 422 and "Gläubiger-Identifikationsnummer" in response.text


# --- CLI ---------------------------------------------------------------------------------------


async def test_cli_export_writes_the_file_and_reports_exceptions(committed_sessionmaker, database_url, tmp_path):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        month = await settle_month(session, world)
    env = {**os.environ, "DATABASE_URL": database_url, "MN_DATA_DIR": str(tmp_path)}

    async def cli(*args: str) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "machinery_network.cli", "export", *args],
            env=env, capture_output=True, text=True, timeout=120,
        )

    out = tmp_path / "debit.xml"
    done = await cli("--month", "2025-10", "--municipality", str(month.north_id), "--format", "sepa-debit",
                     "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert_valid(etree.parse(str(out)).getroot(), "pain.008.001.08")
    assert "Hans Ohnekonto" in done.stderr and "kein SEPA-Mandat" in done.stderr
    csv_out = tmp_path / "month.csv"
    done = await cli("--month", "2025-10", "--municipality", str(month.north_id), "--format", "csv",
                     "-o", str(csv_out))
    assert done.returncode == 0, done.stderr
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfGemeinde;Monat;Landwirt;IBAN;Belastungen")
    done = await cli("--month", "2025-09", "--municipality", str(month.north_id), "--format", "csv",
                     "-o", str(tmp_path / "none.csv"))
    assert done.returncode == 1 and "no settlement" in done.stderr.lower()
    assert not (tmp_path / "none.csv").exists()


async def test_each_text_export_names_exactly_one_charset(client, db_session, world):
    """DATEV is Windows-1252, CSV UTF-8; the Content-Type says so once."""
    from machinery_network.auth import SYSTEM
    from machinery_network.ledger import service as ledger_service
    from machinery_network.settlement import service as settlement_service

    await ledger_service.post_adjustment(
        db_session, world.finance_north.actor, farmer_id=world.farmer.id, municipality_id=world.north.id,
        value_date=date(2026, 10, 2), amount_cents=1500, reason="Reparatur", settings=get_settings(),
    )
    await settlement_service.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())
    await db_session.commit()
    expected = {"csv": "text/csv; charset=utf-8", "datev": "text/csv; charset=windows-1252"}
    for fmt, content_type in expected.items():
        response = await client.get("/api/v1/settlements/2026-10/export", headers=world.finance_north.headers,
                                    params={"municipality_id": world.north.id, "format": fmt})
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type


def test_datev_text_fields_carry_no_control_characters():
    """A reason or name typed with a bell, a tab or a line break cannot break a DATEV record."""
    from machinery_network.exports.datev import quote

    assert quote('Schaden\x07 am "Mulcher"\r\nTeil\u2028zwei') == '"Schaden am ""Mulcher"" Teil zwei"'
