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
from machinery_network.machine import service as machine
from machinery_network.machine.schemas import CheckinInput, CheckoutInput
from tests.test_bookings import make_item
from tests.web_helpers import login

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


async def used(db_session, world, settings, frozen, item, start, end, quantity, meters=None):
    """A booking requested, approved, (with ``meters``: handed over and returned at those readings) and
    completed with ``quantity``."""
    booking = await bookings.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=start, end=end, with_operator=False, expected_quantity=quantity),
        settings,
    )
    await bookings.approve(db_session, world.yard_north.actor, booking.id, settings)
    if meters is not None:
        frozen.move(start)
        await machine.checkout(db_session, world.yard_north.actor, booking.id,
                               CheckoutInput(meter=meters[0], fuel_percent=100, condition="ok"), settings)
        frozen.move(end)
        await machine.checkin(db_session, world.yard_north.actor, booking.id,
                              CheckinInput(meter=meters[1], fuel_percent=90, condition="ok"), settings)
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


async def test_coverage_takes_the_hours_from_the_meter_where_read(db_session, world, settings, frozen):
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    spreader = await make_item(db_session, world, unit="hectare", rate=100, vat=0)
    yard = world.yard_north.actor
    await service.adopt(db_session, yard, mulcher.id, CostAdoption(**MULCHER), settings)  # 21.87 € an hour
    await service.adopt(db_session, yard, spreader.id, CostAdoption(**SPREADER, rate_cents=120), settings)

    # the mulcher ran 8.5 h by its meter (100.0 → 108.5) but 10 h were charged
    await used(db_session, world, settings, frozen, mulcher, t(3, 2, 8), t(3, 2, 18), Decimal(10),
               meters=(Decimal(100), Decimal("108.5")))
    # a second booking without meter readings: its completion's 4 h count
    await used(db_session, world, settings, frozen, mulcher, t(3, 3, 8), t(3, 3, 12), Decimal(4))
    # the spreader's meter counts hours, its use is in hectares: the completion's 100 ha count
    await used(db_session, world, settings, frozen, spreader, t(3, 4, 8), t(3, 4, 18), Decimal(100),
               meters=(Decimal(200), Decimal(203)))

    rows = {row.item_id: row for row in await cov.coverage(db_session, yard, world.north.id, 2026, settings)}
    m = rows[mulcher.id]
    # units 8.5 + 4 = 12.5 h; revenue (10 + 4) × 2,187 = 30,618; cost 274,500 + 12.5 × 814 = 284,675;
    # 30,618 / 284,675 = 10.755 % → 10.8 %, under
    assert (m.units, m.metered_hours, m.metered_bookings, m.revenue_cents, m.cost_cents, m.coverage_percent,
            m.flag) == (Decimal("12.5"), Decimal("8.5"), 1, 30_618, 284_675, Decimal("10.8"), CoverageFlag.under)
    s = rows[spreader.id]
    # 100 ha × 1.20 € = 12,000 against 10,000 + 100 × 0 → 120 %, over; the meter's 3 h shown beside it
    assert (s.units, s.metered_hours, s.metered_bookings, s.revenue_cents, s.cost_cents, s.flag) == (
        Decimal(100), Decimal(3), 1, 12_000, 10_000, CoverageFlag.over)


async def test_coverage_page_names_the_metered_hours(client, db_session, world, settings, frozen):
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    await service.adopt(db_session, world.yard_north.actor, mulcher.id, CostAdoption(**MULCHER), settings)
    await used(db_session, world, settings, frozen, mulcher, t(3, 2, 8), t(3, 2, 18), Decimal(10),
               meters=(Decimal(100), Decimal("108.5")))
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/manage/cost-coverage?municipality_id={world.north.id}&year=2026")
    assert page.status_code == 200
    assert "Betriebsstundenzähler: 8,5 h (Rückgaben: 1)" in page.text


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
