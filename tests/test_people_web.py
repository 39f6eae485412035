"""The German pages of people and their accounts, and the data export (DSGVO Art. 15/20)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from machinery_network.accounts.models import User
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.notifications.models import OutboxMessage
from machinery_network.settlement import service as settlement_service
from tests.conftest import PASSWORD
from tests.test_exports import _charge
from tests.web_helpers import login, post_form

NEW_PASSWORD = "Ein-neues-Passwort-2026"


async def test_export_is_a_zip_of_everything_the_caller_owns(client, world):
    assert (await client.get("/api/v1/me/export")).status_code == 401
    response = await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", headers=world.finance_north.headers,
                                 json={"municipality_id": world.north.id, "value_date": str(date.today()),
                                       "amount_cents": 1999, "reason": "Diesel nachgetankt"})
    assert response.status_code == 201
    other = await client.post(f"/api/v1/accounts/{world.farmer2.id}/adjustments", headers=world.finance_north.headers,
                              json={"municipality_id": world.north.id, "value_date": str(date.today()),
                                    "amount_cents": 777, "reason": "Fremder Posten"})
    assert other.status_code == 201
    exported = await client.get("/api/v1/me/export", headers=world.farmer.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/zip")
    assert "attachment" in exported.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    names = set(archive.namelist())
    assert {"profil.json", "buchungen.csv", "pflegemeldungen.json", "kontobewegungen.json", "kontobewegungen.csv",
            "abrechnungen.json", "LIESMICH.txt"} <= names
    profile = json.loads(archive.read("profil.json"))
    assert profile["email"] == world.farmer.user.email and profile["iban"] == "DE02120300000000202051"
    assert "password_hash" not in profile and "session_epoch" not in profile
    entries = json.loads(archive.read("kontobewegungen.json"))
    assert [e["amount_cents"] for e in entries] == [1999]  # his, not his neighbour's
    assert "Diesel nachgetankt" in archive.read("kontobewegungen.csv").decode("utf-8-sig")
    # Staff export their own (small) data, without anyone else's.
    staff = await client.get("/api/v1/me/export", headers=world.finance_north.headers)
    assert staff.status_code == 200
    staff_entries = json.loads(zipfile.ZipFile(io.BytesIO(staff.content)).read("kontobewegungen.json"))
    assert staff_entries == []


async def test_export_holds_every_statement_in_one_pdf(client, world, db_session):
    # Three months in Nordheim, two in Südhausen; each statement a charge of its own amount (0 % VAT).
    months = [(date(2025, 8, 1), world.north), (date(2025, 9, 1), world.north), (date(2025, 9, 1), world.south),
              (date(2025, 10, 1), world.north), (date(2025, 10, 1), world.south)]
    amounts = {}
    for n, (month, municipality) in enumerate(months):
        amounts[month, municipality.name] = 10_000 + 111 * n
        await _charge(db_session, world.farmer, municipality.id, month.replace(day=14), "1", 10_000 + 111 * n, 0,
                      f"Mulcher {n}")
    await _charge(db_session, world.farmer2, world.north.id, date(2025, 9, 3), "1", 55_555, 0, "Fremder Mulcher")
    for month in sorted({m for m, _ in months}):  # in order: a later month would take an earlier one's entries
        for municipality in (world.north, world.south):
            await settlement_service.settle(db_session, SYSTEM, month, municipality.id, settings=get_settings())
    await db_session.commit()

    exported = await client.get("/api/v1/me/export", headers=world.farmer.headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/zip")
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    assert "kontoauszuege.pdf" in archive.namelist()
    assert not [name for name in archive.namelist() if name.startswith("kontoauszuege/")]
    assert "kontoauszuege.pdf" in archive.read("LIESMICH.txt").decode()
    listed = json.loads(archive.read("abrechnungen.json"))
    expected = sorted(amounts, key=lambda key: (key[0], key[1]))
    assert [(s["month"], s["municipality"], s["net_cents"]) for s in listed] == [
        (f"{month:%Y-%m}", name, amounts[month, name]) for month, name in expected]

    reader = PdfReader(io.BytesIO(archive.read("kontoauszuege.pdf")))
    labels = {8: "August 2025", 9: "September 2025", 10: "Oktober 2025"}
    assert [item.title for item in reader.outline] == [f"{labels[m.month]} – {name}" for m, name in expected]
    # Each statement from its own page (one page each here), with its footer and its pages counted from 1.
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == len(expected)
    for text, (month, name) in zip(pages, expected, strict=True):
        euros = amounts[month, name] / 100
        assert f"Abrechnung {labels[month.month]}" in text and name in text and "Franz Bauer" in text
        assert f"{euros:.2f}".replace(".", ",") + " €" in text
        assert f"{name} – Abrechnung Nr." in text and "Seite 1" in text
        assert "Fremder Mulcher" not in text and "555,55" not in text
    # The same statement as downloaded alone.
    alone = await client.get(f"/api/v1/statements/2025-09?municipality_id={world.south.id}",
                             headers=world.farmer.headers)
    assert alone.status_code == 200, alone.text
    assert PdfReader(io.BytesIO(alone.content)).pages[0].extract_text() == pages[
        expected.index((date(2025, 9, 1), world.south.name))]
    # Staff have no statements: no PDF.
    staff = await client.get("/api/v1/me/export", headers=world.finance_north.headers)
    assert "kontoauszuege.pdf" not in zipfile.ZipFile(io.BytesIO(staff.content)).namelist()


async def test_the_profile_page_saves_and_rerenders_refusals_in_german(client, world, db_session):
    assert (await client.get("/profile", follow_redirects=False)).status_code in (302, 303, 401)
    await login(client, world.farmer.user.email)
    page = await client.get("/profile")
    assert page.status_code == 200 and "Mein Profil" in page.text and 'name="viewport"' in page.text
    bad = await post_form(client, "/profile", {
        "name": "Franz Bauer", "street": "Am Anger 3", "postcode": "99834", "town": "Gerstungen",
        "iban": "DE00 1234", "vat_status": "flat_rate", "phone": ""})
    assert bad.status_code == 422 and "Ungültige IBAN" in bad.text and "Am Anger 3" in bad.text
    ok = await post_form(client, "/profile", {
        "name": "Franz Bauer", "street": "Am Anger 3", "postcode": "99834", "town": "Gerstungen",
        "iban": "DE89370400440532013000", "vat_status": "small_business", "phone": "036922 1234",
        "notify_reminder": "page"})
    assert ok.status_code == 303, ok.text
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert (user.street, user.town, user.iban, user.vat_status) == (
        "Am Anger 3", "Gerstungen", "DE89370400440532013000", "small_business")
    assert user.notify["reminder"] == "page"
    assert "Gespeichert" in (await client.get("/profile?done=saved")).text
    download = await client.get("/profile/export")
    assert download.status_code == 200 and download.content[:2] == b"PK"


async def test_password_change_page(client, world):
    await login(client, world.farmer.user.email)
    page = await client.get("/profile/password")
    assert page.status_code == 200 and "Passwort ändern" in page.text
    differs = await post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat": "etwas-anderes-1"})
    assert differs.status_code == 422 and "stimmen nicht überein" in differs.text
    common = await post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": "passwort123", "repeat": "passwort123"})
    assert common.status_code == 422 and "verbreitet" in common.text
    done = await post_form(client, "/profile/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.status_code == 303
    # Still logged in on this device, with the new session.
    assert (await client.get("/profile")).status_code == 200
    client.cookies.clear()
    await login(client, world.farmer.user.email, NEW_PASSWORD)


async def test_forgot_password_flow_in_the_browser(client, world, db_session):
    page = await client.get("/password-reset")
    assert page.status_code == 200 and "Passwort zurücksetzen" in page.text
    unknown = await post_form(client, "/password-reset", {"email": "niemand@example.org"})
    known = await post_form(client, "/password-reset", {"email": world.farmer.user.email})
    assert unknown.status_code == known.status_code == 200
    assert "unterwegs" in unknown.text and "unterwegs" in known.text
    body = await db_session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient_id == world.farmer.id))
    token = re.search(r"/password-reset/(\S+)", body).group(1)
    form = await client.get(f"/password-reset/{token}")
    assert form.status_code == 200 and "Neues Passwort" in form.text
    weak = await post_form(client, f"/password-reset/{token}", {"new_password": "kurz", "repeat": "kurz"})
    assert weak.status_code == 422 and "mindestens 10 Zeichen" in weak.text
    done = await post_form(client, f"/password-reset/{token}", {"new_password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"].startswith("/login")
    used = await client.get(f"/password-reset/{token}")
    assert used.status_code == 422 and "Neuen Link anfordern" in used.text
    await login(client, world.farmer.user.email, NEW_PASSWORD)


async def test_token_page_lists_and_revokes(client, world):
    await login(client, world.farmer.user.email)
    page = await client.get("/profile/tokens")
    assert page.status_code == 200 and "Widerrufen" in page.text
    token_id = re.search(r"/profile/tokens/(\d+)/revoke", page.text).group(1)
    done = await post_form(client, f"/profile/tokens/{token_id}/revoke", {})
    assert done.status_code == 303
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401
    assert (await post_form(client, f"/profile/tokens/{token_id}/revoke", {})).status_code == 404


async def test_admin_user_page_edits_deactivates_resets_and_erases(client, world, db_session):
    await login(client, world.admin.user.email)
    page = await client.get(f"/admin/users/{world.farmer.id}")
    assert page.status_code == 200 and "Landwirt löschen" in page.text and PASSWORD not in page.text
    bad = await post_form(client, f"/admin/users/{world.farmer.id}", {"name": "Franz", "role": "yard_head",
                                                                      "municipality_id": "", "active": "1"})
    assert bad.status_code == 422 and "Bauhofleiter und Kämmerei" in bad.text
    asked = await post_form(client, f"/admin/users/{world.farmer.id}", {"name": "Franz B.", "role": "farmer",
                                                                        "municipality_id": ""})
    # Deactivating asks first (a confirmation step without JavaScript); nothing is saved yet.
    assert asked.status_code == 200 and "wirklich deaktivieren?" in asked.text and 'value="Franz B."' in asked.text
    assert (await db_session.get(User, world.farmer.id, populate_existing=True)).active
    off = await post_form(client, f"/admin/users/{world.farmer.id}", {"name": "Franz B.", "role": "farmer",
                                                                      "municipality_id": "", "confirm_deactivate": "1"})
    assert off.status_code == 303
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert not user.active and user.name == "Franz B."
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401
    reset = await post_form(client, f"/admin/users/{world.farmer2.id}/password-reset", {})
    assert reset.status_code == 303
    assert await db_session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient_id == world.farmer2.id))
    unconfirmed = await post_form(client, f"/admin/users/{world.farmer2.id}/erase", {})
    assert unconfirmed.status_code == 422
    erased = await post_form(client, f"/admin/users/{world.farmer2.id}/erase", {"confirm": "1"})
    assert erased.status_code == 303
    assert "gelöscht" in (await client.get(f"/admin/users/{world.farmer2.id}?done=erased")).text


async def test_only_the_admin_sees_the_user_page(client, world):
    await login(client, world.yard_north.user.email)
    assert (await client.get(f"/admin/users/{world.farmer.id}")).status_code == 403
    assert (await post_form(client, f"/admin/users/{world.farmer.id}", {"name": "X", "role": "farmer"})).status_code == 403
    assert (await post_form(client, f"/admin/users/{world.farmer.id}/erase", {"confirm": "1"})).status_code == 403


async def test_an_admin_set_password_leads_to_the_change_page_at_login(client, world):
    await login(client, world.admin.user.email)
    created = await post_form(client, "/admin/users", {
        "name": "Neu", "email": "neu.web@example.org", "password": "vom-Admin-gesetzt", "role": "farmer"})
    assert created.status_code == 303
    client.cookies.clear()
    response = await login(client, "neu.web@example.org", "vom-Admin-gesetzt")
    assert response.headers["location"] == "/profile/password"
    assert "von der Verwaltung vergeben" in (await client.get("/profile/password")).text


async def test_deactivation_ends_the_browser_session_at_once(client, world, sessionmaker):
    import httpx

    await login(client, world.farmer.user.email)
    assert (await client.get("/profile")).status_code == 200
    admin = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with admin:
        await login(admin, world.admin.user.email)
        off = await post_form(admin, f"/admin/users/{world.farmer.id}", {"name": "Franz Bauer", "role": "farmer",
                                                                           "confirm_deactivate": "1"})
        assert off.status_code == 303
        again = await post_form(admin, f"/admin/users/{world.farmer.id}/password-reset", {})
        assert again.status_code == 409 and "deaktiviert" in again.text
    after = await client.get("/profile", follow_redirects=False)
    assert after.status_code == 401 or "/login" in after.headers.get("location", "")
