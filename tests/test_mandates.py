"""SEPA mandates per farmer and municipality: recording, refusals, revocation, the debit file's use of
them (exceptions, amendments), GBIC_4 formats validated against the shipped schemas, the collection date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from lxml import etree
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from machinery_network import validators
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.errors import Invalid
from machinery_network.exports import sepa, service
from machinery_network.mandates import partners
from machinery_network.mandates import service as mandates
from machinery_network.settlement import service as settlement_service
from tests.conftest import make_person
from tests.test_exports import MONTH, _charge, _credit, assert_valid

NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)  # Thursday, noon in Berlin
pytestmark = pytest.mark.usefixtures("frozen")  # the one frozen clock (conftest), at NOW
DEBIT_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
CREDIT_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def _body(world, **overrides):
    body = {"farmer_id": world.farmer.id, "municipality_id": world.north.id, "reference": "NORD-2026-001",
            "signed_on": "2026-03-01"}
    return {**body, **overrides}


async def test_finance_records_a_mandate(client, world):
    response = await client.post("/api/v1/mandates", json=_body(world, iban="DE89 3704 0044 0532 0130 00"),
                                 headers=world.finance_north.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "active" and body["reference"] == "NORD-2026-001"
    assert body["signed_on"] == "2026-03-01" and body["iban"] == "DE89370400440532013000"
    # without an IBAN the farmer's own is used
    other = await client.post("/api/v1/mandates", json=_body(world, farmer_id=world.farmer2.id, reference="N-2"),
                              headers=world.admin.headers)
    assert other.status_code == 201 and other.json()["iban"] == world.farmer2.user.iban
    listed = await client.get(f"/api/v1/mandates?municipality_id={world.north.id}",
                              headers=world.finance_north.headers)
    assert [m["id"] for m in listed.json()] == [body["id"], other.json()["id"]]
    own = await client.get("/api/v1/mandates", headers=world.farmer.headers)
    assert [m["id"] for m in own.json()] == [body["id"]]


async def test_mandate_refusals(client, world):
    path = "/api/v1/mandates"
    for person in (world.yard_north, world.finance_south, world.yard_south, world.farmer):
        assert (await client.post(path, json=_body(world), headers=person.headers)).status_code == 403
    assert (await client.post(path, json=_body(world))).status_code == 401
    headers = world.finance_north.headers
    for change in ({"reference": "ÄÖÜ"}, {"reference": "x" * 36}, {"reference": "/A"}, {"reference": "A//B"},
                   {"signed_on": "2026-12-24"}, {"iban": "DE00123"}, {"farmer_id": world.yard_north.id}):
        response = await client.post(path, json=_body(world, **change), headers=headers)
        assert response.status_code == 422, (change, response.text)
        assert response.json()["status_code"] == 422
    no_iban = await make_person_farmer(client, world)
    response = await client.post(path, json=_body(world, farmer_id=no_iban), headers=headers)
    assert response.status_code == 422 and "iban" in response.text
    assert (await client.get(f"{path}?municipality_id={world.north.id}",
                             headers=world.yard_north.headers)).status_code == 403
    assert (await client.get(f"{path}?municipality_id={world.north.id}",
                             headers=world.finance_south.headers)).status_code == 403


async def make_person_farmer(client, world) -> int:
    response = await client.post("/api/v1/users", headers=world.admin.headers, json={
        "email": "ohne.iban@example.org", "password": "pw-123456-long", "name": "Otto Ohne", "role": "farmer"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_reference_is_unique_per_municipality_409(client, world):
    headers = world.finance_north.headers
    assert (await client.post("/api/v1/mandates", json=_body(world), headers=headers)).status_code == 201
    twin = await client.post("/api/v1/mandates", json=_body(world, farmer_id=world.farmer2.id), headers=headers)
    assert twin.status_code == 409 and "NORD-2026-001" in twin.json()["detail"]
    # the same reference at another creditor is fine
    south = await client.post("/api/v1/mandates", json=_body(world, municipality_id=world.south.id),
                              headers=world.finance_south.headers)
    assert south.status_code == 201, south.text
    # a second active mandate of the same farmer with the same creditor
    second = await client.post("/api/v1/mandates", json=_body(world, reference="NORD-2026-002"), headers=headers)
    assert second.status_code == 409


async def test_database_refuses_a_duplicate_reference(db_session, world):
    await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer.id, municipality_id=world.north.id,
                                  reference="R-1", signed_on=date(2026, 1, 2))
    with pytest.raises(IntegrityError, match="uq_mandates_reference"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                "INSERT INTO mandates (farmer_id, municipality_id, reference, signed_on, iban)"
                " VALUES (:f, :m, 'R-1', '2026-01-02', 'DE02500105170137075030')"),
                {"f": world.farmer2.id, "m": world.north.id})


async def test_revoke(client, world):
    created = (await client.post("/api/v1/mandates", json=_body(world), headers=world.finance_north.headers)).json()
    path = f"/api/v1/mandates/{created['id']}/revoke"
    assert (await client.post(path, headers=world.finance_south.headers)).status_code == 403
    assert (await client.post(path, headers=world.farmer.headers)).status_code == 403
    done = await client.post(path, headers=world.finance_north.headers)
    assert done.status_code == 200 and done.json()["state"] == "revoked" and done.json()["revoked_at"]
    assert (await client.post(path, headers=world.finance_north.headers)).status_code == 409
    assert (await client.post("/api/v1/mandates/999999/revoke", headers=world.admin.headers)).status_code == 404
    # after revocation a new mandate can be recorded
    again = await client.post("/api/v1/mandates", json=_body(world, reference="NORD-2026-009"),
                              headers=world.finance_north.headers)
    assert again.status_code == 201


async def test_recording_a_mandate_makes_the_farmer_a_partner(db_session, world):
    stranger = await make_person(db_session, Role.farmer, "Neu Bauer", iban="DE02120300000000202051")
    await mandates.create_mandate(db_session, world.finance_north.actor, farmer_id=stranger.id,
                                  municipality_id=world.north.id, reference="NEU-1", signed_on=date(2026, 5, 1))
    assert await partners.is_partner(db_session, world.north.id, stranger.id)


# --- the debit file ------------------------------------------------------------------------------


async def _month(db_session, world):
    """Franz owes 120,00 and has a mandate of north; Gerda owes 50,00 and has only a mandate of south;
    a third farmer is owed 30,00 (transfer)."""
    north = world.north.id
    paul = await make_person(db_session, Role.farmer, "Paul Payout", iban="DE02500105170137075030")
    await _charge(db_session, world.farmer, north, date(2025, 10, 14), "1", 12000, 0, "Traktor")
    await _charge(db_session, world.farmer2, north, date(2025, 10, 14), "1", 5000, 0, "Traktor")
    await _credit(db_session, paul, north, date(2025, 10, 20), "1", 3000, "Hecke", "hour")
    await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer.id, municipality_id=north,
                                  reference="NORD-LS-1", signed_on=date(2025, 4, 1))
    await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer2.id, municipality_id=world.south.id,
                                  reference="SUED-LS-1", signed_on=date(2025, 4, 1))
    result = await settlement_service.settle(db_session, SYSTEM, MONTH, north, settings=get_settings())
    await db_session.commit()
    return result.settlement, paul


async def test_debit_only_with_an_active_mandate_of_that_municipality(client, db_session, world):
    await _month(db_session, world)
    response = await client.get(f"/api/v1/settlements/2025-10/export?municipality_id={world.north.id}"
                                "&format=sepa-debit", headers=world.finance_north.headers)
    assert response.status_code == 200, response.text
    assert response.headers["x-sepa-exceptions"] == f"{world.farmer2.id}:no_mandate"
    doc = etree.fromstring(response.content)
    assert_valid(doc, "pain.008.001.08")
    txs = doc.findall(".//p:DrctDbtTxInf", namespaces=DEBIT_NS)
    assert len(txs) == 1
    assert txs[0].findtext(".//p:MndtId", namespaces=DEBIT_NS) == "NORD-LS-1"
    assert txs[0].findtext(".//p:DtOfSgntr", namespaces=DEBIT_NS) == "2025-04-01"
    assert txs[0].find(".//p:AmdmntInd", namespaces=DEBIT_NS) is None
    # Export Thursday 5 Nov 2026 + 14 days = Thursday 19 Nov 2026, a business day.
    assert doc.findtext(".//p:ReqdColltnDt", namespaces=DEBIT_NS) == "2026-11-19"
    assert doc.findtext(".//p:GrpHdr/p:CreDtTm", namespaces=DEBIT_NS) == "2026-11-05T12:00:00+01:00"
    # revoked: no longer debited
    mandate = await mandates.active_mandate(db_session, world.north.id, world.farmer.id)
    await mandates.revoke_mandate(db_session, world.finance_north.actor, mandate.id)
    await db_session.commit()
    response = await client.get(f"/api/v1/settlements/2025-10/export?municipality_id={world.north.id}"
                                "&format=sepa-debit", headers=world.finance_north.headers)
    assert response.status_code == 422  # nobody left to debit
    assert sorted(response.json()["extra"]["exceptions"]) == sorted(
        [f"{world.farmer.id}:no_mandate", f"{world.farmer2.id}:no_mandate"])


async def test_transfer_file_is_pain_001_001_09_and_validates(db_session, world):
    _, paul = await _month(db_session, world)
    export = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "sepa-credit")
    doc = etree.fromstring(export.content)
    assert doc.tag == "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}Document"
    assert_valid(doc, "pain.001.001.09")
    assert doc.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=CREDIT_NS) == "2026-11-05"
    assert doc.findtext(".//p:CdtTrfTxInf//p:CdtrAcct/p:Id/p:IBAN", namespaces=CREDIT_NS) == paul.user.iban


async def test_amendment_same_bank_and_new_bank(db_session, world):
    await _month(db_session, world)
    same_bank = "DE45120300001234567890"
    validators.iban(same_bank)
    await db_session.execute(update(User).where(User.id == world.farmer.id).values(iban=same_bank))
    mandate = await mandates.active_mandate(db_session, world.north.id, world.farmer.id)
    await db_session.refresh(mandate)
    assert mandate.iban == same_bank and mandate.original_iban == "DE02120300000000202051"
    export = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "sepa-debit")
    doc = etree.fromstring(export.content)
    assert_valid(doc, "pain.008.001.08")
    tx = doc.find(".//p:DrctDbtTxInf", namespaces=DEBIT_NS)
    assert tx.findtext(".//p:AmdmntInd", namespaces=DEBIT_NS) == "true"
    assert tx.findtext(".//p:OrgnlDbtrAcct/p:Id/p:IBAN", namespaces=DEBIT_NS) == "DE02120300000000202051"
    assert tx.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=DEBIT_NS) == same_bank
    # a re-export of the same settlement carries it again; the next month's file does not
    again = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "sepa-debit")
    assert b"<AmdmntInd>true</AmdmntInd>" in again.content
    await _charge(db_session, world.farmer, world.north.id, date(2025, 11, 3), "1", 1000, 0, "Traktor")
    await settlement_service.settle(db_session, SYSTEM, date(2025, 11, 1), world.north.id, settings=get_settings())
    later = await service.export(db_session, world.finance_north.actor, date(2025, 11, 1), world.north.id,
                                 "sepa-debit")
    assert b"AmdmntInd" not in later.content
    # a move to another bank: SMNDA instead of the old account
    await db_session.execute(update(User).where(User.id == world.farmer.id).values(iban="DE89370400440532013000"))
    await _charge(db_session, world.farmer, world.north.id, date(2025, 12, 3), "1", 1000, 0, "Traktor")
    await settlement_service.settle(db_session, SYSTEM, date(2025, 12, 1), world.north.id, settings=get_settings())
    moved = await service.export(db_session, world.finance_north.actor, date(2025, 12, 1), world.north.id,
                                 "sepa-debit")
    doc = etree.fromstring(moved.content)
    assert_valid(doc, "pain.008.001.08")
    assert doc.findtext(".//p:OrgnlDbtrAgt//p:Othr/p:Id", namespaces=DEBIT_NS) == "SMNDA"


async def test_export_refuses_an_invalid_creditor_id(db_session, world):
    await _month(db_session, world)
    await db_session.execute(update(Municipality).where(Municipality.id == world.north.id)
                             .values(creditor_id="ABC 123"))
    with pytest.raises(Invalid) as info:
        await service.export(db_session, SYSTEM, MONTH, world.north.id, "sepa-debit")
    assert info.value.field == "creditor_id" and info.value.status_code == 422


async def test_municipality_creditor_id_is_checked_on_input(client, world):
    for bad in ("ABC 123", "DE67ZZZ00000123456", "DE21ZZZ00000654321"):
        response = await client.post("/api/v1/municipalities", headers=world.admin.headers,
                                     json={"name": f"Probe {bad}", "creditor_id": bad})
        assert response.status_code == 422, response.text
        assert "creditor_id" in response.text
    ok = await client.post("/api/v1/municipalities", headers=world.admin.headers,
                           json={"name": "Probe gut", "creditor_id": "DE32 ZZZ 00000123456"})
    assert ok.status_code == 201 and ok.json()["creditor_id"] == "DE32ZZZ00000123456"


# --- dates ---------------------------------------------------------------------------------------


def test_collection_date_is_the_prenotification_period_later_on_a_target2_day():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    m = Municipality(name="x")
    assert sepa.collection_date(m, berlin, date(2026, 11, 5)) == date(2026, 11, 19)  # Thursday
    assert sepa.collection_date(m, berlin, date(2026, 11, 7)) == date(2026, 11, 23)  # Sat → Mon
    assert sepa.collection_date(m, berlin, date(2026, 12, 11)) == date(2026, 12, 28)  # 25th: Fri, 26th/27th
    # 26 Mar 2027 is Good Friday, 29 Mar Easter Monday
    assert sepa.collection_date(m, berlin, date(2027, 3, 12)) == date(2027, 3, 30)
    m = SimpleNamespace(prenotification_days=1)  # the municipality's agreed period (PATCH /municipalities)
    assert sepa.collection_date(m, berlin, date(2026, 4, 2)) == date(2026, 4, 7)  # Good Fri 3, Easter Mon 6 Apr
    assert sepa.collection_date(m, berlin, date(2026, 4, 30)) == date(2026, 5, 4)  # 1 May closed, weekend
    assert not sepa.is_target2_business_day(date(2027, 1, 1))


def test_creditor_id_check_digits():
    assert validators.creditor_id("DE98ZZZ09999999999") == "DE98ZZZ09999999999"
    assert validators.creditor_id_valid("DE32ZZZ00000123456") and validators.creditor_id_valid("DE76ZZZ00000654321")
    assert not validators.creditor_id_valid("DE67ZZZ00000123456")
    assert not validators.creditor_id_valid("ABC 123")
    assert validators.creditor_id("") is None


async def test_demo_creditor_ids_are_valid_and_its_farmers_have_mandates(db_session, settings):
    from sqlalchemy import select

    from machinery_network.demo import load_demo
    from machinery_network.mandates.models import Mandate

    await load_demo(db_session, settings)
    municipalities = list(await db_session.scalars(select(Municipality)))
    assert municipalities and all(validators.creditor_id_valid(m.creditor_id) for m in municipalities)
    active = list(await db_session.scalars(select(Mandate).where(Mandate.state == "active")))
    assert len(active) >= 5
    for mandate in active:
        assert await partners.is_partner(db_session, mandate.municipality_id, mandate.farmer_id)


# --- the finance office's page ---------------------------------------------------------------------


async def test_finance_page_records_a_mandate_and_keeps_what_was_typed_on_refusal(client, db_session, world):
    from tests.web_helpers import login, post_form

    await login(client, world.finance_north.user.email)
    page = await client.get("/finance/mandates", headers={"accept": "text/html"})
    assert page.status_code == 200 and "SEPA-Lastschriftmandate" in page.text and 'name="farmer_q"' in page.text
    form = {"municipality_id": str(world.north.id), "farmer_id": str(world.farmer.id),
            "reference": "NORD-WEB-1", "signed_on": "2026-02-01", "iban": ""}
    done = await post_form(client, "/finance/mandates", form)
    assert done.status_code in (200, 303), done.text
    assert (await mandates.active_mandate(db_session, world.north.id, world.farmer.id)).reference == "NORD-WEB-1"
    twin = await post_form(client, "/finance/mandates", {**form, "farmer_id": str(world.farmer2.id)})
    assert twin.status_code == 409
    assert "schon vergeben" in twin.text and 'value="NORD-WEB-1"' in twin.text
    assert await mandates.active_mandate(db_session, world.north.id, world.farmer2.id) is None


async def test_yard_head_and_farmer_cannot_open_the_mandate_page(client, world):
    from tests.web_helpers import login

    await login(client, world.yard_north.user.email)
    assert (await client.get("/finance/mandates", headers={"accept": "text/html"})).status_code == 403


def _small_debit() -> bytes:
    from sepaxml import SepaDD

    document = SepaDD({"name": "Nordheim", "IBAN": "DE89370400440532013000", "BIC": "COBADEFFXXX", "batch": True,
                       "creditor_id": "DE98ZZZ09999999999", "currency": "EUR"}, schema="pain.008.001.08")
    document.add_payment({"name": "Franz Bauer", "IBAN": "DE02120300000000202051", "amount": 1000, "type": "RCUR",
                          "collection_date": date(2026, 12, 1), "mandate_id": "NORD-LS-1",
                          "mandate_date": date(2025, 1, 1), "description": "Abrechnung", "endtoend_id": "E1"})
    return document.export(validate=False)


def test_the_shipped_schemas_are_the_dks_gbic_4_and_gbic_5():
    from pathlib import Path

    xsd = Path(sepa.__file__).parent / "xsd"
    for message in ("pain.008.001.08", "pain.001.001.09"):
        gbic_4 = (xsd / f"{message}_GBIC_4.xsd").read_text(encoding="utf-8")
        assert "Deutschen Kreditwirtschaft" in gbic_4[:2000] and "Anlage 3, Version 3.7" in gbic_4[:2000]
        assert f'targetNamespace="urn:iso:std:iso:20022:tech:xsd:{message}"' in gbic_4
        gbic_5 = (xsd / f"{message}_GBIC_5.xsd").read_text(encoding="utf-8")
        assert "Deutschen Kreditwirtschaft" in gbic_5[:2000] and "V 3.9" in gbic_5[:2000]
    assert "GBIC_4" in (xsd / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), [
    (b'Ccy="EUR"', b'Ccy="USD"'),  # the DK subset takes euros only
    (b"<EndToEndId>E1</EndToEndId>", "<EndToEndId>E1-ä</EndToEndId>".encode()),  # outside the SEPA characters
])
def test_a_file_iso_accepts_but_the_dk_subset_refuses_is_not_served(old, new):
    xml = _small_debit()
    sepa.validate(xml, sepa.DEBIT_SCHEMA)  # the file as written passes all three
    changed = xml.replace(old, new)
    assert changed != xml
    assert sepa._schema(sepa.DEBIT_SCHEMA).validate(etree.fromstring(changed))  # ISO alone would take it
    with pytest.raises(Invalid) as refused:
        sepa.validate(changed, sepa.DEBIT_SCHEMA)
    assert "pain.008.001.08_GBIC_4.xsd" in refused.value.params["reason"]
