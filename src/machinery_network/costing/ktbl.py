"""The KTBL cost-price formulas (pure: no database, no I/O).

The contract's method, with every amount in cents and every intermediate kept exact (``Decimal``);
each published figure is rounded half-up to the cent once, at the end (``money.round_half_up``):

- fixed cost per year = (price − residual) / life_years                 (depreciation)
                      + (price + residual) / 2 × interest %             (interest on the average capital)
                      + insurance + housing + tax
- variable cost per unit = price × repair % / life_units                (repairs over the whole life)
                         + fuel litres per unit × fuel price per litre
- cost per unit at the expected use = fixed / annual_units + variable

Extras beyond the contract: the operator wage with overheads (an hourly rate of its own, as items
carry ``operator_rate_cents``), and the operating threshold: how many units a year the item must be
used at a given rate before it covers its cost (fixed / (rate − variable)).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from machinery_network.money import HUNDRED, round_half_up

TWO = Decimal(2)


@dataclass(frozen=True)
class CostInputs:
    purchase_price_cents: int
    residual_value_cents: int
    life_years: Decimal
    life_units: Decimal
    annual_units: Decimal
    interest_percent: Decimal
    insurance_cents_per_year: int
    housing_cents_per_year: int
    tax_cents_per_year: int
    repair_percent_of_price: Decimal
    fuel_litres_per_unit: Decimal
    fuel_price_cents_per_litre: Decimal
    operator_wage_cents_per_hour: int | None = None
    operator_overhead_percent: Decimal = Decimal(0)


class CostResult(BaseModel):
    """The published figures (the API answers them as they are, ``schemas.CostCalculationPublic``)."""

    model_config = ConfigDict(frozen=True)

    fixed_cents_per_year: int
    variable_cents_per_unit: int
    cost_cents_per_unit: int
    depreciation_cents_per_year: int
    interest_cents_per_year: int
    repair_cents_per_unit: int
    fuel_cents_per_unit: int
    operator_rate_cents: int | None


@dataclass(frozen=True)
class ExactCosts:
    """The unrounded figures, for further arithmetic (the threshold, the coverage)."""

    depreciation: Decimal
    interest: Decimal
    fixed: Decimal
    repair: Decimal
    fuel: Decimal
    variable: Decimal
    cost_per_unit: Decimal


def exact_costs(inputs: CostInputs) -> ExactCosts:
    """The formulas without rounding. Raises ``ValueError`` on a zero life or annual use."""
    if inputs.life_years <= 0 or inputs.life_units <= 0 or inputs.annual_units <= 0:
        raise ValueError("life_years, life_units and annual_units must be greater than zero")
    price = Decimal(inputs.purchase_price_cents)
    residual = Decimal(inputs.residual_value_cents)
    depreciation = (price - residual) / Decimal(inputs.life_years)
    interest = (price + residual) / TWO * Decimal(inputs.interest_percent) / HUNDRED
    fixed = (
        depreciation
        + interest
        + inputs.insurance_cents_per_year
        + inputs.housing_cents_per_year
        + inputs.tax_cents_per_year
    )
    repair = price * Decimal(inputs.repair_percent_of_price) / HUNDRED / Decimal(inputs.life_units)
    fuel = Decimal(inputs.fuel_litres_per_unit) * Decimal(inputs.fuel_price_cents_per_litre)
    variable = repair + fuel
    cost_per_unit = fixed / Decimal(inputs.annual_units) + variable
    return ExactCosts(depreciation, interest, fixed, repair, fuel, variable, cost_per_unit)


def operator_rate(wage_cents_per_hour: int, overhead_percent: Decimal | int = 0) -> int:
    """The operator's hour: wage plus overheads (social insurance, holidays, …) in percent of it."""
    return round_half_up(Decimal(wage_cents_per_hour) * (HUNDRED + Decimal(overhead_percent)) / HUNDRED)


def calculate(inputs: CostInputs) -> CostResult:
    """The published figures, each rounded half-up to the cent from its exact value."""
    exact = exact_costs(inputs)
    wage = inputs.operator_wage_cents_per_hour
    return CostResult(
        fixed_cents_per_year=round_half_up(exact.fixed),
        variable_cents_per_unit=round_half_up(exact.variable),
        cost_cents_per_unit=round_half_up(exact.cost_per_unit),
        depreciation_cents_per_year=round_half_up(exact.depreciation),
        interest_cents_per_year=round_half_up(exact.interest),
        repair_cents_per_unit=round_half_up(exact.repair),
        fuel_cents_per_unit=round_half_up(exact.fuel),
        operator_rate_cents=None if wage is None else operator_rate(wage, inputs.operator_overhead_percent),
    )


def break_even_units(inputs: CostInputs, rate_cents: int) -> Decimal | None:
    """Operating threshold: the yearly use (one decimal, half-up) at which ``rate_cents`` per unit covers
    the fixed and variable cost; ``None`` when the rate does not even cover the variable cost."""
    exact = exact_costs(inputs)
    margin = Decimal(rate_cents) - exact.variable
    if margin <= 0:
        return None
    return (exact.fixed / margin).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def cost_at_use(inputs: CostInputs, units: Decimal) -> int:
    """The cost of one year in which the item ran ``units``: fixed + units × variable (cents, half-up)."""
    exact = exact_costs(inputs)
    return round_half_up(exact.fixed + Decimal(units) * exact.variable)
