"""Monthly settlement through the API and the service: hand-computed figures, late entries, idempotency,
races on real connections, a crash in the middle, refusals."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.ledger import service as ledger
from machinery_network.ledger.models import LedgerEntry
from machinery_network.mandates import partners
from machinery_network.money import line_amounts
from machinery_network.settlement import service as settlement
from machinery_network.settlement import settling
from machinery_network.settlement.models import Settlement, SettlementLine
from tests.conftest import build_world

# 5 November 2026, noon in Berlin: October has ended, November has not.
NOW = datetime(2026, 11, 5, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen")


async def charge(session, farmer, municipality, day, quantity, rate, vat=0, booking_id=None):
    amounts = line_amounts(Decimal(quantity), rate, Decimal(vat))
    await partners.add_partner(session, SYSTEM, municipality.id, farmer.id)
    return await ledger.post_charge(
        session, farmer_id=farmer.id, municipality_id=municipality.id, value_date=day, amounts=amounts,
        vat_percent=Decimal(vat), item_name="Gerät", quantity=Decimal(quantity), unit="hour", rate_cents=rate,
        booking_id=booking_id, actor=SYSTEM,
    )


async def credit(session, farmer, municipality, day, quantity, rate):
    await partners.add_partner(session, SYSTEM, municipality.id, farmer.id)
    return await ledger.post_credit(
        session, farmer_id=farmer.id, municipality_id=municipality.id, value_date=day,
        quantity=Decimal(quantity), unit="metre", rate_cents=rate, section_name="Weg", care_log_id=None,
        actor=SYSTEM,
    )


async def adjust(session, staff, farmer, municipality, day, cents, reason="Korrektur"):
    return await ledger.post_adjustment(
        session, staff.actor, farmer_id=farmer.id, municipality_id=municipality.id, value_date=day,
        amount_cents=cents, reason=reason, settings=get_settings(),
    )


async def small_month(session, w):
    """September 2026 in both municipalities, plus October entries that must stay out."""
    # North, Franz: tractor 3,5 h × 48,00 € + 19 % = 168,00 + 31,92 = 199,92; diesel +5,00; care 850 m × 0,15 = 127,50
    await charge(session, w.farmer, w.north, date(2026, 9, 14), "3.5", 4800, 19)
    await adjust(session, w.yard_north, w.farmer, w.north, date(2026, 9, 2), 500, "Diesel")
    await credit(session, w.farmer, w.north, date(2026, 9, 30), 850, 15)
    # North, Gerda: sweeper 2 × 120,00 € + 7 % = 240,00 + 16,80 = 256,80; hedge 3 h × 25,00 € = 75,00
    await charge(session, w.farmer2, w.north, date(2026, 9, 1), 2, 12000, 7)
    await credit(session, w.farmer2, w.north, date(2026, 9, 21), 3, 2500)
    # South, Franz: crew flat 80,00 €; Gerda: goodwill credit 15,00 €
    await charge(session, w.farmer, w.south, date(2026, 9, 30), 1, 8000)
    await adjust(session, w.finance_south, w.farmer2, w.south, date(2026, 9, 10), -1500, "Kulanz")
    # October: next month's business
    await charge(session, w.farmer, w.north, date(2026, 10, 1), 1, 999)
    await credit(session, w.farmer2, w.south, date(2026, 10, 31), 10, 10)
    await session.commit()


NORTH_SEPTEMBER = {
    "farmer": (19992 + 500, 12750, 19992 + 500 - 12750),  # 20492, 12750, 7742
    "farmer2": (25680, 7500, 18180),
}


async def test_small_month_with_hand_computed_figures(client, db_session, world):
    await small_month(db_session, world)
    response = await client.post("/api/v1/settlements", json={"month": "2026-09", "municipality_id": world.north.id},
                                 headers=world.finance_north.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["month"] == "2026-09" and body["municipality_id"] == world.north.id
    lines = {line["farmer_id"]: line for line in body["lines"]}
    assert set(lines) == {world.farmer.id, world.farmer2.id}
    for key, person in (("farmer", world.farmer), ("farmer2", world.farmer2)):
        line = lines[person.id]
        assert (line["charges_cents"], line["credits_cents"], line["net_cents"]) == NORTH_SEPTEMBER[key]
        assert line["farmer_name"] == person.user.name
    assert (body["total_charges_cents"], body["total_credits_cents"], body["total_net_cents"]) == (46172, 20250, 25922)
    assert body["entry_count"] == 5 and body["farmer_count"] == 2
    assert body["run_by"] == world.finance_north.id and "Fritz Nord" in body["run_by_label"]

    response = await client.post("/api/v1/settlements", json={"month": "2026-09", "municipality_id": world.south.id},
                                 headers=world.admin.headers)
    assert response.status_code == 201
    south = response.json()
    lines = {line["farmer_id"]: line for line in south["lines"]}
    assert (lines[world.farmer.id]["charges_cents"], lines[world.farmer.id]["net_cents"]) == (8000, 8000)
    assert (lines[world.farmer2.id]["credits_cents"], lines[world.farmer2.id]["net_cents"]) == (1500, -1500)
    assert (south["total_charges_cents"], south["total_credits_cents"], south["total_net_cents"]) == (8000, 1500, 6500)

    # October: Franz's 9,99 € in the north, Gerda's 1,00 € credit in the south
    response = await client.post("/api/v1/settlements", json={"month": "2026-10", "municipality_id": world.north.id},
                                 headers=world.finance_north.headers)
    assert response.json()["total_net_cents"] == 999 and response.json()["entry_count"] == 1
    response = await client.post("/api/v1/settlements", json={"month": "2026-10", "municipality_id": world.south.id},
                                 headers=world.finance_south.headers)
    assert response.json()["total_net_cents"] == -100

    listed = await client.get("/api/v1/settlements", params={"municipality_id": world.north.id},
                              headers=world.finance_north.headers)
    assert [s["month"] for s in listed.json()] == ["2026-10", "2026-09"]


async def test_rerun_is_idempotent_and_get_returns_the_same_body(client, db_session, world):
    await small_month(db_session, world)
    body = {"month": "2026-09", "municipality_id": world.north.id}
    first = await client.post("/api/v1/settlements", json=body, headers=world.finance_north.headers)
    second = await client.post("/api/v1/settlements", json=body, headers=world.admin.headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    shown = await client.get("/api/v1/settlements/2026-09", params={"municipality_id": world.north.id},
                             headers=world.finance_north.headers)
    assert shown.status_code == 200 and shown.json() == first.json()
    count = await db_session.scalar(select(func.count()).select_from(Settlement).where(
        Settlement.municipality_id == world.north.id, Settlement.month == date(2026, 9, 1)))
    assert count == 1


async def test_late_entry_for_a_settled_month_lands_in_the_next_settlement(client, db_session, world):
    await small_month(db_session, world)
    sep = (await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())).settlement
    await db_session.commit()
    late = await adjust(db_session, world.yard_north, world.farmer, world.north, date(2026, 9, 20), 1234, "Nachtrag")
    await db_session.commit()
    again = await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
    assert not again.created and again.settlement.total_net_cents == sep.total_net_cents == 25922

    account = await client.get(f"/api/v1/accounts/{world.farmer.id}", params={"municipality_id": world.north.id},
                               headers=world.farmer.headers)
    late_view = next(e for e in account.json()["entries"] if e["id"] == late.id)
    assert late_view["settlement_id"] is None  # not settled yet

    oct_ = (await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
    assert (oct_.entry_count, oct_.total_net_cents) == (2, 999 + 1234)
    entry = await db_session.get(LedgerEntry, late.id, populate_existing=True)
    assert entry.settlement_id == oct_.id


async def test_an_earlier_unsettled_month_is_taken_by_a_later_settlement(db_session, world):
    await small_month(db_session, world)
    oct_ = (await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
    assert (oct_.entry_count, oct_.total_net_cents) == (6, 25922 + 999)
    assert await settlement.find_settlement(db_session, world.north.id, date(2026, 9, 1)) is None


async def test_month_not_ended_or_malformed_is_422(client, world):
    for month in ("2026-11", "2027-01"):
        response = await client.post("/api/v1/settlements", json={"month": month, "municipality_id": world.north.id},
                                     headers=world.finance_north.headers)
        assert response.status_code == 422, month
        assert "not ended" in response.json()["detail"]
    for month in ("2026-13", "2026-9", "Oktober", "", 202610):
        response = await client.post("/api/v1/settlements", json={"month": month, "municipality_id": world.north.id},
                                     headers=world.finance_north.headers)
        assert response.status_code == 422, month
    response = await client.get("/api/v1/settlements/2026-13", params={"municipality_id": world.north.id},
                                headers=world.finance_north.headers)
    assert response.status_code == 422
    response = await client.post("/api/v1/settlements", json={"month": "2026-09", "municipality_id": world.north.id,
                                                              "extra": 1}, headers=world.finance_north.headers)
    assert response.status_code == 422


async def test_settlement_refusals_by_role_and_municipality(client, db_session, world):
    await small_month(db_session, world)
    body = {"month": "2026-09", "municipality_id": world.north.id}
    assert (await client.post("/api/v1/settlements", json=body)).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_south):
        response = await client.post("/api/v1/settlements", json=body, headers=person.headers)
        assert response.status_code == 403, person.user.name
    unknown = {"month": "2026-09", "municipality_id": 999999}
    assert (await client.post("/api/v1/settlements", json=unknown, headers=world.admin.headers)).status_code == 404
    # nothing was settled by the refused calls
    assert await settlement.find_settlement(db_session, world.north.id, date(2026, 9, 1)) is None

    assert (await client.post("/api/v1/settlements", json=body, headers=world.finance_north.headers)).status_code == 201
    params = {"municipality_id": world.north.id}
    assert (await client.get("/api/v1/settlements/2026-09", params=params)).status_code == 401
    for person in (world.farmer, world.yard_north, world.finance_south):
        response = await client.get("/api/v1/settlements/2026-09", params=params, headers=person.headers)
        assert response.status_code == 403, person.user.name
        response = await client.get("/api/v1/settlements", params=params, headers=person.headers)
        assert response.status_code == 403, person.user.name
    response = await client.get("/api/v1/settlements/2026-08", params=params, headers=world.finance_north.headers)
    assert response.status_code == 404
    response = await client.get("/api/v1/settlements/2026-09", params={"municipality_id": 999999},
                                headers=world.admin.headers)
    assert response.status_code == 404
    # a finance officer may leave out his own municipality
    response = await client.get("/api/v1/settlements/2026-09", headers=world.finance_north.headers)
    assert response.status_code == 200 and response.json()["municipality_id"] == world.north.id


async def test_database_refuses_changes_to_settled_entries_lines_and_settlements(db_session, world):
    await small_month(db_session, world)
    s = (await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())).settlement
    pending = await db_session.scalar(select(Settlement.id).where(
        Settlement.municipality_id == world.north.id, Settlement.frozen.is_(False)))
    statements = [
        ("UPDATE ledger_entries SET amount_cents = 1 WHERE settlement_id = :s", "settled and cannot change"),
        ("UPDATE ledger_entries SET settlement_id = :p WHERE settlement_id = :s", "settled and cannot change"),
        # an unsettled entry cannot be pushed into a frozen settlement, nor change its amount
        ("UPDATE ledger_entries SET settlement_id = :s WHERE settlement_id = :p", "pending settlement"),
        ("UPDATE ledger_entries SET amount_cents = 7 WHERE settlement_id = :p", "append-only"),
        ("DELETE FROM ledger_entries WHERE settlement_id = :p", "append-only"),
        ("DELETE FROM ledger_entries WHERE false", "append-only"),
        ("UPDATE settlements SET total_net_cents = 0 WHERE id = :s", "frozen"),
        ("DELETE FROM settlements WHERE id = :s", "frozen"),
        ("UPDATE settlement_lines SET net_cents = 0 WHERE settlement_id = :s", "frozen"),
        ("INSERT INTO settlement_lines (settlement_id, farmer_id, charges_cents, credits_cents, net_cents,"
         " entry_count) VALUES (:s, (SELECT id FROM users WHERE role = 'admin' LIMIT 1), 1, 0, 1, 1)",
         "not frozen"),
        ("INSERT INTO ledger_entries (farmer_id, municipality_id, value_date, kind, amount_cents, net_cents,"
         " vat_cents, vat_percent, text, settlement_id) SELECT farmer_id, municipality_id, value_date, kind,"
         " amount_cents, net_cents, vat_cents, vat_percent, text, :s FROM ledger_entries WHERE settlement_id = :s"
         " LIMIT 1", "assigned by the database"),
    ]
    for sql, message in statements:
        with pytest.raises(DBAPIError, match=message):
            async with db_session.begin_nested():
                await db_session.execute(text(sql), {"s": s.id, "p": pending})
    frozen_entries = await db_session.scalar(select(func.count()).where(LedgerEntry.settlement_id == s.id))
    assert frozen_entries == 5


# --- real connections: races and crashes ----------------------------------------------------------------


async def _committed_month(committed_sessionmaker):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        await small_month(session, world)
        return world


async def _entry_settlements(sessionmaker, municipality_id):
    async with sessionmaker() as session:
        rows = await session.execute(
            select(LedgerEntry.id, Settlement.month, Settlement.frozen)
            .join(Settlement, Settlement.id == LedgerEntry.settlement_id)
            .where(LedgerEntry.municipality_id == municipality_id)
        )
        return {r.id: (r.month, r.frozen) for r in rows}


async def test_two_settlements_racing_on_two_connections_give_one(committed_sessionmaker):
    world = await _committed_month(committed_sessionmaker)

    async def run():
        async with committed_sessionmaker() as session:
            result = await settlement.settle(session, world.finance_north.actor, date(2026, 9, 1), world.north.id, settings=get_settings())
            await asyncio.sleep(0.05)  # hold the transaction open so the other one has to wait
            await session.commit()
            return result

    results = await asyncio.gather(run(), run(), run())
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.settlement.id for r in results}) == 1
    assert {r.settlement.total_net_cents for r in results} == {25922}
    async with committed_sessionmaker() as session:
        settlements = (await session.scalars(select(Settlement).where(
            Settlement.municipality_id == world.north.id, Settlement.month == date(2026, 9, 1)))).all()
        assert len(settlements) == 1 and settlements[0].frozen
        line_entries = await session.scalar(select(func.sum(SettlementLine.entry_count)).where(
            SettlementLine.settlement_id == settlements[0].id))
    assert line_entries == 5
    settled = [e for e, (month, frozen) in (await _entry_settlements(committed_sessionmaker, world.north.id)).items()
               if frozen]
    assert len(settled) == 5


async def test_postings_racing_with_the_settlement_are_never_lost(committed_sessionmaker):
    """Entries posted for September while September is being settled: each lands in exactly one settlement."""
    world = await _committed_month(committed_sessionmaker)

    async def post(i):
        async with committed_sessionmaker() as session:
            await adjust(session, world.yard_north, world.farmer, world.north, date(2026, 9, 15), 100 + i)
            await session.commit()

    async def run():
        async with committed_sessionmaker() as session:
            result = await settlement.settle(session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
            await session.commit()
            return result.settlement

    results = await asyncio.gather(*(post(i) for i in range(10)), run(), *(post(i) for i in range(10, 20)))
    sep = results[10]
    async with committed_sessionmaker() as session:
        oct_ = (await settlement.settle(session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())).settlement
        await session.commit()
    posted = sum(100 + i for i in range(20))
    assert sep.entry_count + oct_.entry_count == 5 + 1 + 20
    assert sep.total_net_cents + oct_.total_net_cents == 25922 + 999 + posted


async def test_a_crash_in_the_middle_leaves_nothing_half_settled(committed_sessionmaker, monkeypatch):
    world = await _committed_month(committed_sessionmaker)
    before = await _entry_settlements(committed_sessionmaker, world.north.id)

    async def crash(session, params):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(settling, "_freeze", crash)  # after the lines were written
    with pytest.raises(RuntimeError, match="disk on fire"):
        async with committed_sessionmaker() as session:
            try:
                await settlement.settle(session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
                await session.commit()
            finally:
                await session.rollback()
    async with committed_sessionmaker() as session:
        assert await settlement.find_settlement(session, world.north.id, date(2026, 9, 1)) is None
        assert await session.scalar(select(func.count()).select_from(SettlementLine)) == 0
        assert await session.scalar(select(func.count()).select_from(Settlement).where(Settlement.frozen)) == 0
    assert await _entry_settlements(committed_sessionmaker, world.north.id) == before
    assert not any(frozen for _, frozen in before.values())

    monkeypatch.undo()
    async with committed_sessionmaker() as session:
        result = await settlement.settle(session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
        await session.commit()
    assert result.created and result.settlement.total_net_cents == 25922
