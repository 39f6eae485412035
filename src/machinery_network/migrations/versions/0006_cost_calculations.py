"""cost calculations: the KTBL calculations adopted as an item's rate, kept for good

``cost_calculations`` holds the inputs, the figures and the adopted rate with its ``valid_from`` day.
CHECK constraints keep the inputs to the method's sense (lives and use above zero, the residual value
within the price); a trigger refuses UPDATE and DELETE, so a rate's derivation cannot be rewritten.

Revision ID: 0006_cost_calculations
Revises: 0005_people
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_cost_calculations"
down_revision: str | None = "0005_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    "life_positive": "life_years > 0 AND life_units > 0 AND annual_units > 0",
    "residual_within_price": "residual_value_cents >= 0 AND residual_value_cents <= purchase_price_cents",
    "percents": "interest_percent BETWEEN 0 AND 100 AND repair_percent_of_price >= 0"
                " AND operator_overhead_percent >= 0",
    "amounts_not_negative": "insurance_cents_per_year >= 0 AND housing_cents_per_year >= 0"
                            " AND tax_cents_per_year >= 0 AND fuel_litres_per_unit >= 0"
                            " AND fuel_price_cents_per_litre >= 0 AND fixed_cents_per_year >= 0"
                            " AND variable_cents_per_unit >= 0 AND cost_cents_per_unit >= 0 AND rate_cents >= 0",
    "valid_from_bounded": "valid_from >= '2000-01-01' AND valid_from < '2100-01-01'",
}


def upgrade() -> None:
    op.create_table(
        "cost_calculations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("purchase_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("residual_value_cents", sa.BigInteger(), nullable=False),
        sa.Column("life_years", sa.Numeric(6, 2), nullable=False),
        sa.Column("life_units", sa.Numeric(12, 3), nullable=False),
        sa.Column("annual_units", sa.Numeric(12, 3), nullable=False),
        sa.Column("interest_percent", sa.Numeric(6, 3), nullable=False),
        sa.Column("insurance_cents_per_year", sa.BigInteger(), nullable=False),
        sa.Column("housing_cents_per_year", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents_per_year", sa.BigInteger(), nullable=False),
        sa.Column("repair_percent_of_price", sa.Numeric(7, 3), nullable=False),
        sa.Column("fuel_litres_per_unit", sa.Numeric(9, 3), nullable=False),
        sa.Column("fuel_price_cents_per_litre", sa.Numeric(9, 3), nullable=False),
        sa.Column("operator_wage_cents_per_hour", sa.BigInteger(), nullable=True),
        sa.Column("operator_overhead_percent", sa.Numeric(7, 3), nullable=False),
        sa.Column("fixed_cents_per_year", sa.BigInteger(), nullable=False),
        sa.Column("variable_cents_per_unit", sa.BigInteger(), nullable=False),
        sa.Column("cost_cents_per_unit", sa.BigInteger(), nullable=False),
        sa.Column("operator_rate_cents", sa.BigInteger(), nullable=True),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        *(sa.CheckConstraint(condition, name=f"ck_cost_calculations_{name}") for name, condition in CHECKS.items()),
    )
    op.execute(
        """
        CREATE FUNCTION cost_calculations_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'cost calculations are kept: % refused', TG_OP USING ERRCODE = 'restrict_violation';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER cost_calculations_kept BEFORE UPDATE OR DELETE ON cost_calculations
            FOR EACH ROW EXECUTE FUNCTION cost_calculations_kept();
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER cost_calculations_kept ON cost_calculations")
    op.execute("DROP FUNCTION cost_calculations_kept()")
    op.drop_table("cost_calculations")
