"""Tables of costing: each adopted cost calculation, kept with the rate it produced."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Date
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, decimal_col, fk


def _cents(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(BigInteger, nullable=nullable))


class CostCalculation(SQLModel, table=True):
    """A KTBL calculation the yard head adopted: its inputs, its figures and the rate (from
    ``valid_from``) it became. Kept for good (the database refuses change and deletion), so anyone can
    see how a rate was reached; CHECK constraints (migration) hold the inputs to the method's sense."""

    __tablename__ = "cost_calculations"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("items.id")
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    purchase_price_cents: int = _cents()
    residual_value_cents: int = _cents()
    life_years: Decimal = decimal_col(6, 2)
    life_units: Decimal = decimal_col(12, 3)
    annual_units: Decimal = decimal_col(12, 3)
    interest_percent: Decimal = decimal_col(6, 3)
    insurance_cents_per_year: int = _cents()
    housing_cents_per_year: int = _cents()
    tax_cents_per_year: int = _cents()
    repair_percent_of_price: Decimal = decimal_col(7, 3)
    fuel_litres_per_unit: Decimal = decimal_col(9, 3)
    fuel_price_cents_per_litre: Decimal = decimal_col(9, 3)
    operator_wage_cents_per_hour: int | None = _cents(nullable=True)
    operator_overhead_percent: Decimal = decimal_col(7, 3)
    fixed_cents_per_year: int = _cents()
    variable_cents_per_unit: int = _cents()
    cost_cents_per_unit: int = _cents()
    operator_rate_cents: int | None = _cents(nullable=True)
    # the rate adopted (the cost per unit, unless the yard head chose a round figure near it)
    rate_cents: int = _cents()
    note: str | None = Field(default=None, max_length=2000)
    created_by: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
