"""Estimates and charges per unit, hand-computed (half-up rounding once per line, VAT on top)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from machinery_network.bookings import service
from machinery_network.bookings.schemas import BookingCreate, CompleteInput
from machinery_network.ledger.models import LedgerEntry
from tests.test_bookings import NOW, make_item

BERLIN = ZoneInfo("Europe/Berlin")


def t(month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN, fold=fold)


async def booked(db_session, world, settings, item, start, end, *, with_operator=False, expected=None):
    return await service.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=start, end=end, with_operator=with_operator,
                      expected_quantity=expected),
        settings,
    )


@pytest.mark.parametrize(
    ("unit", "rate", "operator", "vat", "start", "end", "with_operator", "expected", "cents"),
    [
        # 4 h × 48,00 € = 192,00 + 19 % = 228,48
        ("hour", 4800, None, 19, t(10, 5, 8), t(10, 5, 12), False, None, 22848),
        # 3,5 h × (48,00 + 35,00) = 290,50 net + 19 % = 345,695 → 345,70 (half-up)
        ("hour", 4800, 3500, 19, t(10, 5, 8), t(10, 5, 11, 30), True, None, 34570),
        # the same without the operator: 168,00 + 19 % = 199,92
        ("hour", 4800, 3500, 19, t(10, 5, 8), t(10, 5, 11, 30), False, None, 19992),
        # 25 Oct 2026 00:00 CEST to 06:00 CET are 7 real hours (clocks go back): 7 × 10,00 = 70,00
        ("hour", 1000, None, 0, t(10, 25, 0), t(10, 25, 6), False, None, 7000),
        # 45 minutes × 33,33 € = 24,9975 → 25,00
        ("hour", 3333, None, 0, t(10, 5, 8), t(10, 5, 8, 45), False, None, 2500),
        # Sat 24 Oct 10:00 to Mon 26 Oct 09:00 across the DST change touch 3 days: 3 × 150,00 = 450,00
        ("day", 15000, None, 0, t(10, 24, 10), t(10, 26, 9), False, None, 45000),
        # + 8 operator hours a day: 3 × 150,00 + 24 × 30,00 = 1.170,00, VAT 7 % → 1.251,90
        ("day", 15000, 3000, 7, t(10, 24, 10), t(10, 26, 9), True, None, 125190),
        # midnight to midnight is one day, not two
        ("day", 15000, None, 19, t(10, 24, 0), t(10, 25, 0), False, None, 17850),
        # 12,5 ha × 22,50 € = 281,25 + 19 % = 334,6875 → 334,69
        ("hectare", 2250, None, 19, t(10, 5, 8), t(10, 5, 12), False, Decimal("12.5"), 33469),
        ("hectare", 2250, None, 19, t(10, 5, 8), t(10, 5, 12), False, None, None),
        # 3,2 km × 0,85 € = 2,72 + 7 % = 2,9104 → 2,91
        ("km", 85, None, 7, t(10, 5, 8), t(10, 5, 12), False, Decimal("3.2"), 291),
        # flat 99,99 € + 19 % = 118,9881 → 118,99
        ("flat", 9999, None, 19, t(10, 5, 8), t(10, 6, 12), False, None, 11899),
    ],
)
async def test_estimate_per_unit(db_session, world, settings, frozen, unit, rate, operator, vat, start, end,  # noqa: F811
                                 with_operator, expected, cents):
    item = await make_item(db_session, world, unit=unit, rate=rate, operator=operator, vat=vat)
    booking = await booked(db_session, world, settings, item, start, end, with_operator=with_operator,
                           expected=expected)
    assert booking.estimated_cents == cents


@pytest.mark.parametrize(
    ("unit", "rate", "operator", "vat", "quantity", "operator_hours", "net", "vat_cents", "gross"),
    [
        # 3,5 h × 48,00 = 168,00 + 31,92 VAT
        ("hour", 4800, None, 19, "3.5", None, 16800, 3192, 19992),
        # 3,5 h × 48,00 + 3 h × 35,00 = 273,00 + 19 % = 324,87
        ("hour", 4800, 3500, 19, "3.5", "3", 27300, 5187, 32487),
        # 2 days × 150,00 + 10 operator hours × 30,00 = 600,00, no VAT
        ("day", 15000, 3000, 0, "2", "10", 60000, 0, 60000),
        # 11,25 ha × 22,50 = 253,125 → net 253,13; gross 301,21875 → 301,22 (rounded once, from the exact value)
        ("hectare", 2250, None, 19, "11.25", None, 25313, 4809, 30122),
        # 0,5 km × 0,01 € = 0,005 → 0,01 (the half cent rounds up), no VAT
        ("km", 1, None, 0, "0.5", None, 1, 0, 1),
        # flat: 1 × 99,99 + 19 % = 118,99
        ("flat", 9999, None, 19, "1", None, 9999, 1900, 11899),
    ],
)
async def test_charge_on_completion(db_session, world, settings, frozen, unit, rate, operator, vat,  # noqa: F811
                                    quantity, operator_hours, net, vat_cents, gross):
    item = await make_item(db_session, world, unit=unit, rate=rate, operator=operator, vat=vat)
    booking = await booked(db_session, world, settings, item, t(10, 24, 22), t(10, 26, 9))
    await service.approve(db_session, world.yard_north.actor, booking.id, settings)
    frozen.move(t(10, 26, 10))
    done = await service.complete(
        db_session, world.yard_north.actor, booking.id,
        CompleteInput(quantity=Decimal(quantity),
                      with_operator_hours=Decimal(operator_hours) if operator_hours else None),
        settings,
    )
    assert (done.status, done.charge_cents) == ("completed", gross)
    entry = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == booking.id))
    assert (entry.net_cents, entry.vat_cents, entry.amount_cents) == (net, vat_cents, gross)
    assert entry.rate_cents == rate and entry.unit == unit and entry.quantity == Decimal(quantity)
    # value date: the start day in Europe/Berlin (22:00 CEST on the 24th is 20:00 UTC, still the 24th)
    assert entry.value_date == date(2026, 10, 24)


async def test_value_date_is_the_local_start_day(db_session, world, settings, frozen):  # noqa: F811
    item = await make_item(db_session, world)
    # 00:30 CEST on 6 Oct is 22:30 UTC on 5 Oct: the day of use is the 6th.
    booking = await booked(db_session, world, settings, item, t(10, 6, 0, 30), t(10, 6, 2))
    await service.approve(db_session, world.yard_north.actor, booking.id, settings)
    frozen.move(t(10, 6, 3))
    await service.complete(db_session, world.yard_north.actor, booking.id, CompleteInput(quantity=Decimal(1)),
                           settings)
    entry = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == booking.id))
    assert entry.value_date == date(2026, 10, 6)


def test_now_is_before_the_cases():
    assert t(10, 5, 8) > NOW


@pytest.mark.parametrize(
    ("unit", "with_operator", "operator_hours", "gross"),
    [
        # hour item booked with operator, hours not given: 3 h × (48,00 + 35,00) = 249,00
        ("hour", True, None, 24900),
        # given explicitly, they win: 3 h × 48,00 + 1 h × 35,00 = 179,00
        ("hour", True, "1", 17900),
        ("hour", True, "0", 14400),
        # day item with operator: 2 days × 48,00 + 16 h × 35,00 = 656,00
        ("day", True, None, 65600),
        # booked without operator: nothing unless the yard head records operator hours
        ("hour", False, None, 14400),
        ("hour", False, "2", 21400),
    ],
)
async def test_operator_hours_default_to_the_estimate_rule(db_session, world, settings, frozen, unit,  # noqa: F811
                                                           with_operator, operator_hours, gross):
    item = await make_item(db_session, world, unit=unit, rate=4800, operator=3500, vat=0)
    booking = await booked(db_session, world, settings, item, t(10, 24, 22), t(10, 26, 9),
                           with_operator=with_operator)
    await service.approve(db_session, world.yard_north.actor, booking.id, settings)
    frozen.move(t(10, 26, 10))
    quantity = Decimal(3) if unit == "hour" else Decimal(2)
    done = await service.complete(
        db_session, world.yard_north.actor, booking.id,
        CompleteInput(quantity=quantity, with_operator_hours=Decimal(operator_hours) if operator_hours else None),
        settings,
    )
    assert done.charge_cents == gross
