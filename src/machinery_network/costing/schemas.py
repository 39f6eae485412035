"""Request and response shapes of the cost-price calculator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from machinery_network.costing.ktbl import CostInputs, CostResult
from machinery_network.costing.models import CostCalculation
from machinery_network.schemas import Cents, Day, DecimalOut, Input, Note

# Lives and uses are positive; percentages bounded; fuel price may carry tenths of a cent (165.9 ct/l).
Positive = Annotated[Decimal, Field(gt=0, le=Decimal("1000000"), max_digits=12, decimal_places=3)]
Years = Annotated[Decimal, Field(gt=0, le=100, max_digits=6, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
RepairPercent = Annotated[Decimal, Field(ge=0, le=1000, max_digits=7, decimal_places=3)]
Litres = Annotated[Decimal, Field(ge=0, le=10000, max_digits=9, decimal_places=3)]
FuelPrice = Annotated[Decimal, Field(ge=0, le=100000, max_digits=9, decimal_places=3)]


class CostCalculationInput(Input):
    purchase_price_cents: Cents
    residual_value_cents: Cents
    life_years: Years
    life_units: Positive
    annual_units: Positive
    interest_percent: Percent
    insurance_cents_per_year: Cents = 0
    housing_cents_per_year: Cents = 0
    tax_cents_per_year: Cents = 0
    repair_percent_of_price: RepairPercent
    fuel_litres_per_unit: Litres = Decimal(0)
    fuel_price_cents_per_litre: FuelPrice = Decimal(0)
    operator_wage_cents_per_hour: Cents | None = None
    operator_overhead_percent: RepairPercent = Decimal(0)

    @model_validator(mode="after")
    def _residual_within_price(self) -> CostCalculationInput:
        if self.residual_value_cents > self.purchase_price_cents:
            raise ValueError("residual_value_cents must not exceed purchase_price_cents")
        return self

    def inputs(self) -> CostInputs:
        return CostInputs(**self.model_dump())


class CostCalculationPublic(CostResult):
    # The item's current rate and the yearly use at which it covers the cost (null: not even the
    # variable cost is covered).
    current_rate_cents: int
    break_even_units_per_year: DecimalOut | None

    @classmethod
    def of(cls, result: CostResult, current_rate_cents: int, break_even: Decimal | None) -> CostCalculationPublic:
        return cls(**result.model_dump(), current_rate_cents=current_rate_cents, break_even_units_per_year=break_even)


class CostAdoption(CostCalculationInput):
    """A calculation adopted as the item's rate from ``valid_from`` (default today); ``rate_cents``
    defaults to the computed cost per unit (a yard head may round it, e.g. 42.78 € → 43.00 €)."""

    valid_from: Day | None = None
    rate_cents: Cents | None = None
    note: Note | None = None

    def inputs(self) -> CostInputs:
        return CostInputs(**self.model_dump(exclude={"valid_from", "rate_cents", "note"}))


class CostCalculationKept(BaseModel):
    id: int
    item_id: int
    valid_from: date
    rate_cents: int
    purchase_price_cents: int
    residual_value_cents: int
    life_years: DecimalOut
    life_units: DecimalOut
    annual_units: DecimalOut
    interest_percent: DecimalOut
    insurance_cents_per_year: int
    housing_cents_per_year: int
    tax_cents_per_year: int
    repair_percent_of_price: DecimalOut
    fuel_litres_per_unit: DecimalOut
    fuel_price_cents_per_litre: DecimalOut
    operator_wage_cents_per_hour: int | None
    operator_overhead_percent: DecimalOut
    fixed_cents_per_year: int
    variable_cents_per_unit: int
    cost_cents_per_unit: int
    operator_rate_cents: int | None
    note: str | None
    created_by: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: CostCalculation) -> CostCalculationKept:
        return cls.model_validate(row, from_attributes=True)


class CoverageFlag(StrEnum):
    under = "under"  # revenue below 80 % of the cost
    ok = "ok"
    over = "over"  # revenue above 110 % of the cost
    unknown = "unknown"  # no calculation adopted for this item yet


class CoverageRow(BaseModel):
    item_id: int
    item_name: str
    unit: str
    year: int
    # the year's use in the item's unit (hours from the meter where read, see ``costing.coverage``)
    units: DecimalOut
    # operating hours read from the meter (return minus hand-over) and on how many bookings; null: none read
    metered_hours: DecimalOut | None = None
    metered_bookings: int = 0
    revenue_cents: int
    cost_cents: int | None
    coverage_percent: DecimalOut | None
    flag: CoverageFlag
    calculation_id: int | None
