"""People and their accounts through the API: profile, passwords, reset, logout and tokens, the
administrator's edits, who sees whom, login throttling, erasure."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from machinery_network import clock
from machinery_network.accounts import login, people
from machinery_network.accounts import service as accounts_service
from machinery_network.accounts.models import ApiToken, LoginAttempt, PasswordReset, User, UserChange
from machinery_network.accounts.passwords import check_password
from machinery_network.errors import Invalid, NotAuthenticated, TooManyRequests
from machinery_network.ledger.models import LedgerEntry
from machinery_network.notifications.models import OutboxMessage
from tests.conftest import PASSWORD

NEW_PASSWORD = "Ein-neues-Passwort-2026"


async def _token(client, email: str, password: str) -> str:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- password rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("kurz", "password.too_short"),
        ("123456789", "password.too_short"),
        (" " * 12, "password.blank"),
        ("\t \u00a0        ", "password.blank"),
        ("franz.bauer@example.org", "password.is_email"),
        ("FRANZ.BAUER", "password.is_email"),
        ("passwort123", "password.common"),
        ("  Qwertzuiop ", "password.common"),
    ],
)
def test_the_password_rules_refuse(password, key):
    with pytest.raises(Invalid) as refused:
        check_password(password, "franz.bauer@example.org")
    assert refused.value.key == key and refused.value.field == "password"


def test_a_good_password_passes():
    assert check_password("Heuwender im Oktober", "franz@example.org") == "Heuwender im Oktober"


async def test_creating_a_user_with_a_weak_password_is_422_naming_password(client, world, db_session):
    before = await db_session.scalar(select(func.count()).select_from(User))
    for password in ("passwort123", " " * 10, "x@example.org"):
        response = await client.post("/api/v1/users", headers=world.admin.headers, json={
            "email": "x@example.org", "password": password, "name": "X", "role": "farmer"})
        assert response.status_code == 422, response.text
        assert response.json()["extra"] == {"field": "password"} and "password" in response.json()["detail"]
    assert await db_session.scalar(select(func.count()).select_from(User)) == before


# --- the profile ---------------------------------------------------------------------------------


async def test_me_shows_and_changes_the_profile(client, world, db_session):
    me = await client.get("/api/v1/me", headers=world.farmer.headers)
    assert me.status_code == 200
    assert me.json()["email"] == world.farmer.user.email and me.json()["iban"] == "DE02120300000000202051"
    assert me.json()["notifications"]["booking"] == "mail"
    response = await client.patch("/api/v1/me", headers=world.farmer.headers, json={
        "name": "Franz Bauer jun.", "address": {"street": "Am Anger 3", "postcode": "99834", "town": "Gerstungen"},
        "phone": "+49 36922 1234", "iban": "DE89 3704 0044 0532 0130 00", "vat_status": "flat_rate",
        "notifications": {"reminder": "page"},
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Franz Bauer jun."
    assert body["address"] == {"street": "Am Anger 3", "postcode": "99834", "town": "Gerstungen"}
    assert body["iban"] == "DE89370400440532013000" and body["vat_status"] == "flat_rate"
    assert body["notifications"]["reminder"] == "page" and body["notifications"]["booking"] == "mail"
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert user.address == "Am Anger 3\n99834 Gerstungen"
    assert not people.wants_mail(user, "reminder") and people.wants_mail(user, "booking")
    changes = list(await db_session.scalars(
        select(UserChange).where(UserChange.user_id == world.farmer.id, UserChange.kind == "iban_changed")))
    assert len(changes) == 1 and changes[0].actor_id == world.farmer.id
    assert changes[0].details == {"old": "DE02…2051", "new": "DE89…3000"}
    # Only the fields given change.
    again = await client.patch("/api/v1/me", headers=world.farmer.headers, json={"phone": None})
    assert again.json()["phone"] is None and again.json()["name"] == "Franz Bauer jun."


@pytest.mark.parametrize(
    "body",
    [
        {"iban": "DE00123"},
        {"vat_status": "exempt"},
        {"address": {"street": "Am Anger 3", "town": "Gerstungen"}},
        {"address": {"street": "", "postcode": "99834", "town": "Gerstungen"}},
        {"phone": "call me"},
        {"name": "n" * 201},
        {"notifications": {"weather": "mail"}},
        {"notifications": {"booking": "pigeon"}},
        {"email": "new@example.org"},
        {"role": "admin"},
    ],
)
async def test_bad_profile_changes_are_422_and_change_nothing(client, world, db_session, body):
    response = await client.patch("/api/v1/me", headers=world.farmer.headers, json=body)
    assert response.status_code == 422, response.text
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert user.iban == "DE02120300000000202051" and user.vat_status is None and user.role == "farmer"
    assert user.notify == {}


async def test_staff_have_no_iban_or_vat_status_and_strangers_no_profile(client, world):
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.patch("/api/v1/me", json={"name": "X"})).status_code == 401
    for field, value in (("iban", "DE89370400440532013000"), ("vat_status", "standard")):
        response = await client.patch("/api/v1/me", headers=world.yard_north.headers, json={field: value})
        assert response.status_code == 422 and response.json()["extra"] == {"field": field}
    staff = await client.patch("/api/v1/me", headers=world.yard_north.headers, json={"phone": "036922 99"})
    assert staff.status_code == 200 and staff.json()["phone"] == "036922 99"


# --- passwords -----------------------------------------------------------------------------------


async def test_change_password_old_stops_working_other_tokens_end(client, world):
    email = world.farmer.user.email
    other = await _token(client, email, PASSWORD)
    response = await client.post("/api/v1/me/password", headers=world.farmer.headers,
                                 json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.text
    old = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    assert (await client.get("/api/v1/me", headers=_bearer(other))).status_code == 401
    # The token the change was made with keeps working; the new password logs in.
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 200
    await _token(client, email, NEW_PASSWORD)


async def test_change_password_refusals(client, world):
    url = "/api/v1/me/password"
    assert (await client.post(url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})).status_code == 401
    wrong = await client.post(url, headers=world.farmer.headers,
                              json={"current_password": "nicht-das-passwort", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and wrong.json()["extra"] == {"field": "current_password"}
    for weak in ("kurz", " " * 16, "passwort1234", world.farmer.user.email, PASSWORD):
        response = await client.post(url, headers=world.farmer.headers,
                                     json={"current_password": PASSWORD, "new_password": weak})
        assert response.status_code == 422, weak
        assert response.json()["extra"] == {"field": "password"}
    # Nothing changed: the old password still works.
    await _token(client, world.farmer.user.email, PASSWORD)


async def _reset_link(db_session, user_id: int) -> str:
    body = await db_session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.recipient_id == user_id).order_by(OutboxMessage.id.desc()))
    match = re.search(r"/password-reset/(\S+)", body or "")
    assert match, body
    return match.group(1)


async def test_password_reset_by_mail(client, world, db_session):
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "niemand@example.org"})
    known = await client.post("/api/v1/auth/password-reset", json={"email": world.farmer.user.email.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    token = await _reset_link(db_session, world.farmer.id)
    assert await db_session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.token_hash == token)) == 0  # only a keyed digest is stored

    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "kurz"})
    assert weak.status_code == 422 and weak.json()["extra"] == {"field": "password"}
    done = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401  # tokens ended
    await _token(client, world.farmer.user.email, NEW_PASSWORD)
    again = await client.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token, "new_password": "Noch-ein-Passwort-77"})
    assert again.status_code == 422 and again.json()["extra"] == {"field": "token"}
    forged = await client.post("/api/v1/auth/password-reset/confirm",
                               json={"token": "erfunden", "new_password": "Noch-ein-Passwort-77"})
    assert forged.status_code == 422


async def test_a_reset_link_expires_after_an_hour(client, world, db_session):
    await client.post("/api/v1/auth/password-reset", json={"email": world.farmer.user.email})
    token = await _reset_link(db_session, world.farmer.id)
    await db_session.execute(update(PasswordReset).where(PasswordReset.user_id == world.farmer.id).values(
        expires_at=clock.now() - timedelta(seconds=1)))
    await db_session.commit()
    late = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert late.status_code == 422
    await _token(client, world.farmer.user.email, PASSWORD)


async def test_reset_requests_are_bounded_per_hour(client, world, db_session):
    for _ in range(6):
        assert (await client.post("/api/v1/auth/password-reset",
                                  json={"email": world.farmer.user.email})).status_code == 202
    sent = await db_session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient_id == world.farmer.id))
    assert sent == people.MAX_RESETS_PER_HOUR


# --- logout, tokens ------------------------------------------------------------------------------


async def test_logout_revokes_the_token_it_is_called_with(client, world):
    other = await _token(client, world.farmer.user.email, PASSWORD)
    assert (await client.post("/api/v1/auth/logout")).status_code == 401
    assert (await client.post("/api/v1/auth/logout", headers=world.farmer.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401
    assert (await client.get("/api/v1/me", headers=_bearer(other))).status_code == 200


async def test_a_user_lists_and_revokes_his_own_tokens(client, world):
    other = await _token(client, world.farmer.user.email, PASSWORD)
    listed = await client.get("/api/v1/me/tokens", headers=world.farmer.headers)
    assert listed.status_code == 200
    tokens = listed.json()
    assert len(tokens) == 2 and sum(t["current"] for t in tokens) == 1
    other_id = next(t["id"] for t in tokens if not t["current"])
    # Someone else's token is not his to see or revoke.
    assert (await client.delete(f"/api/v1/me/tokens/{other_id}", headers=world.farmer2.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/me/tokens/{other_id}")).status_code == 401
    assert (await client.delete(f"/api/v1/me/tokens/{other_id}", headers=world.farmer.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=_bearer(other))).status_code == 401
    assert (await client.delete(f"/api/v1/me/tokens/{other_id}", headers=world.farmer.headers)).status_code == 404


# --- the administrator ---------------------------------------------------------------------------


async def test_admin_edits_and_deactivates_a_user(client, world, db_session):
    url = f"/api/v1/users/{world.yard_north.id}"
    moved = await client.patch(url, headers=world.admin.headers,
                               json={"name": "Yannick Süd", "municipality_id": world.south.id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["municipality_id"] == world.south.id and moved.json()["name"] == "Yannick Süd"
    # A new municipality means new rights: the old token ended.
    assert (await client.get("/api/v1/me", headers=world.yard_north.headers)).status_code == 401

    farmer_token = await _token(client, world.farmer.user.email, PASSWORD)
    off = await client.patch(f"/api/v1/users/{world.farmer.id}", headers=world.admin.headers, json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await client.get("/api/v1/me", headers=_bearer(farmer_token))).status_code == 401
    assert (await client.post("/api/v1/auth/token",
                              json={"email": world.farmer.user.email, "password": PASSWORD})).status_code == 401
    assert await db_session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == world.farmer.id)) == 0
    kinds = set(await db_session.scalars(select(UserChange.kind).where(UserChange.actor_id == world.admin.id)))
    assert kinds == {"updated", "deactivated"}


async def test_deactivation_ends_a_token_cached_by_another_process_within_ten_seconds(world, db_session):
    """The cache entry lives 10 s at most (``TokenCache.seconds``); the token row itself is gone."""
    assert accounts_service.token_cache.seconds <= 10
    assert await accounts_service.actor_from_token(db_session, world.farmer.token) is not None
    await people.update_user(db_session, world.admin.actor, world.farmer.id, {"active": False})
    accounts_service.token_cache.clear()  # what expiry does after at most 10 s elsewhere
    assert await accounts_service.actor_from_token(db_session, world.farmer.token) is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"role": "yard_head"}, 422),  # a yard head needs a municipality
        ({"municipality_id": 1}, 422),  # a farmer has none
        ({"role": "emperor"}, 422),
        ({"active": "maybe"}, 422),
        ({"name": ""}, 422),
        ({"email": "x@example.org"}, 422),
    ],
)
async def test_bad_user_edits_are_refused(client, world, db_session, body, status):
    response = await client.patch(f"/api/v1/users/{world.farmer.id}", headers=world.admin.headers, json=body)
    assert response.status_code == status, response.text
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert user.role == "farmer" and user.municipality_id is None and user.active


async def test_only_the_admin_edits_users(client, world):
    url = f"/api/v1/users/{world.farmer.id}"
    assert (await client.patch(url, json={"active": False})).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_north):
        assert (await client.patch(url, headers=person.headers, json={"active": False})).status_code == 403
    assert (await client.patch("/api/v1/users/999999", headers=world.admin.headers,
                               json={"active": False})).status_code == 404
    # The administrator cannot lock himself out.
    own = await client.patch(f"/api/v1/users/{world.admin.id}", headers=world.admin.headers, json={"active": False})
    assert own.status_code == 409


async def test_an_admin_set_password_must_be_changed(client, world):
    created = await client.post("/api/v1/users", headers=world.admin.headers, json={
        "email": "neu@example.org", "password": "vom-Admin-gesetzt", "name": "Neu", "role": "farmer"})
    issued = await client.post("/api/v1/auth/token", json={"email": "neu@example.org", "password": "vom-Admin-gesetzt"})
    assert issued.json()["password_change_required"] is True
    token = issued.json()["token"]
    me = await client.get("/api/v1/me", headers=_bearer(token))
    assert me.json()["id"] == created.json()["id"] and me.json()["password_change_required"] is True
    await client.post("/api/v1/me/password", headers=_bearer(token),
                      json={"current_password": "vom-Admin-gesetzt", "new_password": NEW_PASSWORD})
    assert (await client.get("/api/v1/me", headers=_bearer(token))).json()["password_change_required"] is False


async def test_admin_forces_a_reset_without_learning_a_password(client, world, db_session):
    url = f"/api/v1/users/{world.farmer.id}/password-reset"
    assert (await client.post(url)).status_code == 401
    assert (await client.post(url, headers=world.yard_north.headers)).status_code == 403
    assert (await client.post("/api/v1/users/999999/password-reset", headers=world.admin.headers)).status_code == 404
    response = await client.post(url, headers=world.admin.headers)
    assert response.status_code == 202
    assert "password" not in response.text
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401
    assert (await client.post("/api/v1/auth/token",
                              json={"email": world.farmer.user.email, "password": PASSWORD})).status_code == 401
    token = await _reset_link(db_session, world.farmer.id)
    assert (await client.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token, "new_password": NEW_PASSWORD})).status_code == 204
    await _token(client, world.farmer.user.email, NEW_PASSWORD)


# --- who sees whom -------------------------------------------------------------------------------


async def test_staff_list_only_their_partners_and_only_finance_sees_the_iban(client, db_session, world):
    """Staff list their municipality's contract partners (``partners``): the world's two farmers deal
    with both municipalities; a farmer who deals with neither is listed to nobody but the admin, and one
    assigned a section of the north becomes the north's partner (and only the north's)."""
    from tests.conftest import make_person

    newcomer = await make_person(db_session, "farmer", "Neu Landwirt")
    await db_session.commit()
    section = await client.post("/api/v1/sections", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Feldweg Ost", "kind": "path", "length_m": 800,
        "task": "verge_mowing", "unit": "metre", "rate_cents": 5})
    assert section.status_code == 201, section.text
    assigned = await client.post(f"/api/v1/sections/{section.json()['id']}/assignments",
                                 headers=world.yard_north.headers,
                                 json={"farmer_id": newcomer.id, "valid_from": str(date.today())})
    assert assigned.status_code == 201, assigned.text

    partners = {world.farmer.id, world.farmer2.id}
    yard = (await client.get("/api/v1/users", headers=world.yard_north.headers)).json()
    assert {u["id"] for u in yard} == partners | {newcomer.id} and all(u["iban"] is None for u in yard)
    finance = {u["id"]: u for u in (await client.get("/api/v1/users", headers=world.finance_north.headers)).json()}
    assert set(finance) == partners | {newcomer.id}
    assert finance[world.farmer.id]["iban"] == "DE02120300000000202051"
    assert {u["id"] for u in (await client.get("/api/v1/users", headers=world.yard_south.headers)).json()} == partners
    admin = (await client.get("/api/v1/users", headers=world.admin.headers)).json()
    assert {world.farmer.id, world.farmer2.id, world.admin.id, newcomer.id} <= {u["id"] for u in admin}
    assert (await client.get("/api/v1/users", headers=world.farmer.headers)).status_code == 403
    assert (await client.get("/api/v1/users")).status_code == 401


# --- login throttling ----------------------------------------------------------------------------


@pytest.fixture
def delays(monkeypatch) -> list[float]:
    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(login, "login_sleep", record)
    return waited


async def test_guessing_from_many_addresses_never_locks_the_owner_out(world, db_session, delays):
    email = world.finance_north.user.email
    for n in range(40):
        with pytest.raises(NotAuthenticated):
            await accounts_service.authenticate(db_session, email, f"geraten-{n}", f"203.0.113.{n}")
    assert max(delays) == accounts_service.MAX_LOGIN_DELAY  # slowed down to a minute per try …
    assert delays == sorted(delays)
    delays.clear()
    user = await accounts_service.authenticate(db_session, email, PASSWORD, "198.51.100.7")
    assert user.id == world.finance_north.id  # … but the right password still gets in
    assert delays == [accounts_service.MAX_LOGIN_DELAY]


async def test_one_address_guessing_one_account_is_refused_only_there(world, db_session, delays):
    email = world.farmer.user.email
    for _ in range(accounts_service.MAX_FAILURES_PER_PAIR):
        with pytest.raises(NotAuthenticated):
            await accounts_service.authenticate(db_session, email, "falsch-falsch", "203.0.113.9")
    with pytest.raises(TooManyRequests):
        await accounts_service.authenticate(db_session, email, PASSWORD, "203.0.113.9")
    assert (await accounts_service.authenticate(db_session, email, PASSWORD, "198.51.100.7")).id == world.farmer.id
    # The owner's success clears only his own address's failures.
    assert await db_session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email)) == accounts_service.MAX_FAILURES_PER_PAIR


async def test_one_address_guessing_many_accounts_is_refused(world, db_session, delays):
    for n in range(accounts_service.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(NotAuthenticated):
            await accounts_service.authenticate(db_session, f"gibt-es-nicht-{n}@example.org", "x" * 12, "203.0.113.1")
    with pytest.raises(TooManyRequests):
        await accounts_service.authenticate(db_session, world.farmer2.user.email, PASSWORD, "203.0.113.1")
    assert delays == []


def test_the_delay_grows_exponentially_up_to_a_minute():
    assert [accounts_service.login_delay_seconds(n) for n in (0, 4, 5, 6, 7, 10, 11, 500)] == [
        0, 0, 1, 2, 4, 32, 60, 60]


# --- erasure -------------------------------------------------------------------------------------


async def _adjust(client, world, cents: int) -> None:
    response = await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", headers=world.finance_north.headers,
                                 json={"municipality_id": world.north.id, "value_date": str(date.today()),
                                       "amount_cents": cents, "reason": "Diesel"})
    assert response.status_code == 201, response.text


async def test_erasure_is_refused_with_an_open_balance_then_pseudonymises(client, world, db_session):
    url = f"/api/v1/users/{world.farmer.id}/erase"
    email = world.farmer.user.email
    await _adjust(client, world, 4250)
    assert (await client.post(url)).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_north):
        assert (await client.post(url, headers=person.headers)).status_code == 403
    refused = await client.post(url, headers=world.admin.headers)
    assert refused.status_code == 409 and "42,50" in refused.json()["detail"]
    assert refused.json()["extra"]["open_balances"][0]["balance_cents"] == 4250
    assert (await client.post(f"/api/v1/users/{world.yard_north.id}/erase", headers=world.admin.headers)).status_code == 422
    assert (await client.post("/api/v1/users/999999/erase", headers=world.admin.headers)).status_code == 404

    await _adjust(client, world, -4250)
    erased = await client.post(url, headers=world.admin.headers)
    assert erased.status_code == 200, erased.text
    assert erased.json()["name"] == people.pseudonym(world.farmer.id) and erased.json()["erased"] is True
    user = await db_session.get(User, world.farmer.id, populate_existing=True)
    assert user.iban is None and user.address is None and not user.active
    assert user.email != email and user.name != "Franz Bauer"
    # The books stay as booked.
    assert await db_session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.farmer_id == world.farmer.id)) == 2
    assert await db_session.scalar(select(func.count()).select_from(UserChange).where(
        UserChange.user_id == world.farmer.id, UserChange.kind == "erased")) == 1
    assert (await client.get("/api/v1/me", headers=world.farmer.headers)).status_code == 401
    assert (await client.post(url, headers=world.admin.headers)).status_code == 409
    assert (await client.patch(f"/api/v1/users/{world.farmer.id}", headers=world.admin.headers,
                               json={"active": True})).status_code == 409


async def test_erasure_waits_for_open_bookings(client, world):
    item = await client.post("/api/v1/items", headers=world.yard_north.headers, json={
        "municipality_id": world.north.id, "name": "Mulcher", "kind": "machine", "unit": "hour", "rate_cents": 2500})
    assert item.status_code == 201, item.text
    start = clock.now().replace(microsecond=0) + timedelta(days=3)
    booking = await client.post("/api/v1/bookings", headers=world.farmer.headers, json={
        "item_id": item.json()["id"], "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
        "with_operator": False})
    assert booking.status_code == 201, booking.text
    refused = await client.post(f"/api/v1/users/{world.farmer.id}/erase", headers=world.admin.headers)
    assert refused.status_code == 409 and "1 offene" not in refused.json()["detail"]
    assert "1 open booking" in refused.json()["detail"]
    cancelled = await client.post(f"/api/v1/bookings/{booking.json()['id']}/cancel", headers=world.farmer.headers)
    assert cancelled.status_code == 200
    assert (await client.post(f"/api/v1/users/{world.farmer.id}/erase", headers=world.admin.headers)).status_code == 200
