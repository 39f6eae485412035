"""municipality DATEV settings, pre-notification period, debtor numbers per municipality

Each municipality keeps its own DATEV books: consultant and client number (already there, now
settable), chart of accounts (SKR03/SKR04), fiscal-year start, general-ledger account length, debtor
range, and revenue/expense accounts (NULL = the chart's default). ``prenotification_days`` is the
agreed SEPA pre-notification period. ``datev_debtors`` holds each farmer's stable debtor number within
a municipality (never derived from the global user id). Columns are added with constant defaults
(no table rewrite).

Revision ID: 0013_municipality_datev
Revises: 0012_mandates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_municipality_datev"
down_revision: str | None = "0012_mandates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNTS = ("datev_revenue_account", "datev_revenue_account_reduced", "datev_revenue_account_exempt",
            "datev_expense_account")


def upgrade() -> None:
    add = op.add_column
    add("municipalities", sa.Column("datev_chart", sa.String(5), nullable=False, server_default="SKR03"))
    add("municipalities", sa.Column("fiscal_year_start_month", sa.SmallInteger(), nullable=False,
                                    server_default="1"))
    add("municipalities", sa.Column("prenotification_days", sa.SmallInteger(), nullable=False,
                                    server_default="14"))
    add("municipalities", sa.Column("datev_account_length", sa.SmallInteger(), nullable=False,
                                    server_default="4"))
    add("municipalities", sa.Column("datev_debtor_start", sa.Integer(), nullable=True))
    add("municipalities", sa.Column("datev_debtor_end", sa.Integer(), nullable=True))
    for column in ACCOUNTS:
        op.alter_column("municipalities", column, nullable=True)
    # The old defaults are SKR03's: NULL means "the chart's default" from now on.
    op.execute("UPDATE municipalities SET datev_revenue_account = NULL WHERE datev_revenue_account = 8400")
    op.execute("UPDATE municipalities SET datev_revenue_account_reduced = NULL"
               " WHERE datev_revenue_account_reduced = 8300")
    op.execute("UPDATE municipalities SET datev_revenue_account_exempt = NULL"
               " WHERE datev_revenue_account_exempt = 8200")
    op.execute("UPDATE municipalities SET datev_expense_account = NULL WHERE datev_expense_account = 4900")
    op.drop_column("municipalities", "datev_receivable_account")
    checks = {
        "ck_municipalities_datev_consultant": "datev_consultant_number BETWEEN 1001 AND 9999999",
        "ck_municipalities_datev_client": "datev_client_number BETWEEN 1 AND 99999",
        "ck_municipalities_datev_chart": "datev_chart IN ('SKR03', 'SKR04')",
        "ck_municipalities_fiscal_year_start": "fiscal_year_start_month BETWEEN 1 AND 12",
        "ck_municipalities_prenotification": "prenotification_days BETWEEN 1 AND 30",
        "ck_municipalities_datev_length": "datev_account_length BETWEEN 4 AND 8",
        "ck_municipalities_datev_debtors": (
            "(datev_debtor_start IS NULL OR datev_debtor_start BETWEEN power(10, datev_account_length)"
            " AND 7 * power(10, datev_account_length) - 1)"
            " AND (datev_debtor_end IS NULL OR datev_debtor_end BETWEEN power(10, datev_account_length)"
            " AND 7 * power(10, datev_account_length) - 1)"
            " AND (datev_debtor_start IS NULL OR datev_debtor_end IS NULL OR datev_debtor_start <= datev_debtor_end)"
        ),
        "ck_municipalities_datev_accounts": " AND ".join(
            f"({c} IS NULL OR {c} BETWEEN 1 AND power(10, datev_account_length) - 1)" for c in ACCOUNTS
        ),
    }
    for name, condition in checks.items():
        op.create_check_constraint(name, "municipalities", condition)
    op.create_table(
        "datev_debtors",
        sa.Column("municipality_id", sa.Integer(),
                  sa.ForeignKey("municipalities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("farmer_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "farmer_id"),
        sa.UniqueConstraint("municipality_id", "number", name="uq_datev_debtors_number"),
    )
    op.create_index("ix_datev_debtors_farmer", "datev_debtors", ["farmer_id"])


def downgrade() -> None:
    op.drop_table("datev_debtors")
    for name in ("ck_municipalities_datev_consultant", "ck_municipalities_datev_client",
                 "ck_municipalities_datev_chart", "ck_municipalities_fiscal_year_start",
                 "ck_municipalities_prenotification", "ck_municipalities_datev_length",
                 "ck_municipalities_datev_debtors", "ck_municipalities_datev_accounts"):
        op.drop_constraint(name, "municipalities", type_="check")
    op.add_column("municipalities", sa.Column("datev_receivable_account", sa.Integer(), nullable=False,
                                              server_default="10000"))
    for column, default in zip(ACCOUNTS, (8400, 8300, 8200, 4900), strict=True):
        op.execute(f"UPDATE municipalities SET {column} = {default} WHERE {column} IS NULL")
        op.alter_column("municipalities", column, nullable=False)
    for column in ("datev_debtor_end", "datev_debtor_start", "datev_account_length", "prenotification_days",
                   "fiscal_year_start_month", "datev_chart"):
        op.drop_column("municipalities", column)
