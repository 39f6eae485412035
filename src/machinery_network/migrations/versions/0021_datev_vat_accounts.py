"""DATEV revenue account and tax key (BU-Schlüssel) per VAT rate of a municipality

``municipalities.datev_vat_accounts`` maps a VAT rate (its decimal text, "10.7") to
``{"account": int, "tax_key": int | null}``: the revenue account of charges at that rate and, for an
account that is not an automatic VAT account, the BU key DATEV computes the VAT with. Rates not in the
map use the chart's automatic accounts for 19 / 7 / 0 % (``datev_revenue_account*``); any other rate
of the network (``MN_VAT_RATES``) must be mapped before a DATEV file can be written. A constant default,
so no table rewrite.

Revision ID: 0021_datev_vat_accounts
Revises: 0020_date_bounds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021_datev_vat_accounts"
down_revision: str | None = "0020_date_bounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("municipalities", sa.Column(
        "datev_vat_accounts", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")))
    op.create_check_constraint("ck_municipalities_datev_vat_accounts", "municipalities",
                               "jsonb_typeof(datev_vat_accounts) = 'object'")


def downgrade() -> None:
    op.drop_constraint("ck_municipalities_datev_vat_accounts", "municipalities", type_="check")
    op.drop_column("municipalities", "datev_vat_accounts")
