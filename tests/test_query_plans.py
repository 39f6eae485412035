"""Query plans of the hot paths (issue #15): every query a farmer, yard head, finance officer or admin runs
on the list routes is answered from an index, never by reading a table that grows with the network.

The test seeds a network, runs the routes through the app while recording every statement they send, and
asks PostgreSQL for the plan of each (``EXPLAIN``, the statement's own parameters) with ``enable_seqscan``
off: the planner then takes an index whenever one can answer the query, so a sequential scan left in a plan
means that no index can (not merely that the test data is small). A full index scan counts only below a
``Limit`` (keyset paging stops after the page).
"""

from __future__ import annotations

import html
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from machinery_network.accounts import service as accounts
from machinery_network.auth import SYSTEM
from machinery_network.bookings.models import Block
from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.mandates import service as mandates
from tests.conftest import make_person
from tests.test_paging import add_bookings, add_items
from tests.test_paging_web import NEXT
from tests.web_helpers import login

GROWING = {
    "users", "items", "bookings", "occupancies", "booking_events", "ledger_entries", "care_logs", "assignments",
    "sections", "settlement_lines", "api_tokens", "outbox", "mandates", "partners", "blocks",
}


BLOCKING = {"Sort", "Aggregate", "Hash", "Materialize", "SetOp", "WindowAgg", "Gather Merge"}


def offending(plan: dict[str, Any], under_limit: bool = False) -> list[str]:
    """The scans of growing tables in ``plan`` that no index condition bounds (a scan in index order
    directly below a ``Limit`` is bounded by it; below a sort or an aggregate it is not)."""
    found: list[str] = []
    node = plan["Node Type"]
    relation = plan.get("Relation Name")
    limited = (under_limit or node == "Limit") and node not in BLOCKING
    if relation in GROWING:
        if node == "Seq Scan":
            found.append(f"Seq Scan on {relation}")
        elif node in ("Index Scan", "Index Only Scan") and "Index Cond" not in plan and (
            not limited or "Filter" in plan
        ):
            found.append(f"full {node} of {relation} ({plan.get('Index Name')})")
    for child in plan.get("Plans", []):
        found.extend(offending(child, limited))
    return found


@pytest.fixture
async def recorded(connection):
    statements: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    sync = connection.sync_connection
    event.listen(sync, "before_cursor_execute", record)
    yield statements
    event.remove(sync, "before_cursor_execute", record)


# The administrator's users lists filter by his network. With every user of the test in one network (and
# the users other tests of the session left behind in it), reading a whole index in name order and
# filtering is the planner's right choice, and it took it on PostgreSQL 18 in the full suite: for these
# lists the users get a second network, as an installation has (and lose it again after each: the joins to
# users of the other lists are planned on the test's own users).
ADMIN_USER_LISTS = ("/api/v1/users?sort=-email&limit=10", "/api/v1/users?limit=10", "/admin?sort=-email&limit=25")


async def _neighbours(connection, *, present: bool) -> None:
    if present:
        await connection.exec_driver_sql(
            "WITH n AS (INSERT INTO networks (name) VALUES ('Nachbarnetzwerk') RETURNING id)"
            " INSERT INTO users (email, name, password_hash, role, active, network_id)"
            " SELECT 'nachbar' || g || '@example.org', 'Nachbar ' || g, 'x', 'farmer', true, n.id"
            " FROM n CROSS JOIN generate_series(1, 2000) g")
    else:
        await connection.exec_driver_sql(
            "DELETE FROM users WHERE network_id = (SELECT id FROM networks WHERE name = 'Nachbarnetzwerk')")
        await connection.exec_driver_sql("DELETE FROM networks WHERE name = 'Nachbarnetzwerk'")
    await connection.exec_driver_sql("ANALYZE users")


