"""The German pages of people and their accounts, and the data export (DSGVO Art. 15/20)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

from sqlalchemy import select

from machinery_network.accounts.models import User
from machinery_network.notifications.models import OutboxMessage
from tests.conftest import PASSWORD
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
