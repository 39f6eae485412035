"""The KTBL formulas worked by hand: a tractor and a mulcher (all amounts in cents)."""

from decimal import Decimal

import pytest

from machinery_network.costing.ktbl import (
    CostInputs,
    break_even_units,
    calculate,
    cost_at_use,
    exact_costs,
    operator_rate,
)

# Tractor 120 PS: bought for 120,000.00 €, sold after 12 years / 10,000 h for 24,000.00 €, 600 h a year.
TRACTOR = CostInputs(
    purchase_price_cents=12_000_000,
    residual_value_cents=2_400_000,
    life_years=Decimal(12),
    life_units=Decimal(10_000),
    annual_units=Decimal(600),
    interest_percent=Decimal(3),
    insurance_cents_per_year=80_000,
    housing_cents_per_year=40_000,
    tax_cents_per_year=0,
    repair_percent_of_price=Decimal(80),
    fuel_litres_per_unit=Decimal("9.5"),
    fuel_price_cents_per_litre=Decimal(150),
)

# Mulcher 2.8 m: 18,500.00 €, 1,500.00 € left after 8 years / 2,500 h, 200 h a year, no fuel of its own.
MULCHER = CostInputs(
    purchase_price_cents=1_850_000,
    residual_value_cents=150_000,
    life_years=Decimal(8),
    life_units=Decimal(2_500),
    annual_units=Decimal(200),
    interest_percent=Decimal("3.5"),
    insurance_cents_per_year=12_000,
    housing_cents_per_year=15_000,
    tax_cents_per_year=0,
    repair_percent_of_price=Decimal(110),
    fuel_litres_per_unit=Decimal(0),
    fuel_price_cents_per_litre=Decimal(0),
)


def test_tractor_by_hand():
    result = calculate(TRACTOR)
    # depreciation = (12,000,000 − 2,400,000) / 12 = 9,600,000 / 12 = 800,000
    assert result.depreciation_cents_per_year == 800_000
    # interest = (12,000,000 + 2,400,000) / 2 × 3 % = 7,200,000 × 0.03 = 216,000
    assert result.interest_cents_per_year == 216_000
    # fixed = 800,000 + 216,000 + 80,000 + 40,000 + 0 = 1,136,000 (11,360.00 € a year)
    assert result.fixed_cents_per_year == 1_136_000
    # repair = 12,000,000 × 80 % / 10,000 h = 9,600,000 / 10,000 = 960 per hour
    assert result.repair_cents_per_unit == 960
    # fuel = 9.5 l × 150 = 1,425 per hour
    assert result.fuel_cents_per_unit == 1_425
    # variable = 960 + 1,425 = 2,385
    assert result.variable_cents_per_unit == 2_385
    # cost per hour = 1,136,000 / 600 + 2,385 = 1,893.333… + 2,385 = 4,278.333… → 4,278 (42.78 €)
    assert result.cost_cents_per_unit == 4_278
    assert result.operator_rate_cents is None


def test_mulcher_by_hand_rounds_the_half_up():
    result = calculate(MULCHER)
    # depreciation = (1,850,000 − 150,000) / 8 = 212,500
    assert result.depreciation_cents_per_year == 212_500
    # interest = (1,850,000 + 150,000) / 2 × 3.5 % = 1,000,000 × 0.035 = 35,000
    assert result.interest_cents_per_year == 35_000
    # fixed = 212,500 + 35,000 + 12,000 + 15,000 = 274,500
    assert result.fixed_cents_per_year == 274_500
    # repair = 1,850,000 × 110 % / 2,500 h = 2,035,000 / 2,500 = 814; no fuel
    assert (result.repair_cents_per_unit, result.fuel_cents_per_unit, result.variable_cents_per_unit) == (814, 0, 814)
    # cost per hour = 274,500 / 200 + 814 = 1,372.5 + 814 = 2,186.5 → 2,187 (half-up, not to even)
    assert result.cost_cents_per_unit == 2_187


def test_rounding_happens_once_at_the_end():
    inputs = CostInputs(
        purchase_price_cents=1_001, residual_value_cents=0, life_years=Decimal(2), life_units=Decimal(1),
        annual_units=Decimal(1), interest_percent=Decimal(0), insurance_cents_per_year=0,
        housing_cents_per_year=0, tax_cents_per_year=0, repair_percent_of_price=Decimal("0.04"),
        fuel_litres_per_unit=Decimal("0.4"), fuel_price_cents_per_litre=Decimal(1),
    )
    result = calculate(inputs)
    # fixed = 1,001 / 2 = 500.5 → 501
    assert result.fixed_cents_per_year == 501
    # repair = 1,001 × 0.04 % / 1 = 0.4004 → 0; fuel = 0.4 × 1 = 0.4 → 0; but variable = 0.8004 → 1
    assert (result.repair_cents_per_unit, result.fuel_cents_per_unit, result.variable_cents_per_unit) == (0, 0, 1)
    # cost = 500.5 / 1 + 0.8004 = 501.3004 → 501 (adding the rounded 501 + 1 would give 502)
    assert result.cost_cents_per_unit == 501
    assert exact_costs(inputs).variable == Decimal("0.8004")


def test_operator_wage_with_overheads():
    # 22.00 € wage + 60 % overheads = 35.20 € an hour
    assert operator_rate(2_200, Decimal(60)) == 3_520
    # 19.99 € + 33.3 % = 26.64667 → 26.65 €
    assert operator_rate(1_999, Decimal("33.3")) == 2_665
    with_wage = calculate(CostInputs(**{**vars(TRACTOR), "operator_wage_cents_per_hour": 2_200,
                                        "operator_overhead_percent": Decimal(60)}))
    assert with_wage.operator_rate_cents == 3_520
    assert with_wage.cost_cents_per_unit == 4_278  # the machine's cost stays apart from the operator


def test_operating_threshold_and_cost_at_actual_use():
    # at 48.00 € an hour the tractor covers 1,136,000 / (4,800 − 2,385) = 470.39… h → 470.4 h a year
    assert break_even_units(TRACTOR, 4_800) == Decimal("470.4")
    # a rate at or below the variable cost never covers the cost
    assert break_even_units(TRACTOR, 2_385) is None
    # a year of 500 h costs 1,136,000 + 500 × 2,385 = 2,328,500
    assert cost_at_use(TRACTOR, Decimal(500)) == 2_328_500
    # the mulcher idle all year still costs its fixed 274,500
    assert cost_at_use(MULCHER, Decimal(0)) == 274_500


@pytest.mark.parametrize("field", ["life_years", "life_units", "annual_units"])
def test_zero_life_or_use_is_refused(field):
    with pytest.raises(ValueError):
        calculate(CostInputs(**{**vars(TRACTOR), field: Decimal(0)}))
