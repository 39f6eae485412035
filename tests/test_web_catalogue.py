"""HTML: login, the catalogue with filters, and the yard head's item form with German messages."""

from sqlalchemy import func, select

from machinery_network.catalogue.models import Item
from tests.web_helpers import csrf_token, login, post_form


async def test_pages_need_a_login_and_redirect_to_it(client):
    response = await client.get("/", headers={"accept": "text/html"})
    assert response.status_code == 302 or response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_wrong_password_rerenders_the_login_form_in_german(client, world):
    response = await post_form(client, "/login", {"email": world.farmer.user.email, "password": "falsch-falsch"})
    assert response.status_code == 401
    assert "E-Mail oder Passwort ist falsch." in response.text
    assert "<form" in response.text


async def test_login_post_without_csrf_token_is_refused(client, world):
    await client.get("/login")
    response = await client.post("/login", data={"email": world.farmer.user.email, "password": "x"})
    assert response.status_code == 403


async def test_session_is_new_after_login(client, world):
    await client.get("/login")
    before = client.cookies.get("mn_session")
    await login(client, world.farmer.user.email)
    after = client.cookies.get("mn_session")
    assert after and after != before


async def test_farmer_sees_the_catalogue_and_can_filter(client, world, db_session):
    db_session.add_all([
        Item(municipality_id=world.north.id, name="Kehrmaschine", kind="machine", unit="hour", rate_cents=6500),
        Item(municipality_id=world.south.id, name="Bauhof-Kolonne", kind="service", unit="hour", rate_cents=3900),
    ])
    await db_session.commit()
    await login(client, world.farmer.user.email)
    page = await client.get("/")
    assert page.status_code == 200
    assert "Kehrmaschine" in page.text and "Bauhof-Kolonne" in page.text
    assert "65,00 €" in page.text
    # htmx asks for the list only (the page's search placeholder mentions a sweeper, too).
    partial = {"hx-request": "true", "hx-target": "item-list"}
    only_services = await client.get("/?kind=service", headers=partial)
    assert "<html" not in only_services.text
    assert "Bauhof-Kolonne" in only_services.text and "Kehrmaschine" not in only_services.text
    by_text = await client.get("/?q=kehr", headers=partial)
    assert "Kehrmaschine" in by_text.text and "Bauhof-Kolonne" not in by_text.text
    by_municipality = await client.get(f"/?municipality_id={world.south.id}", headers=partial)
    assert "Bauhof-Kolonne" in by_municipality.text and "Kehrmaschine" not in by_municipality.text


async def test_yard_head_adds_an_item_through_the_form(client, world, db_session):
    await login(client, world.yard_north.user.email)
    response = await post_form(client, "/manage/items/new", {
        "name": "Frontlader", "kind": "machine", "unit": "day", "rate": "180,00", "operator_rate": "39",
        "vat_percent": "19", "active": "on"})
    assert response.status_code == 303, response.text
    item = await db_session.scalar(select(Item).where(Item.name == "Frontlader"))
    assert (item.rate_cents, item.operator_rate_cents, item.municipality_id) == (18000, 3900, world.north.id)
    detail = await client.get(response.headers["location"])
    assert "Frontlader" in detail.text and "180,00 €" in detail.text


async def test_item_form_accepts_german_thousand_separators(client, world, db_session):
    await login(client, world.yard_north.user.email)
    response = await post_form(client, "/manage/items/new", {
        "name": "Mähdrescher", "kind": "machine", "unit": "day", "rate": "2.400", "operator_rate": "1.250,5",
        "vat_percent": "19", "active": "on"})
    assert response.status_code == 303, response.text
    item = await db_session.scalar(select(Item).where(Item.name == "Mähdrescher"))
    assert (item.rate_cents, item.operator_rate_cents) == (240000, 125050)


async def test_item_form_rerenders_with_german_messages_and_writes_nothing(client, world, db_session):
    await login(client, world.yard_north.user.email)
    response = await post_form(client, "/manage/items/new", {
        "name": "", "kind": "machine", "unit": "hour", "rate": "-5", "vat_percent": "0"})
    assert response.status_code == 422
    assert "Pflichtfeld." in response.text
    assert "Darf nicht negativ sein." in response.text
    assert await db_session.scalar(select(func.count()).select_from(Item)) == 0
    garbage = await post_form(client, "/manage/items/new", {
        "name": "X", "kind": "machine", "unit": "hour", "rate": "zwölf", "vat_percent": "0"})
    assert garbage.status_code == 422 and "Ungültiger Wert." in garbage.text


async def test_farmer_cannot_open_the_item_form(client, world):
    await login(client, world.farmer.user.email)
    assert (await client.get("/manage/items/new")).status_code == 403
    token = await csrf_token(client)
    response = await client.post("/manage/items/new", data={"name": "X", "_csrf_token": token})
    assert response.status_code == 403


async def test_yard_head_cannot_edit_another_municipalitys_item(client, world, db_session):
    item = Item(municipality_id=world.south.id, name="Walze", kind="machine", unit="day", rate_cents=9500)
    db_session.add(item)
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    assert (await client.get(f"/manage/items/{item.id}/edit")).status_code == 403
    response = await post_form(client, f"/manage/items/{item.id}/edit", {
        "name": "Meins", "kind": "machine", "unit": "day", "rate": "1"})
    assert response.status_code == 403
    await db_session.refresh(item)
    assert item.name == "Walze"


async def test_logout_ends_the_session(client, world):
    await login(client, world.farmer.user.email)
    assert (await client.get("/")).status_code == 200
    await post_form(client, "/logout", {})
    assert (await client.get("/", headers={"accept": "text/html"})).status_code in (302, 303)


async def test_the_json_api_ignores_the_session_cookie(client, world):
    """/api is exempt from CSRF, so a logged-in browser session must not authorise API calls."""
    await login(client, world.yard_north.user.email)
    assert (await client.get("/")).status_code == 200
    response = await client.post("/api/v1/items", json={
        "municipality_id": world.north.id, "name": "X", "kind": "machine", "unit": "hour", "rate_cents": 1})
    assert response.status_code == 401
