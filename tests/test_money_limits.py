"""Issue 11's attacks on the books, each refused or made harmless (64-bit money, bounded value dates,
a bounded catch-up), and the settlement columns classified by kind (issue 13)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from machinery_network import scheduler
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.exports import service as exports
from machinery_network.exports.service import FORMATS
from machinery_network.ledger.models import LedgerEntry
from machinery_network.settlement import service as settlement
from machinery_network.settlement.models import Settlement, SettlementRun
from tests.conftest import build_world
from tests.test_settlement import adjust, charge, credit

TEN_MILLION = 10**9  # cents

NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")  # the one frozen clock (conftest), at NOW


async def _counts(session) -> tuple[int, int]:
    return (await session.scalar(select(func.count()).select_from(LedgerEntry)),
            await session.scalar(select(func.count()).select_from(Settlement)))


# --- 64-bit money ---------------------------------------------------------------------------------


async def test_three_ten_million_charges_settle_and_export_in_every_format(client, db_session, world):
    """Three manual charges of 10,000,000.00 € on one farmer (and three such credits on another) made
    the line overflow a 4-byte integer; the month now settles and every export is produced."""
    path = f"/api/v1/accounts/{world.farmer.id}/adjustments"
    for _ in range(3):
        body = {"municipality_id": world.north.id, "value_date": "2026-10-12", "amount_cents": TEN_MILLION,
                "reason": "Großschaden"}
        response = await client.post(path, json=body, headers=world.finance_north.headers)
        assert response.status_code == 201, response.text
    for _ in range(3):
        await adjust(db_session, world.finance_north, world.farmer2, world.north, date(2026, 10, 13), -TEN_MILLION)
    await db_session.commit()

    response = await client.post("/api/v1/settlements", json={"month": "2026-10", "municipality_id": world.north.id},
                                 headers=world.finance_north.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["total_charges_cents"] == body["total_credits_cents"] == 3 * TEN_MILLION > 2**31
    lines = {line["farmer_id"]: line for line in body["lines"]}
    assert lines[world.farmer.id]["net_cents"] == 3 * TEN_MILLION
    assert lines[world.farmer2.id]["net_cents"] == -3 * TEN_MILLION

    # the farmer who owes signed a SEPA mandate (only farmers with a mandate are debited)
    mandate = await client.post("/api/v1/mandates", headers=world.finance_north.headers, json={
        "farmer_id": world.farmer.id, "municipality_id": world.north.id, "reference": "MONEY-LIMITS-1",
        "signed_on": "2026-01-02"})
    assert mandate.status_code == 201, mandate.text

    for fmt in FORMATS:
        export = await exports.export(db_session, SYSTEM, date(2026, 10, 1), world.north.id, fmt)
        assert export.content, fmt
        if fmt == "csv":
            assert "30000000,00" in export.content.decode("utf-8-sig")
        if fmt in ("sepa-debit", "sepa-credit"):
            assert b"30000000.00" in export.content, fmt
        response = await client.get("/api/v1/settlements/2026-10/export",
                                    params={"municipality_id": world.north.id, "format": fmt},
                                    headers=world.finance_north.headers)
        assert response.status_code == 200, (fmt, response.text)

    # the sum over the farmer's account and the run of the next month do not overflow either
    account = await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                               headers=world.finance_north.headers)
    assert account.json()["balance_cents"] == 3 * TEN_MILLION


async def test_every_cents_column_is_64_bit(db_session):
    rows = (await db_session.execute(text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND (column_name LIKE '%\\_cents' OR column_name LIKE 'total\\_%cents')"
    ))).all()
    assert rows and {r.data_type for r in rows} == {"bigint"}, [r for r in rows if r.data_type != "bigint"]


# --- bounded value dates --------------------------------------------------------------------------


@pytest.mark.parametrize("value_date", ["0001-01-01", "1900-01-01", "2025-11-04", "2027-05-05", "9999-12-31"])
async def test_adjustment_with_an_absurd_value_date_is_422_and_writes_nothing(client, db_session, world, value_date):
    before = await _counts(db_session)
    body = {"municipality_id": world.north.id, "value_date": value_date, "amount_cents": 2500, "reason": "Angriff"}
    response = await client.post(f"/api/v1/accounts/{world.farmer.id}/adjustments", json=body,
                                 headers=world.finance_north.headers)
    assert response.status_code == 422, response.text
    assert response.json()["extra"] == {"field": "value_date"}
    assert await _counts(db_session) == before


async def test_the_bounds_of_a_value_date_are_the_last_12_months_and_the_booking_horizon(client, db_session, world):
    path = f"/api/v1/accounts/{world.farmer.id}/adjustments"
    for value_date in ("2025-11-05", "2027-05-04"):  # a year back; 180 days ahead (MN_BOOKING_HORIZON_DAYS)
        body = {"municipality_id": world.north.id, "value_date": value_date, "amount_cents": 100, "reason": "Grenze"}
        response = await client.post(path, json=body, headers=world.finance_north.headers)
        assert response.status_code == 201, (value_date, response.text)


async def test_reversal_with_an_absurd_value_date_is_422_and_writes_nothing(client, db_session, world):
    original = await charge(db_session, world.farmer, world.north, date(2026, 10, 2), 1, 5000)
    await db_session.commit()
    before = await _counts(db_session)
    path = f"/api/v1/accounts/{world.farmer.id}/entries/{original.id}/reverse"
    for value_date in ("0001-01-01", "1900-01-01", "9999-12-31"):
        response = await client.post(path, json={"value_date": value_date, "reason": "Angriff"},
                                     headers=world.yard_north.headers)
        assert response.status_code == 422 and response.json()["extra"] == {"field": "value_date"}
    assert await _counts(db_session) == before
    ok = await client.post(path, json={"value_date": "2026-11-01", "reason": "falsch"}, headers=world.yard_north.headers)
    assert ok.status_code == 201


@pytest.mark.parametrize("value_date", ["-infinity", "infinity", "0001-01-01", "1900-01-01", "2200-01-01"])
async def test_the_database_refuses_absurd_value_dates_past_the_service(db_session, world, value_date):
    """The constraints are the last word: an INSERT around the service cannot store them either (the
    pending settlement the posting trigger would open for that month is refused first)."""
    before = await _counts(db_session)
    with pytest.raises(DBAPIError, match="ck_(ledger_entries|settlements)_[a-z_]+_bounded"):
        async with db_session.begin_nested():
            await db_session.execute(text(
                "INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
                " vat_cents, vat_percent, text) VALUES (:f, :m, CAST(CAST(:d AS text) AS date), 'adjustment', 100, 100, 0, 0, 'x')"
            ), {"f": world.farmer.id, "m": world.north.id, "d": value_date})
    assert await _counts(db_session) == before


@pytest.mark.parametrize("statement", [
    "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count, total_charges_cents,"
    " total_credits_cents, total_net_cents, run_by_label, frozen, created_at)"
    " VALUES (:m, '-infinity', '1900-01-31', 0, 0, 0, 0, 0, '', false, now())",
    "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count, total_charges_cents,"
    " total_credits_cents, total_net_cents, run_by_label, frozen, created_at)"
    " VALUES (:m, '2026-01-01', '2026-01-31', 0, 0, 0, 0, 0, '', false, 'infinity')",
    "INSERT INTO settlement_runs (month, municipality_id, trigger, started_at) VALUES ('1900-01-01', :m, 'x', now())",
    "INSERT INTO settlement_runs (month, municipality_id, trigger, started_at, finished_at)"
    " VALUES ('2026-01-01', :m, 'x', now(), '-infinity')",
])
async def test_the_database_refuses_absurd_dates_in_settlements_and_runs(db_session, world, statement):
    with pytest.raises(DBAPIError, match="_bounded"):
        async with db_session.begin_nested():
            await db_session.execute(text(statement), {"m": world.north.id})
    assert await db_session.scalar(select(func.count()).select_from(SettlementRun)) == 0


# --- a bounded catch-up ---------------------------------------------------------------------------


async def test_catch_up_is_capped_and_logs_what_it_skipped(committed_sessionmaker, caplog):
    """An old pending month (a database from before the constraints) no longer means 1,500 empty
    settlements: at most MAX_CATCH_UP_MONTHS are settled one by one, the rest goes into the first of them."""
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        await charge(session, world.farmer, world.north, date(2026, 10, 2), 1, 5000)
        await session.commit()
        # a pending month ten years back: the constraints allow it, only the service's value-date rule
        # (or a database from before migration 0004) keeps such entries out
        await session.execute(text(
            "INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count, total_charges_cents,"
            " total_credits_cents, total_net_cents, run_by_label, frozen)"
            " VALUES (:m, '2016-03-01', '2016-03-31', 0, 0, 0, 0, 0, '', false)"), {"m": world.north.id})
        await session.commit()

    caplog.set_level(logging.WARNING, logger="machinery_network.scheduler")
    outcomes = await scheduler.catch_up(committed_sessionmaker, date(2026, 11, 5), settings=get_settings())
    north = [o for o in outcomes if o.municipality_id == world.north.id]
    assert len(north) == settlement.MAX_CATCH_UP_MONTHS
    assert north[0].month == date(2024, 11, 1) and north[-1].month == date(2026, 10, 1)
    assert all(o.status == "created" for o in north)
    assert "2016-03" in caplog.text and "2024-11" in caplog.text
    async with committed_sessionmaker() as session:
        october = await settlement.find_settlement(session, world.north.id, date(2026, 10, 1))
        assert october.total_net_cents == 5000


# --- columns by kind ------------------------------------------------------------------------------


async def test_a_reversed_credit_lowers_the_credits_and_does_not_raise_the_charges(client, db_session, world):
    await charge(db_session, world.farmer, world.north, date(2026, 10, 2), 2, 4000)  # 80,00
    care = await credit(db_session, world.farmer, world.north, date(2026, 10, 3), 400, 20)  # −80,00
    second = await credit(db_session, world.farmer, world.north, date(2026, 10, 4), 100, 20)  # −20,00
    manual = await adjust(db_session, world.finance_north, world.farmer, world.north, date(2026, 10, 5), -1500)
    await db_session.commit()
    for entry in (care, manual):
        response = await client.post(f"/api/v1/accounts/{world.farmer.id}/entries/{entry.id}/reverse",
                                     json={"value_date": "2026-10-20", "reason": "doppelt erfasst"},
                                     headers=world.finance_north.headers)
        assert response.status_code == 201, response.text
    assert second.amount_cents == -2000

    s = (await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
    await db_session.commit()
    _, lines = await settlement.get_settlement(db_session, SYSTEM, date(2026, 10, 1), world.north.id)
    line = lines[0]
    # Belastungen: the charge only; Gutschriften: 80 + 20 + 15 − 80 − 15 = 20; net unchanged
    assert (line.charges_cents, line.credits_cents, line.net_cents) == (8000, 2000, 6000)
    assert (s.total_charges_cents, s.total_credits_cents, s.total_net_cents) == (8000, 2000, 6000)

    csv_text = (await exports.export(db_session, SYSTEM, date(2026, 10, 1), world.north.id, "csv")).content
    row = csv_text.decode("utf-8-sig").splitlines()[1].split(";")
    assert row[4:7] == ["80,00", "20,00", "60,00"]


# --- every date column bounded (care logs, assignments, mandates, rates, the machine) -------------


def _fields(response) -> list[str]:
    """The fields a schema validation error names (``extra``: one ``{key, message}`` per field)."""
    return [error["key"].rsplit(".", 1)[-1] for error in response.json()["extra"]]


async def test_every_date_column_is_bounded(db_session):
    """Each date and timestamp column of the schema has a CHECK bounding it from the year 2000
    (``0020_date_bounds``; new tables must follow): no ``-infinity`` or year 1 anywhere."""
    from importlib import import_module

    unbounded = (await db_session.execute(text(
        import_module("machinery_network.migrations.versions.0020_date_bounds").UNBOUNDED))).all()
    assert unbounded == []


@pytest.mark.parametrize("performed_on", ["0001-01-01", "1900-01-01", "9999-12-31"])
async def test_a_care_log_on_an_absurd_day_is_422_and_writes_nothing(client, db_session, world, performed_on):
    from machinery_network.care.models import CareLog
    from tests.test_care_api import assigned_section, report

    section = await assigned_section(client, world)
    response = await report(client, world.farmer, section["id"], performed_on=performed_on)
    assert response.status_code == 422, response.text
    assert _fields(response) == ["performed_on"]
    assert await db_session.scalar(select(func.count()).select_from(CareLog)) == 0


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/mandates", "signed_on"),
    ("/api/v1/sections/{section}/assignments", "valid_from"),
])
async def test_absurd_days_of_mandates_and_assignments_are_422(client, world, path, field):
    from tests.test_care_api import make_section

    section = await make_section(client, world)
    if "mandates" in path:
        body = {"farmer_id": world.farmer.id, "municipality_id": world.north.id, "reference": "ALT-1",
                "signed_on": "0001-01-01"}
        person = world.finance_north
    else:
        body, person = {"farmer_id": world.farmer.id, "valid_from": "0001-01-01"}, world.yard_north
    response = await client.post(path.format(section=section["id"]), json=body, headers=person.headers)
    assert response.status_code == 422, response.text
    assert _fields(response) == [field]


@pytest.mark.parametrize("statement", [
    "INSERT INTO care_logs (section_id, farmer_id, performed_on, quantity, status, credit_cents)"
    " VALUES (:s, :f, '-infinity', 1, 'reported', 100)",
    "INSERT INTO care_logs (section_id, farmer_id, performed_on, quantity, status, credit_cents)"
    " VALUES (:s, :f, '0001-01-01', 1, 'reported', 100)",
    "UPDATE users SET created_at = '-infinity' WHERE id = :f",
])
async def test_the_database_refuses_absurd_days_past_the_service(client, db_session, world, statement):
    from tests.test_care_api import assigned_section

    section = await assigned_section(client, world)
    with pytest.raises(DBAPIError, match="_bounded"):
        async with db_session.begin_nested():
            await db_session.execute(text(statement), {"s": section["id"], "f": world.farmer.id})