async def test_hot_path_queries_use_indexes(client, db_session, connection, world, recorded):
    # Shaped like the network, not like one municipality: many municipalities, each a small share.
    items = await add_items(db_session, world.north.id, [f"Gerät {i}" for i in range(30)], description="Traktor")
    await add_items(db_session, world.north.id, [f"Schlegelmulcher {i}" for i in range(5)])
    elsewhere, others = [], []
    for n in range(60):
        other = await accounts.create_municipality(db_session, SYSTEM, name=f"Gemeinde {n} {uuid.uuid4().hex[:4]}")
        others.append(other.id)
        elsewhere += await add_items(db_session, other.id, [f"Walze {i}" for i in range(30)])
    farmers = [await make_person(db_session, "farmer", f"Bauer {i}") for i in range(40)]
    for i, farmer in enumerate(farmers[:12]):  # more than a page of the mandates list
        await mandates.create_mandate(db_session, SYSTEM, farmer_id=farmer.id, municipality_id=world.north.id,
                                      reference=f"PLAN-{i:03d}", signed_on=date(2026, 3, 1),
                                      iban="DE89370400440532013000")
    await db_session.commit()
    for n, mid in enumerate([world.north.id, world.south.id, *others[:38]]):
        section = Section(municipality_id=mid, name=f"Weg {n}", kind="path", length_m=500, task="verge_mowing",
                          unit="hour", rate_cents=3000)
        db_session.add(section)
        await db_session.flush()
        db_session.add(Assignment(section_id=section.id, farmer_id=farmers[n].id, valid_from=date(2026, 1, 1)))
        await db_session.execute(insert(CareLog), [
            {"section_id": section.id, "farmer_id": farmers[n].id, "performed_on": date(2026, 5, 1 + d),
             "quantity": Decimal(2), "credit_cents": 6000} for d in range(10)
        ])
    await db_session.commit()
    north_section = await db_session.scalar(select(Section.id).where(Section.municipality_id == world.north.id))
    for n, item_id in enumerate([items[0], *elsewhere[::5]]):
        await db_session.execute(insert(Block), [
            {"item_id": item_id, "start_at": datetime(2032, 1, 1 + d, 8, tzinfo=UTC),
             "end_at": datetime(2032, 1, 1 + d, 12, tzinfo=UTC), "reason": f"Wartung {n}"} for d in range(15)
        ])
    await db_session.commit()
    for n, item_id in enumerate(elsewhere[::9]):
        await add_bookings(db_session, item_id, farmers[n % 40].id, 12, "approved", offset_days=n)
    await add_bookings(db_session, items[0], world.farmer.id, 30, "cancelled")
    await add_bookings(db_session, items[1], world.farmer2.id, 20, "requested", offset_days=400)
    for i in range(3):
        body = {"municipality_id": world.north.id, "value_date": date.today().isoformat(), "amount_cents": 100 + i,
                "reason": "Diesel"}
        assert (await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", json=body,
                                  headers=world.yard_north.headers)).status_code == 201
    # A settled month (the settlement pages): last month's entry of the farmer, settled.
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    body = {"municipality_id": world.north.id, "value_date": last_month.isoformat(), "amount_cents": 700,
            "reason": "Diesel"}
    assert (await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", json=body,
                              headers=world.yard_north.headers)).status_code == 201
    assert (await client.post("/api/v1/settlements", json={"month": f"{last_month:%Y-%m}",
                                                           "municipality_id": world.north.id},
                              headers=world.finance_north.headers)).status_code in (200, 201)
    await connection.exec_driver_sql("ANALYZE")
    # The check can fail: a filter on an unindexed column is reported, also with seqscan off.
    await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    raw = (await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) SELECT * FROM bookings WHERE note = 'x'")).scalar_one()
    assert offending((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
    raw = (await connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) SELECT * FROM bookings ORDER BY note LIMIT 5")).scalar_one()
    assert offending((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
    await connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    calls = [
        (world.farmer, "/api/v1/bookings?limit=10"),
        (world.farmer, "/api/v1/items?q=mulch&limit=10"),
        (world.farmer, f"/api/v1/items?municipality_id={world.north.id}&limit=10"),
        (world.farmer, f"/api/v1/accounts/{world.farmer.id}/entries?limit=2"),
        (world.farmer, "/api/v1/care-logs?limit=10"),
        (world.yard_north, "/api/v1/bookings?limit=10"),
        (world.yard_north, "/api/v1/bookings?status=requested&limit=10"),
        # (yard_head, "/api/v1/users"): the partners query (accounts.people.partner_ids_query) is not checked
        # here yet; on this small seed its plan depends on the estimates (issue #15, left open).
        (world.yard_north, "/api/v1/care-logs?limit=10"),
        (world.finance_north, "/api/v1/settlements?limit=10"),
        (world.admin, "/api/v1/users?q=gerda&limit=10"),
        (world.admin, "/api/v1/bookings?limit=10"),
        (world.admin, "/api/v1/bookings?status=requested&limit=10"),
        (world.finance_north, "/api/v1/mandates?limit=10"),
        (world.farmer, "/api/v1/mandates?limit=10"),
        (world.yard_north, f"/api/v1/sections?municipality_id={world.north.id}&limit=10"),
        (world.admin, "/api/v1/sections?limit=10"),
        (world.yard_north, f"/api/v1/sections/{north_section}/assignments?limit=1"),
        (world.yard_north, f"/api/v1/items/{items[0]}/blocks?limit=10"),
        (world.finance_north, f"/api/v1/municipalities/{world.north.id}/partners?limit=5"),
        # the other orders of the lists (sort) and their search (q)
        (world.farmer, "/api/v1/items?sort=name&limit=10"),
        (world.farmer, "/api/v1/items?sort=-rate&limit=10"),
        (world.farmer, f"/api/v1/items?municipality_id={world.north.id}&sort=rate&limit=10"),
        (world.farmer, "/api/v1/bookings?sort=-received&limit=10"),
        (world.farmer, "/api/v1/care-logs?sort=credit&limit=5"),
        (world.yard_north, "/api/v1/bookings?sort=received&limit=10"),
        (world.yard_north, "/api/v1/bookings?sort=-start&status=cancelled&limit=10"),
        (world.yard_north, "/api/v1/bookings?q=ger%C3%A4t&limit=10"),
        (world.yard_north, "/api/v1/care-logs?sort=-credit&limit=5"),
        (world.yard_north, "/api/v1/care-logs?q=bauer&limit=5"),
        (world.admin, "/api/v1/bookings?sort=-received&limit=10"),
        (world.admin, "/api/v1/users?sort=-email&limit=10"),
        (world.admin, "/api/v1/users?limit=10"),
        (world.finance_north, "/api/v1/settlements?sort=net&limit=1"),
        (world.finance_north, "/api/v1/accounts?sort=-balance&limit=1"),
        (world.yard_north, "/api/v1/accounts?q=franz&limit=1"),
    ]
    pages = [  # HTML pages (a login session): the first page and the one its "Weitere Einträge" link names
        (world.finance_north, "/finance/mandates?q=plan&state=active"),
        (world.finance_north, "/finance/mandates/without"),
        (world.yard_north, "/manage/items?q=ger"),
        (world.farmer, "/bookings"),
        (world.farmer, "/?sort=-rate&limit=25"),
        (world.farmer, "/?sort=name&q=ger%C3%A4t"),
        (world.yard_north, "/manage/items?sort=-rate&limit=25"),
        (world.yard_north, "/manage/bookings?sort=-received&limit=25"),
        (world.yard_north, "/manage/bookings?status=all&q=bauer"),
        (world.yard_north, "/manage/care-logs?status=all&sort=-credit&limit=25"),
        (world.finance_north, "/manage/accounts?sort=-balance&limit=25"),
        (world.finance_north, "/finance/settlements?sort=net&q=20"),
        (world.finance_north, f"/finance/settlements/{last_month:%Y-%m}?sort=-net&q=bauer"),
        (world.admin, "/admin?sort=-email&limit=25"),
    ]
    for person, url in [*calls, *[(p, u) for p, u in pages]]:
        if url in ADMIN_USER_LISTS:
            await _neighbours(connection, present=True)
        html_page = (person, url) in pages
        if html_page:
            await login(client, person.user.email)
        recorded.clear()
        first = await client.get(url, headers={} if html_page else person.headers)
        assert first.status_code == 200, (url, first.text)
        link = first.headers.get("link")
        if link:  # the second page: the keyset condition
            second = await client.get(link[1 : link.index(">")], headers=person.headers)
            assert second.status_code == 200
        elif html_page and (found := NEXT.search(first.text)):
            assert (await client.get(html.unescape(found.group(1)))).status_code == 200
        assert recorded, url
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        try:
            for statement, parameters in list(recorded):
                result = await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
                raw = result.scalar_one()
                plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
                bad = offending(plan)
                assert not bad, f"{url}: {bad}\n{statement}\n{json.dumps(plan, indent=1)}"
        finally:
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        if url in ADMIN_USER_LISTS:
            await _neighbours(connection, present=False)
