"""The settlement core with hand-computed figures (more in test_settlement.py)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.ledger import service as ledger
from machinery_network.money import line_amounts
from machinery_network.settlement import service as settlement


async def test_settle_takes_charges_and_credits_of_the_month_and_freezes_them(db_session, world):
    # Franz: tractor 3.5 h × 48,00 € + 19 % VAT = 168,00 net → 199,92 gross; credit 850 m × 0,15 € = 127,50.
    charge = line_amounts(Decimal("3.5"), 4800, Decimal(19))
    assert (charge.net_cents, charge.vat_cents, charge.gross_cents) == (16800, 3192, 19992)
    await ledger.post_charge(
        db_session, farmer_id=world.farmer.id, municipality_id=world.north.id, value_date=date(2026, 9, 14),
        amounts=charge, vat_percent=Decimal(19), item_name="Traktor", quantity=Decimal("3.5"), unit="hour",
        rate_cents=4800, booking_id=None, actor=SYSTEM,
    )
    await ledger.post_credit(
        db_session, farmer_id=world.farmer.id, municipality_id=world.north.id, value_date=date(2026, 9, 30),
        quantity=Decimal(850), unit="metre", rate_cents=15, section_name="K 21", care_log_id=None, actor=SYSTEM,
    )
    # October belongs to the next settlement.
    await ledger.post_adjustment(
        db_session, world.finance_north.actor, farmer_id=world.farmer.id, municipality_id=world.north.id,
        value_date=date(2026, 10, 1), amount_cents=500, reason="Diesel", settings=get_settings(),
    )
    result = await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
    assert result.created
    s = result.settlement
    assert (s.entry_count, s.farmer_count) == (2, 1)
    assert (s.total_charges_cents, s.total_credits_cents, s.total_net_cents) == (19992, 12750, 7242)

    again = await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, settings=get_settings())
    assert not again.created and again.settlement.id == s.id

    with pytest.raises(DBAPIError, match="settled and cannot change"):
        async with db_session.begin_nested():
            await db_session.execute(
                text("UPDATE ledger_entries SET amount_cents = 1 WHERE settlement_id = :s"), {"s": s.id}
            )
    with pytest.raises(DBAPIError, match="append-only"):
        async with db_session.begin_nested():
            await db_session.execute(text("DELETE FROM ledger_entries WHERE settlement_id IS NULL"))
    with pytest.raises(DBAPIError, match="frozen"):
        async with db_session.begin_nested():
            await db_session.execute(text("UPDATE settlements SET total_net_cents = 0 WHERE id = :s"), {"s": s.id})


async def test_manual_runs_are_recorded(client, db_session, world):
    from sqlalchemy import select

    from machinery_network.settlement.models import SettlementRun

    await ledger.post_adjustment(
        db_session, world.finance_north.actor, farmer_id=world.farmer.id, municipality_id=world.north.id,
        value_date=date(2026, 10, 3), amount_cents=1200, reason="Reifenschaden", settings=get_settings(),
    )
    await db_session.commit()
    body = {"month": "2026-10", "municipality_id": world.north.id}
    first = await client.post("/api/v1/settlements", json=body, headers=world.finance_north.headers)
    again = await client.post("/api/v1/settlements", json=body, headers=world.finance_north.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    runs = list(await db_session.scalars(select(SettlementRun).order_by(SettlementRun.id)))
    assert [(r.trigger, r.created, r.entries) for r in runs] == [("api", True, 1), ("api", False, 0)]
    assert all(r.finished_at is not None and r.settlement_id == first.json()["id"] for r in runs)
