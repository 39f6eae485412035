"""Networks as tenants: the operator's networks and figures, admins bound to a network, agreements,
network_id filled and checked by the database, the migration of existing data, the CLI."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network import cli
from machinery_network.accounts import service as accounts
from machinery_network.accounts.models import Role
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.migrate import upgrade
from machinery_network.testing import scratch_database
from tests.conftest import PASSWORD, Person, make_person


async def _operator(session) -> Person:
    return await make_person(session, Role.operator, "Olga Operator")


async def _network_with_admin(client, operator: Person, name: str) -> tuple[int, dict[str, str]]:
    r = await client.post("/api/v1/networks", json={"name": name}, headers=operator.headers)
    assert r.status_code == 201, r.text
    network_id = r.json()["id"]
    email = f"admin.{uuid.uuid4().hex[:6]}@example.org"
    r = await client.post("/api/v1/users", headers=operator.headers, json={
        "email": email, "password": PASSWORD, "name": f"Admin {name}", "role": "admin", "network_id": network_id,
    })
    assert r.status_code == 201, r.text
    assert r.json()["network_id"] == network_id
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return network_id, {"Authorization": f"Bearer {r.json()['token']}"}


async def test_operator_creates_networks_and_their_admins(client, db_session, world):
    operator = await _operator(db_session)
    assert operator.user.network_id is None
    r = await client.post("/api/v1/networks", json={"name": "Rhön"}, headers=operator.headers)
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "Rhön" and isinstance(body["id"], int)
    r = await client.post("/api/v1/networks", json={"name": "Rhön"}, headers=operator.headers)
    assert r.status_code == 409
    # Neither an admin nor a farmer creates networks.
    for person in (world.admin, world.farmer):
        r = await client.post("/api/v1/networks", json={"name": "Eichsfeld"}, headers=person.headers)
        assert r.status_code == 403
    # The operator creates administrators only, and names their network.
    r = await client.post("/api/v1/users", headers=operator.headers, json={
        "email": "f@example.org", "password": PASSWORD, "name": "F", "role": "farmer", "network_id": body["id"]})
    assert r.status_code == 403
    r = await client.post("/api/v1/users", headers=operator.headers, json={
        "email": "a@example.org", "password": PASSWORD, "name": "A", "role": "admin"})
    assert r.status_code == 422
    r = await client.post("/api/v1/users", headers=operator.headers, json={
        "email": "a@example.org", "password": PASSWORD, "name": "A", "role": "admin", "network_id": 999999})
    assert r.status_code == 404


async def test_operator_sees_figures_per_network_and_no_personal_data(client, db_session, world):
    operator = await _operator(db_session)
    network_id, admin = await _network_with_admin(client, operator, "Rhön")
    r = await client.post("/api/v1/municipalities", json={"name": "Tann"}, headers=admin)
    assert r.status_code == 201 and r.json()["network_id"] == network_id
    r = await client.get("/api/v1/networks", headers=operator.headers)
    assert r.status_code == 200
    by_id = {n["id"]: n for n in r.json()}
    assert by_id[network_id]["figures"]["municipalities"] == 1
    assert by_id[network_id]["figures"]["admins"] == 1
    first = world.admin.user.network_id
    assert by_id[first]["figures"]["farmers"] >= 2
    assert by_id[first]["figures"]["municipalities"] >= 2
    # Figures are counts: no names, no e-mail addresses, no IBANs.
    assert "Franz" not in r.text and "@" not in r.text and "DE02" not in r.text
    # The operator reads no users (personal data).
    r = await client.get("/api/v1/users", headers=operator.headers)
    assert r.status_code == 403
    # An admin sees his own network only, without figures of others.
    r = await client.get("/api/v1/networks", headers=admin)
    assert [n["id"] for n in r.json()] == [network_id]


async def test_an_admin_works_inside_his_network(client, db_session, world):
    operator = await _operator(db_session)
    network_id, admin = await _network_with_admin(client, operator, "Rhön")
    r = await client.post("/api/v1/municipalities", json={"name": world.north.name}, headers=admin)
    assert r.status_code == 201, "municipality names are unique within a network, not across"
    municipality_id = r.json()["id"]
    r = await client.post("/api/v1/users", headers=admin, json={
        "email": "yard.rhoen@example.org", "password": PASSWORD, "name": "Yara", "role": "yard_head",
        "municipality_id": municipality_id})
    assert r.status_code == 201 and r.json()["network_id"] == network_id
    # Staff of another network's municipality cannot be made.
    r = await client.post("/api/v1/users", headers=admin, json={
        "email": "x@example.org", "password": PASSWORD, "name": "X", "role": "yard_head",
        "municipality_id": world.north.id})
    assert r.status_code == 404
    # Nor users for another network.
    r = await client.post("/api/v1/users", headers=admin, json={
        "email": "y@example.org", "password": PASSWORD, "name": "Y", "role": "farmer",
        "network_id": world.admin.user.network_id})
    assert r.status_code == 403
    # The admin's lists are his network's.
    r = await client.get("/api/v1/users", headers=admin)
    assert {u["network_id"] for u in r.json()} == {network_id}
    r = await client.get("/api/v1/municipalities", headers=admin)
    assert [m["id"] for m in r.json()] == [municipality_id]
    # An item of that municipality carries the network.
    r = await client.post("/api/v1/auth/token", json={"email": "yard.rhoen@example.org", "password": PASSWORD})
    yard = {"Authorization": f"Bearer {r.json()['token']}"}
    r = await client.post("/api/v1/items", headers=yard, json={
        "municipality_id": municipality_id, "name": "Mulcher", "kind": "machine", "unit": "hour", "rate_cents": 4000})
    assert r.status_code == 201 and r.json()["network_id"] == network_id and r.json()["shared"] is False
    r = await client.patch(f"/api/v1/items/{r.json()['id']}", headers=yard, json={"shared": True})
    assert r.status_code == 200 and r.json()["shared"] is True


async def test_agreements_are_proposed_confirmed_by_the_other_and_revoked(client, db_session, world):
    operator = await _operator(db_session)
    a, admin_a = await _network_with_admin(client, operator, "Rhön")
    b, admin_b = await _network_with_admin(client, operator, "Eichsfeld")
    c, admin_c = await _network_with_admin(client, operator, "Hainich")
    r = await client.post(f"/api/v1/networks/{b}/agreements", json={"other_network_id": a}, headers=admin_a)
    assert r.status_code == 403, "only the admin of the proposing network"
    r = await client.post(f"/api/v1/networks/{a}/agreements", json={"other_network_id": a}, headers=admin_a)
    assert r.status_code == 422
    r = await client.post(f"/api/v1/networks/{a}/agreements", json={"other_network_id": b}, headers=admin_a)
    assert r.status_code == 201
    agreement = r.json()
    assert agreement["state"] == "proposed"
    r = await client.post(f"/api/v1/networks/{b}/agreements", json={"other_network_id": a}, headers=admin_b)
    assert r.status_code == 409, "one live agreement per pair"
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/confirm", headers=admin_a)
    assert r.status_code == 403, "the proposer cannot confirm his own proposal"
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/confirm", headers=admin_c)
    assert r.status_code == 404, "a third network does not know the agreement"
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/confirm", headers=world.farmer.headers)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/confirm", headers=admin_b)
    assert r.status_code == 200 and r.json()["state"] == "active"
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/confirm", headers=admin_b)
    assert r.status_code == 409
    r = await client.get(f"/api/v1/networks/{b}/agreements", headers=admin_b)
    assert [x["id"] for x in r.json()] == [agreement["id"]]
    r = await client.get(f"/api/v1/networks/{b}/agreements", headers=admin_c)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/revoke", headers=admin_a)
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    r = await client.post(f"/api/v1/agreements/{agreement['id']}/revoke", headers=admin_b)
    assert r.status_code == 409
    # After a revocation the two may agree again.
    r = await client.post(f"/api/v1/networks/{b}/agreements", json={"other_network_id": a}, headers=admin_b)
    assert r.status_code == 201


# --- the database: network_id filled from the parent, never across networks -----------------------


# Written as the tables' owner, bypassing the application and its row-level security on purpose.
as_owner = pytest.mark.skipif(os.environ.get("MN_TEST_APP_ROLE") == "1", reason="writes as the owner")


async def _second_network(session) -> tuple[int, int, int]:
    """A second network with a municipality and an item (ids), written without the application."""
    network_id = await session.scalar(text("INSERT INTO networks (name) VALUES (:n) RETURNING id"),
                                      {"n": f"Zweites {uuid.uuid4().hex[:4]}"})
    municipality_id = await session.scalar(text(
        "INSERT INTO municipalities (name, network_id, datev_consultant_number, datev_client_number) "
        "VALUES ('Andere', :n, 1001, 1) RETURNING id"), {"n": network_id})
    item_id = await session.scalar(text(
        "INSERT INTO items (municipality_id, name, kind, unit, rate_cents, active) "
        "VALUES (:m, 'Fremder Mulcher', 'machine', 'hour', 100, true) RETURNING id"), {"m": municipality_id})
    return network_id, municipality_id, item_id


@as_owner
async def test_new_rows_take_the_network_of_their_parent(db_session, world):
    network_id, municipality_id, item_id = await _second_network(db_session)
    assert await db_session.scalar(text("SELECT network_id FROM items WHERE id = :i"), {"i": item_id}) == network_id
    farmer_network = world.farmer.user.network_id
    start = datetime.now(UTC) + timedelta(days=3)
    booking_network = await db_session.scalar(text(
        "INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status) "
        "VALUES (:i, :f, :s, :e, false, 'requested') RETURNING network_id"),
        {"i": item_id, "f": world.farmer.id, "s": start, "e": start + timedelta(hours=2)})
    assert booking_network == network_id != farmer_network


@as_owner
async def test_a_row_of_one_network_never_points_into_another(db_session, world):
    """Bypassing the application: a booking of network A referencing an item of network B is refused."""
    own_network = world.admin.user.network_id
    _, other_municipality, other_item = await _second_network(db_session)
    start = datetime.now(UTC) + timedelta(days=3)
    statements = [
        ("INSERT INTO bookings (network_id, item_id, farmer_id, start_at, end_at, with_operator, status) "
         "VALUES (:n, :i, :f, :s, :e, false, 'requested')",
         {"n": own_network, "i": other_item, "f": world.farmer.id, "s": start, "e": start + timedelta(hours=1)}),
        ("INSERT INTO items (network_id, municipality_id, name, kind, unit, rate_cents, active) "
         "VALUES (:n, :m, 'x', 'machine', 'hour', 1, true)", {"n": own_network, "m": other_municipality}),
        ("INSERT INTO blocks (network_id, item_id, start_at, end_at, reason) VALUES (:n, :i, :s, :e, 'x')",
         {"n": own_network, "i": other_item, "s": start, "e": start + timedelta(hours=1)}),
        ("UPDATE users SET municipality_id = :m WHERE id = :u", {"m": other_municipality, "u": world.yard_north.id}),
    ]
    for sql, params in statements:
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                await db_session.execute(text(sql), params)
    # A settlement line takes its network from its settlement (checked once per statement, migration 0037).
    other_network = await db_session.scalar(text("SELECT network_id FROM municipalities WHERE id = :m"),
                                            {"m": other_municipality})
    pending = await db_session.scalar(text(
        "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count, total_charges_cents,"
        " total_credits_cents, total_net_cents, run_by_label, frozen)"
        " VALUES (:m, DATE '2031-01-01', DATE '2031-01-31', 0, 0, 0, 0, 0, '', false) RETURNING id"),
        {"m": world.north.id})
    line = ("INSERT INTO settlement_lines (network_id, settlement_id, farmer_id, charges_cents, credits_cents,"
            " net_cents, entry_count) VALUES (:n, :s, :f, 1, 0, 1, 1)")
    with pytest.raises(DBAPIError, match="in the network of the line"):
        async with db_session.begin_nested():
            await db_session.execute(text(line), {"n": other_network, "s": pending, "f": world.farmer.id})
    with pytest.raises(DBAPIError, match="must belong to a farmer"):  # a yard head is no farmer
        async with db_session.begin_nested():
            await db_session.execute(text(line), {"n": own_network, "s": pending, "f": world.yard_north.id})
    async with db_session.begin_nested():  # the same line in its settlement's network is taken
        await db_session.execute(text(line), {"n": own_network, "s": pending, "f": world.farmer.id})
    # And a row never moves to another network.
    with pytest.raises(DBAPIError, match="never changes"):
        async with db_session.begin_nested():
            await db_session.execute(text("UPDATE users SET network_id = (SELECT max(id) FROM networks) "
                                          "WHERE id = :u"), {"u": world.farmer.id})


@as_owner
async def test_with_two_networks_the_system_must_name_the_network(sessionmaker, db_session, world):
    await _second_network(db_session)
    await db_session.commit()
    async with sessionmaker() as fresh, fresh.begin():
        with pytest.raises(Exception) as caught:
            await accounts.create_user(fresh, SYSTEM, email="z@example.org", password=PASSWORD, name="Z",
                                       role=Role.admin)
    assert getattr(caught.value, "status_code", None) == 422


# --- the migration carries existing data into one network ---------------------------------------


async def test_migration_moves_existing_data_into_one_network(server_url):
    async with scratch_database(server_url, "mn_netmig", migrate=False) as url:
        await upgrade(url, "0006_cost_calculations")
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                m = await conn.scalar(text(
                    "INSERT INTO municipalities (name, datev_consultant_number, datev_client_number, "
                    "datev_receivable_account, datev_revenue_account, datev_revenue_account_reduced, "
                    "datev_revenue_account_exempt, datev_expense_account) "
                    "VALUES ('Gerstungen', 1001, 1, 10000, 8400, 8300, 8200, 4900) RETURNING id"))
                farmer = await conn.scalar(text(
                    "INSERT INTO users (email, name, password_hash, role, active) "
                    "VALUES ('f@example.org', 'F', 'x', 'farmer', true) RETURNING id"))
                await conn.execute(text(
                    "INSERT INTO users (email, name, password_hash, role, municipality_id, active) "
                    "VALUES ('y@example.org', 'Y', 'x', 'yard_head', :m, true)"), {"m": m})
                item = await conn.scalar(text(
                    "INSERT INTO items (municipality_id, name, kind, unit, rate_cents, active) "
                    "VALUES (:m, 'Mulcher', 'machine', 'hour', 100, true) RETURNING id"), {"m": m})
                start = datetime(2026, 1, 5, 8, tzinfo=UTC)
                booking = await conn.scalar(text(
                    "INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status) "
                    "VALUES (:i, :f, :s, :e, false, 'completed') RETURNING id"),
                    {"i": item, "f": farmer, "s": start, "e": start + timedelta(hours=2)})
                await conn.execute(text(
                    "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, "
                    "net_cents, vat_cents, vat_percent, text, booking_id) "
                    "VALUES (:f, :m, '2026-01-05', 'charge', 200, 200, 0, 0, 'Mulcher', :b)"),
                    {"f": farmer, "m": m, "b": booking})
            await upgrade(url)
            async with engine.connect() as conn:
                networks = (await conn.execute(text("SELECT id, name FROM networks"))).all()
                assert len(networks) == 1 and networks[0].name == "Netzwerk"
                network_id = networks[0].id
                for table in ("municipalities", "users", "items", "bookings", "ledger_entries", "settlements"):
                    ids = set(await conn.scalars(text(f"SELECT DISTINCT network_id FROM {table}")))
                    assert ids == {network_id}, table
        finally:
            await engine.dispose()


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
async def cli_database(server_url, monkeypatch):
    async with scratch_database(server_url, "mn_netcli", migrate=False) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            yield url
        finally:
            get_settings.cache_clear()


def _run_cli(argv: list[str], stdin: str) -> int:
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return cli.main(argv)
    finally:
        sys.stdin = old


async def test_cli_makes_operators_and_admins_of_the_only_network(cli_database, capsys):
    run = asyncio.to_thread
    assert await run(_run_cli, ["create-user", "--email", "op@example.org", "--role", "operator"], PASSWORD) == 0
    assert await run(_run_cli, ["create-user", "--email", "ad@example.org", "--role", "admin"], PASSWORD) == 0
    engine = create_async_engine(cli_database)
    try:
        async with engine.begin() as conn:
            rows = dict((await conn.execute(text("SELECT role, network_id FROM users"))).all())
            assert rows["operator"] is None and rows["admin"] is not None
            await conn.execute(text("INSERT INTO networks (name) VALUES ('Zweites')"))
    finally:
        await engine.dispose()
    capsys.readouterr()
    # Two networks: an admin needs --network.
    assert await run(_run_cli, ["create-user", "--email", "ad2@example.org", "--role", "admin"], PASSWORD) != 0
    assert "network" in capsys.readouterr().err
    assert await run(_run_cli, ["create-user", "--email", "ad2@example.org", "--role", "admin",
                                "--network", str(rows["admin"])], PASSWORD) == 0
