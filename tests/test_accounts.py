"""Municipalities, users and login tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from machinery_network.accounts import access
from machinery_network.accounts import service as accounts_service
from machinery_network.accounts.models import Municipality, User
from machinery_network.auth import SYSTEM
from tests.conftest import PASSWORD


async def test_admin_creates_a_municipality_with_bank_details(client, world):
    response = await client.post("/api/v1/municipalities", headers=world.admin.headers, json={
        "name": "Dankmarshausen", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX",
        "creditor_id": "DE98ZZZ09999999999"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] > 0 and body["name"] == "Dankmarshausen"
    assert body["iban"] == "DE89370400440532013000"


async def test_municipality_refusals(client, world, db_session):
    before = await db_session.scalar(select(func.count()).select_from(Municipality))
    assert (await client.post("/api/v1/municipalities", json={"name": "X"})).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_north):
        response = await client.post("/api/v1/municipalities", json={"name": "X"}, headers=person.headers)
        assert response.status_code == 403
    bad_iban = await client.post("/api/v1/municipalities", headers=world.admin.headers,
                                 json={"name": "Y", "iban": "DE00123"})
    assert bad_iban.status_code == 422 and "IBAN" in bad_iban.json()["detail"]
    too_long = await client.post("/api/v1/municipalities", headers=world.admin.headers, json={"name": "Z" * 201})
    assert too_long.status_code == 422
    duplicate = await client.post("/api/v1/municipalities", headers=world.admin.headers,
                                  json={"name": world.north.name})
    assert duplicate.status_code == 409
    assert await db_session.scalar(select(func.count()).select_from(Municipality)) == before


async def test_admin_creates_users_and_they_can_get_a_token(client, world):
    response = await client.post("/api/v1/users", headers=world.admin.headers, json={
        "email": "Neu.Bauer@Example.org", "password": "lange-genug", "name": "Neu Bauer", "role": "farmer",
        "iban": "DE02120300000000202051"})
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    token = await client.post("/api/v1/auth/token", json={"email": "neu.bauer@example.org", "password": "lange-genug"})
    assert token.status_code == 200
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['token']}"})
    assert me.json()["id"] == user_id and me.json()["role"] == "farmer"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"role": "yard_head"}, 422),  # needs a municipality
        ({"role": "farmer", "municipality_id": 1}, 422),  # farmers are not bound to one
        ({"role": "emperor"}, 422),
        ({"password": "short"}, 422),
        ({"email": "not-an-email"}, 422),
        ({"name": "n" * 201}, 422),
        ({"iban": "DE00000"}, 422),
    ],
)
async def test_bad_user_input_is_refused_and_writes_nothing(client, world, db_session, body, status):
    before = await db_session.scalar(select(func.count()).select_from(User))
    full = {"email": "x@example.org", "password": "lange-genug", "name": "X", "role": "farmer", **body}
    response = await client.post("/api/v1/users", headers=world.admin.headers, json=full)
    assert response.status_code == status, response.text
    assert await db_session.scalar(select(func.count()).select_from(User)) == before


async def test_only_admin_creates_users(client, world):
    body = {"email": "x@example.org", "password": "lange-genug", "name": "X", "role": "farmer"}
    assert (await client.post("/api/v1/users", json=body)).status_code == 401
    assert (await client.post("/api/v1/users", json=body, headers=world.yard_north.headers)).status_code == 403
    duplicate = {**body, "email": world.farmer.user.email}
    assert (await client.post("/api/v1/users", json=duplicate, headers=world.admin.headers)).status_code == 409


async def test_wrong_password_is_401_and_repeated_failures_are_throttled(client, world):
    email = world.farmer.user.email
    for _ in range(5):
        response = await client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-password"})
        assert response.status_code == 401
    # The account is now locked for a while, even with the right password.
    locked = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    # Another account from the same address still works (the per-address limit is higher).
    other = await client.post("/api/v1/auth/token", json={"email": world.farmer2.user.email, "password": PASSWORD})
    assert other.status_code == 200


async def test_unknown_account_gets_the_same_401(client):
    response = await client.post("/api/v1/auth/token", json={"email": "nobody@example.org", "password": "whatever1"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong e-mail or password."


# --- the token cache --------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_token_is_looked_up_once_then_served_from_the_cache_for_a_while(
    client, world, db_session, monkeypatch
):
    clock = _Clock()
    monkeypatch.setattr(access.time, "monotonic", clock)
    assert (await client.get("/api/v1/bookings", headers=world.farmer.headers)).status_code == 200
    # The token disappears behind the service's back (nothing in the service does this).
    await db_session.execute(text("DELETE FROM api_tokens WHERE user_id = :u"), {"u": world.farmer.id})
    await db_session.commit()
    clock.now += accounts_service.token_cache.seconds - 1
    assert (await client.get("/api/v1/bookings", headers=world.farmer.headers)).status_code == 200
    clock.now += 2
    assert (await client.get("/api/v1/bookings", headers=world.farmer.headers)).status_code == 401


async def test_the_cache_never_keeps_a_token_past_its_expiry(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(access.time, "monotonic", clock)
    cache = accounts_service.TokenCache(seconds=10)
    cache.put("d", SYSTEM, datetime.now(UTC) + timedelta(seconds=3))
    clock.now += 2
    assert cache.get("d") is SYSTEM
    clock.now += 2
    assert cache.get("d") is None


async def test_the_cache_is_bounded(monkeypatch):
    cache = accounts_service.TokenCache(seconds=10, size=3)
    later = datetime.now(UTC) + timedelta(days=1)
    for n in range(3):
        cache.put(str(n), SYSTEM, later)
    assert all(cache.get(str(n)) is SYSTEM for n in range(3))
    cache.put("3", SYSTEM, later)
    assert len(cache._entries) <= 3 and cache.get("3") is SYSTEM
