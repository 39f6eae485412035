"""The database keeps networks apart (row-level security), tested as the application's role.

The test harness connects as the owner, which row-level security does not restrict; these tests open
connections the way the application does (``db.make_engine``: the role ``mn_app``) on committed data.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.app import create_app
from machinery_network.config import Settings
from machinery_network.db import make_engine, sqlstate, use_network
from tests.conftest import PASSWORD, World, build_world

RLS_VIOLATION = "42501"
OBJECT_STATE = "55000"


def tenant_tables() -> list[str]:
    from importlib import import_module

    versions = "machinery_network.migrations.versions."
    return [*import_module(versions + "0007_networks").TENANT_TABLES,
            *import_module(versions + "0019_tenant_tables").TABLES, "notices",
            *import_module(versions + "0023_draws").TABLES, "idempotency_keys"]


async def _fill(session: AsyncSession, network_id: int) -> World:
    """A network with a row in every tenant table (written as the owner, inside that network)."""
    await use_network(session, network_id)
    world = await build_world(session)
    q = session.execute
    ids = {"m": world.north.id, "f": world.farmer.id}
    ids["i"] = await session.scalar(text(
        "INSERT INTO items (municipality_id, name, kind, unit, rate_cents, active) "
        "VALUES (:m, 'Mulcher', 'machine', 'hour', 4000, true) RETURNING id"), ids)
    start = datetime(2030, 6, 1, 8, tzinfo=UTC)
    ids["s"], ids["e"] = start, start + timedelta(hours=2)
    ids["bl"] = await session.scalar(text(
        "INSERT INTO blocks (item_id, start_at, end_at, reason) VALUES (:i, :s, :e, 'Wartung') RETURNING id"), ids)
    await q(text("INSERT INTO occupancies (item_id, start_at, end_at, block_id) VALUES (:i, :s, :e, :bl)"), ids)
    ids["b"] = await session.scalar(text(
        "INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status) "
        "VALUES (:i, :f, :s2, :e2, false, 'requested') RETURNING id"),
        {**ids, "s2": ids["s"] + timedelta(days=1), "e2": ids["e"] + timedelta(days=1)})
    await q(text("INSERT INTO booking_events (booking_id, to_status) VALUES (:b, 'requested')"), ids)
    ids["sec"] = await session.scalar(text(
        "INSERT INTO sections (municipality_id, name, kind, length_m, task, unit, rate_cents, active) "
        "VALUES (:m, 'Feldweg', 'path', 500, 'other', 'flat', 1000, true) RETURNING id"), ids)
    await q(text("INSERT INTO assignments (section_id, farmer_id, valid_from) VALUES (:sec, :f, '2026-01-01')"), ids)
    await q(text("INSERT INTO care_logs (section_id, farmer_id, performed_on, quantity, status, credit_cents) "
                 "VALUES (:sec, :f, '2026-02-01', 1, 'reported', 1000)"), ids)
    await q(text("INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, "
                 "net_cents, vat_cents, vat_percent, text) VALUES (:f, :m, '2026-02-01', 'adjustment', 100, 100, "
                 "0, 0, 'Diesel')"), ids)
    ids["st"] = await session.scalar(text("SELECT settlement_id FROM ledger_entries WHERE farmer_id = :f"), ids)
    await q(text("INSERT INTO settlement_lines (settlement_id, farmer_id, charges_cents, credits_cents, net_cents, "
                 "entry_count) VALUES (:st, :f, 100, 0, 100, 1)"), ids)
    await q(text("INSERT INTO settlement_runs (month, municipality_id, trigger) VALUES ('2026-02-01', :m, 'cli')"),
            ids)
    await q(text("INSERT INTO password_resets (user_id, token_hash, expires_at) "
                 "VALUES (:f, md5(random()::text), now() + interval '1 hour')"), ids)
    await q(text("INSERT INTO user_changes (user_id, kind) VALUES (:f, 'iban')"), ids)
    await q(text("INSERT INTO outbox (recipient_id, recipient_email, subject, body, attempts) "
                 "VALUES (:f, 'f@example.org', 'Hallo', 'Text', 0)"), ids)
    await q(text("INSERT INTO cost_calculations (item_id, valid_from, purchase_price_cents, residual_value_cents, "
                 "life_years, life_units, annual_units, interest_percent, insurance_cents_per_year, "
                 "housing_cents_per_year, tax_cents_per_year, repair_percent_of_price, fuel_litres_per_unit, "
                 "fuel_price_cents_per_litre, operator_overhead_percent, fixed_cents_per_year, "
                 "variable_cents_per_unit, cost_cents_per_unit, rate_cents) "
                 "VALUES (:i, '2026-01-01', 100000, 0, 10, 1000, 100, 3, 0, 0, 0, 50, 0, 0, 0, 10000, 50, 150, 150)"),
            ids)
    # The tables of 0019_tenant_tables (the assignment above made the farmer a partner, by trigger).
    ids["le"] = await session.scalar(text("SELECT id FROM ledger_entries WHERE farmer_id = :f"), ids)
    await q(text("INSERT INTO item_rates (item_id, valid_from, rate_cents, vat_percent, created_at) "
                 "VALUES (:i, '2026-01-01', 4000, 19, now())"), ids)
    await q(text("INSERT INTO mandates (farmer_id, municipality_id, reference, signed_on, iban, state, created_at) "
                 "VALUES (:f, :m, 'MN-1', '2026-01-01', 'DE89370400440532013000', 'active', now())"), ids)
    await q(text("INSERT INTO datev_debtors (municipality_id, farmer_id, number) VALUES (:m, :f, 10001)"), ids)
    await q(text("INSERT INTO handovers (booking_id, item_id, checkout_meter, checkout_fuel_percent, "
                 "checkout_condition, checkout_at) VALUES (:b, :i, 10, 100, 'ok', now())"), ids)
    await q(text("INSERT INTO handover_photos (booking_id, kind, path, content_type, created_at) "
                 "VALUES (:b, 'checkout', 'x.jpg', 'image/jpeg', now())"), ids)
    await q(text("INSERT INTO handover_surcharges (booking_id, kind, entry_id) VALUES (:b, 'fuel', :le)"), ids)
    await q(text("INSERT INTO repairs (item_id, description, repaired_at, created_at) "
                 "VALUES (:i, 'Riemen', now(), now())"), ids)
    ids["d"] = await session.scalar(text(
        "INSERT INTO defects (item_id, description, usable, reported_at) VALUES (:i, 'Riss', true, now()) "
        "RETURNING id"), ids)
    await q(text("INSERT INTO defect_bookings (defect_id, booking_id) VALUES (:d, :b)"), ids)
    await q(text("INSERT INTO maintenance_intervals (item_id, name, every_hours, last_done_at, created_at) "
                 "VALUES (:i, 'Service', 100, now(), now())"), ids)
    await q(text("INSERT INTO notices (user_id, kind, key, text) VALUES (:f, 'booking_approved', "
                 "'notice.booking_approved', 'Genehmigt')"), ids)
    # The tables of 0023_draws: a repeating booking, a contested season, a draw and its entry.
    await q(text("INSERT INTO booking_series (item_id, farmer_id, weekdays, start_time, end_time, first_day, "
                 "last_day, created_at) VALUES (:i, :f, '{2}', '07:00', '11:00', '2030-05-01', '2030-09-30', now())"),
            ids)
    ids["cs"] = await session.scalar(text(
        "INSERT INTO contested_seasons (item_id, first_day, last_day, deadline_weekday, deadline_time, created_at) "
        "VALUES (:i, '2030-08-01', '2030-08-31', 4, '12:00', now()) RETURNING id"), ids)
    ids["dr"] = await session.scalar(text(
        "INSERT INTO draws (item_id, season_id, period_start, period_end, seed, trigger, ran_at) "
        "VALUES (:i, :cs, '2030-08-05', '2030-08-11', 42, 'scheduler', now()) RETURNING id"), ids)
    await q(text("INSERT INTO draw_entries (draw_id, booking_id, farmer_id, start_at, end_at, season_hours, "
                 "position, won, reason) VALUES (:dr, :b, :f, :s, :e, 0, 1, true, 'won')"), ids)
    # 0028_idempotency_keys: the key of a care report the farmer sent.
    await q(text("INSERT INTO idempotency_keys (user_id, key, scope, fingerprint, resource_id) "
                 "VALUES (:f, gen_random_uuid()::text, 'care_log', repeat('0', 64), 1)"), ids)
    world.extra.update(ids)
    await session.commit()
    return world


@pytest.fixture
async def two_networks(committed_sessionmaker) -> tuple[int, int, World, World]:
    async with committed_sessionmaker() as session:
        a = await session.scalar(text("SELECT min(id) FROM networks"))
        b = await session.scalar(text("INSERT INTO networks (name) VALUES ('Rhön') RETURNING id"))
        await session.commit()
    async with committed_sessionmaker() as session:
        world_a = await _fill(session, a)
    async with committed_sessionmaker() as session:
        world_b = await _fill(session, b)
    return a, b, world_a, world_b


@pytest.fixture
async def app_engine(database_url):
    engine = make_engine(database_url, pool_size=2, role="mn_app")
    yield engine
    await engine.dispose()


async def test_the_application_role_cannot_bypass_row_level_security(app_engine):
    async with app_engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT current_user, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user"
        ))).one()
        assert tuple(row) == ("mn_app", False, False)
        owners = set(await conn.scalars(text(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")))
        assert "mn_app" not in owners
        unprotected = list(await conn.scalars(text(
            "SELECT c.relname FROM pg_class c JOIN information_schema.columns i ON i.table_name = c.relname "
            "AND i.column_name = 'network_id' AND i.table_schema = current_schema() "
            "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND NOT c.relrowsecurity")))
        assert unprotected == [], f"tenant tables without row-level security: {unprotected}"


async def test_network_a_sees_and_writes_none_of_network_b(two_networks, app_engine, committed_sessionmaker):
    a, b, _, world_b = two_networks
    tables = tenant_tables()
    # Every tenant table holds rows of both networks (seen by the owner).
    async with committed_sessionmaker() as session:
        for table in tables:
            networks = set(await session.scalars(text(f"SELECT DISTINCT network_id FROM {table}")))
            assert {a, b} <= networks, f"{table}: {networks}"
        copies = {}
        for table in tables:
            row = await session.scalar(text(f"SELECT to_jsonb(t) FROM {table} t WHERE network_id = :b LIMIT 1"),
                                       {"b": b})
            copies[table] = row
    async with app_engine.connect() as conn:
        await conn.execute(text("SELECT set_config('mn.network_id', :n, false)"), {"n": str(a)})
        for table in tables:
            seen = list(await conn.scalars(text(f"SELECT network_id FROM {table}")))
            assert seen, f"{table}: network A sees none of its own rows"
            assert set(seen) == {a}, f"{table}: network A sees rows of {set(seen) - {a}}"
            # By id, too: B's rows are not there.
            assert await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE network_id = :b"), {"b": b}) == 0
        # Writing a row of network B is refused, in every tenant table.
        refused = {}
        for n, table in enumerate(tables):
            row = dict(copies[table])
            row["id"] = 2_000_000_000 + n
            for unique in ("email", "calendar_token", "name"):
                if unique in row and isinstance(row[unique], str):
                    row[unique] = f"{uuid.uuid4().hex[:8]}{row[unique]}"[:200]
            # Generated columns (sections.geom under PostGIS, 0029) take no value: every other column is copied.
            columns = ", ".join(f'"{c}"' for c in await conn.scalars(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"), {"t": table}))
            savepoint = await conn.begin_nested() if conn.in_transaction() else await conn.begin()
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM "
                                        f"jsonb_populate_record(NULL::{table}, CAST(:row AS jsonb))"),
                                   {"row": json.dumps(row, default=str)})
            await savepoint.rollback()
            refused[table] = sqlstate(caught.value)
        print("INSERT of a network-B row as network A:", refused)
        # Row-level security refuses it; only the ledger's own trigger (a settlement is assigned by the
        # database, never given) speaks first.
        expected = {table: RLS_VIOLATION for table in tables} | {"ledger_entries": OBJECT_STATE}
        assert refused == expected
        # Nor can A change or delete B's rows: they are not there for A.
        async with conn.begin_nested() if conn.in_transaction() else conn.begin():
            updated = await conn.execute(text("UPDATE items SET name = 'gestohlen' WHERE id = :i"),
                                         {"i": world_b.extra["i"]})
            assert updated.rowcount == 0
            deleted = await conn.execute(text("DELETE FROM outbox WHERE network_id = :b"), {"b": b})
            assert deleted.rowcount == 0


async def test_without_a_network_several_networks_show_nothing(two_networks, app_engine):
    async with app_engine.connect() as conn:
        for table in tenant_tables():
            assert await conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        # The operator's setting (0): operators' user rows only.
        await conn.execute(text("SELECT set_config('mn.network_id', '0', false)"))
        assert await conn.scalar(text("SELECT count(*) FROM users WHERE role <> 'operator'")) == 0


# --- the application, connected as its role ----------------------------------------------------


@pytest.fixture
async def app_client(database_url, tmp_path):
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="rls-secret")
    app = create_app(settings)  # its own pool, connected as the application role (MN_DB_ROLE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://rls.local") as c:
        yield c


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_the_api_shows_each_network_its_own_and_shared_items_across_an_agreement(
    two_networks, app_client, committed_sessionmaker
):
    a, b, world_a, world_b = two_networks
    client = app_client
    admin_a, admin_b = await _login(client, world_a.admin.user.email), await _login(client, world_b.admin.user.email)
    farmer_b = await _login(client, world_b.farmer.user.email)
    yard_a = await _login(client, world_a.yard_north.user.email)
    # Lists are the network's own.
    r = await client.get("/api/v1/users", headers=admin_b)
    assert r.status_code == 200 and {u["network_id"] for u in r.json()} == {b}
    assert world_a.farmer.user.email not in r.text
    r = await client.get("/api/v1/items", headers=farmer_b)
    assert [i["id"] for i in r.json()] == [world_b.extra["i"]]
    # Another network's item is unknown.
    item_a = world_a.extra["i"]
    assert (await client.get(f"/api/v1/items/{item_a}", headers=farmer_b)).status_code == 404
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    booking = {"item_id": item_a, "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    assert (await client.post("/api/v1/bookings", json=booking, headers=farmer_b)).status_code == 404
    # An agreement, and the item shared: listed for B's farmers and bookable by them.
    r = await client.post(f"/api/v1/networks/{a}/agreements", json={"other_network_id": b}, headers=admin_a)
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/agreements/{r.json()['id']}/confirm", headers=admin_b)
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert (await client.get(f"/api/v1/items/{item_a}", headers=farmer_b)).status_code == 404, "not shared yet"
    r = await client.patch(f"/api/v1/items/{item_a}", json={"shared": True}, headers=yard_a)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/items", headers=farmer_b)
    assert {i["id"] for i in r.json()} == {world_b.extra["i"], item_a}
    r = await client.post("/api/v1/bookings", json=booking, headers=farmer_b)
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    # The owning network decides; the farmer sees his booking.
    r = await client.post(f"/api/v1/bookings/{booking_id}/approve", headers=yard_a)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/bookings", headers=farmer_b)
    assert booking_id in [x["id"] for x in r.json()]
    # ... and is told in his own network (the notice is his network's row, written by A).
    r = await client.get("/api/v1/me/notices", headers=farmer_b)
    assert [n["kind"] for n in r.json()][:1] == ["booking_approved"], r.text
    # A's items stay invisible to a third party: B's admin still sees only B's users.
    r = await client.get("/api/v1/users", headers=admin_b)
    assert {u["network_id"] for u in r.json()} == {b}


async def test_the_overlap_test_stays_an_index_condition_for_the_application_role(two_networks, app_engine):
    """Behind the policies, the request's and approval's overlap test still searches the exclusion
    constraint's GiST index (``0026_leakproof_overlap``), instead of reading every occupancy of the item."""
    a, _, world_a, _ = two_networks
    async with app_engine.connect() as conn:
        if not await conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")):
            pytest.skip("the migration marks the functions LEAKPROOF only as a superuser")
        await conn.execute(text("SELECT set_config('mn.network_id', :n, false)"), {"n": str(a)})
        await conn.execute(text("SET enable_seqscan = off"))  # a tiny table: ask which conditions the index takes
        plan = "\n".join(await conn.scalars(text(
            "EXPLAIN SELECT id FROM occupancies WHERE item_id = :i AND tstzrange(start_at, "
            "mn_padded_end(end_at, buffer_minutes), '[)') && tstzrange(:s, mn_padded_end(:e, 0), '[)')"),
            {"i": world_a.extra["i"], "s": world_a.extra["s"], "e": world_a.extra["e"]}))
    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("&&" in line for line in index_conditions), plan
