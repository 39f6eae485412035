"""The administrator's page: municipalities and users, with German messages and refusals."""

from sqlalchemy import func, select

from machinery_network.accounts.models import Municipality, User
from tests.web_helpers import csrf_token, login, post_form


async def test_admin_adds_a_municipality_and_a_yard_head(client, world, db_session):
    await login(client, world.admin.user.email)
    page = await client.get("/admin")
    assert page.status_code == 200 and world.north.name in page.text
    response = await post_form(client, "/admin/municipalities", {
        "name": "Dankmarshausen", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX",
        "creditor_id": "DE98ZZZ09999999999", "address": ""})
    assert response.status_code == 303, response.text
    municipality = await db_session.scalar(select(Municipality).where(Municipality.name == "Dankmarshausen"))
    assert municipality.iban == "DE89370400440532013000"
    response = await post_form(client, "/admin/users", {
        "name": "Bernd Bauhof", "email": "bernd@dankmarshausen.example", "password": "lange-genug",
        "role": "yard_head", "municipality_id": str(municipality.id), "iban": ""})
    assert response.status_code == 303, response.text
    user = await db_session.scalar(select(User).where(User.email == "bernd@dankmarshausen.example"))
    assert (user.role, user.municipality_id) == ("yard_head", municipality.id)
    assert "Gespeichert." in (await client.get(response.headers["location"])).text


async def test_admin_forms_rerender_with_german_messages_and_write_nothing(client, world, db_session):
    await login(client, world.admin.user.email)
    users_before = await db_session.scalar(select(func.count()).select_from(User))
    bad_iban = await post_form(client, "/admin/municipalities", {"name": "Irgendwo", "iban": "DE00123"})
    assert bad_iban.status_code == 422 and "Ungültige IBAN" in bad_iban.text
    no_municipality = await post_form(client, "/admin/users", {
        "name": "Kim", "email": "kim@example.org", "password": "lange-genug", "role": "finance",
        "municipality_id": ""})
    assert no_municipality.status_code == 422
    assert "Bauhofleiter und Kämmerei gehören zu einer Gemeinde." in no_municipality.text
    short = await post_form(client, "/admin/users", {
        "name": "Kim", "email": "kim@example.org", "password": "kurz", "role": "farmer"})
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.text
    assert await db_session.scalar(select(func.count()).select_from(Municipality).where(
        Municipality.name == "Irgendwo")) == 0
    assert await db_session.scalar(select(func.count()).select_from(User)) == users_before


async def test_only_the_admin_sees_the_page(client, world):
    for person in (world.farmer, world.yard_north, world.finance_north):
        client.cookies.clear()
        await login(client, person.user.email)
        assert (await client.get("/admin")).status_code == 403
        token = await csrf_token(client)
        refused = await client.post("/admin/municipalities", data={"name": "X", "_csrf_token": token})
        assert refused.status_code == 403
