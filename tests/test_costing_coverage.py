"""Cost coverage per item and year: revenue charged against the calculated cost at the actual use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from machinery_network.bookings import service as bookings
from machinery_network.bookings.schemas import BookingCreate, CompleteInput
from machinery_network.costing import coverage as cov
from machinery_network.costing import service
from machinery_network.costing.models import CostCalculation
from machinery_network.costing.schemas import CostAdoption, CoverageFlag
from tests.test_bookings import make_item

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=BERLIN)
pytestmark = pytest.mark.usefixtures("frozen")

MULCHER = dict(  # worked by hand in test_costing_ktbl: fixed 274,500, variable 814, 2,187 per hour at 200 h
    purchase_price_cents=1_850_000, residual_value_cents=150_000, life_years=8, life_units=2_500,
    annual_units=200, interest_percent=Decimal("3.5"), insurance_cents_per_year=12_000,
    housing_cents_per_year=15_000, tax_cents_per_year=0, repair_percent_of_price=110,
)
# 1,000.00 € over 10 years, nothing else: fixed 10,000 a year, no variable cost, 100 per hectare at 100 ha
SPREADER = dict(
    purchase_price_cents=100_000, residual_value_cents=0, life_years=10, life_units=1_000, annual_units=100,
    interest_percent=0, repair_percent_of_price=0,
)


def t(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN)


async def used(db_session, world, settings, frozen, item, start, end, quantity):
    booking = await bookings.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=start, end=end, with_operator=False, expected_quantity=quantity),
        settings,
    )
    await bookings.approve(db_session, world.yard_north.actor, booking.id, settings)
    frozen.move(end)
    await bookings.complete(db_session, world.yard_north.actor, booking.id, CompleteInput(quantity=quantity), settings)
    frozen.move(NOW)


async def test_coverage_flags_by_hand(db_session, world, settings, frozen):
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    spreader = await make_item(db_session, world, unit="hectare", rate=100, vat=0)
    unpriced = await make_item(db_session, world, unit="day", rate=9_000, vat=0)
    yard = world.yard_north.actor
    await service.adopt(db_session, yard, mulcher.id, CostAdoption(**MULCHER), settings)  # from 1 March
    # the spreader's rate rounded up to 1.20 € a hectare
    await service.adopt(db_session, yard, spreader.id, CostAdoption(**SPREADER, rate_cents=120), settings)

    await used(db_session, world, settings, frozen, mulcher, t(3, 2, 8), t(3, 2, 18), Decimal(10))
    await used(db_session, world, settings, frozen, spreader, t(3, 3, 8), t(3, 3, 18), Decimal(100))
    await used(db_session, world, settings, frozen, unpriced, t(3, 4, 8), t(3, 5, 8), Decimal(1))

    rows = {row.item_id: row for row in await cov.coverage(db_session, yard, world.north.id, 2026, settings)}
    # mulcher: revenue 10 h × 21.87 € = 218.70 €; cost 274,500 + 10 × 814 = 282,640;
    # 21,870 / 282,640 = 7.74 % → under
    m = rows[mulcher.id]
    assert (m.units, m.revenue_cents, m.cost_cents, m.coverage_percent, m.flag) == (
        Decimal(10), 21_870, 282_640, Decimal("7.7"), CoverageFlag.under)
    # spreader: 100 ha × 1.20 € = 12,000; cost 10,000 + 100 × 0 = 10,000 → 120 % → over
    s = rows[spreader.id]
    assert (s.revenue_cents, s.cost_cents, s.coverage_percent, s.flag) == (
        12_000, 10_000, Decimal("120.0"), CoverageFlag.over)
    # no calculation adopted: revenue 9,000 but nothing to compare with
    u = rows[unpriced.id]
    assert (u.revenue_cents, u.cost_cents, u.coverage_percent, u.flag) == (9_000, None, None, CoverageFlag.unknown)

    # another year has no use and no revenue: only the fixed cost, 0 % → under
    before = {row.item_id: row for row in await cov.coverage(db_session, yard, world.north.id, 2027, settings)}
    assert (before[mulcher.id].revenue_cents, before[mulcher.id].cost_cents, before[mulcher.id].flag) == (
        0, 274_500, CoverageFlag.under)
    # and before any calculation was adopted the cost is unknown
    assert (await cov.coverage(db_session, yard, world.north.id, 2025, settings))[0].flag == CoverageFlag.unknown


@pytest.mark.parametrize(("percent", "flag"), [
    (None, CoverageFlag.unknown), (Decimal("79.9"), CoverageFlag.under), (Decimal(80), CoverageFlag.ok),
    (Decimal(110), CoverageFlag.ok), (Decimal("110.1"), CoverageFlag.over),
])
def test_flag_boundaries(percent, flag):
    assert cov.flag_of(percent) == flag


def test_cost_of_year_includes_the_priced_operator():
    calculation = CostCalculation(fixed_cents_per_year=1_136_000, variable_cents_per_unit=2_385,
                                  operator_rate_cents=3_520)
    # 1,136,000 + 500 × 2,385 + 120 × 3,520 = 1,136,000 + 1,192,500 + 422,400 = 2,750,900
    assert cov.cost_of_year(calculation, Decimal(500), Decimal(120)) == 2_750_900


async def test_coverage_api_and_its_refusals(client, world):
    url = f"/api/v1/cost-coverage?municipality_id={world.north.id}&year=2026"
    for who in ("yard_north", "finance_north", "admin"):
        response = await client.get(url, headers=getattr(world, who).headers)
        assert response.status_code == 200, (who, response.text)
        assert response.json() == []
    for who in ("farmer", "yard_south"):
        assert (await client.get(url, headers=getattr(world, who).headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (await client.get("/api/v1/cost-coverage?municipality_id=999999&year=2026",
                             headers=world.admin.headers)).status_code == 404
    assert (await client.get(f"/api/v1/cost-coverage?municipality_id={world.north.id}&year=abc",
                             headers=world.admin.headers)).status_code in (400, 422)
