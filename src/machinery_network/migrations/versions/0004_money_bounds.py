"""money bounds: 64-bit cents everywhere, bounded dates in the ledger and the settlement tables

- Every cents column becomes ``bigint``: three manual charges of 10,000,000.00 € on one farmer made his
  settlement line overflow a 4-byte integer, and from then on the municipality could settle no month.
  (Sums of ``bigint`` are ``numeric`` in PostgreSQL, written back into ``bigint`` columns.)
- ``CHECK`` constraints refuse infinite and absurd dates (before 2000, from 2100 on) in every date and
  timestamp column of ledger entries, settlements and settlement runs: ``0001-01-01`` was stored as
  ``-infinity`` and made the start-up catch-up run ``generate_series`` without end.
  They are added ``NOT VALID`` and then validated; an existing database that already holds such a row
  keeps running (the constraint still guards every new row) and the migration says so in a NOTICE,
  because ledger entries can neither be changed nor deleted.

Revision ID: 0004_money_bounds
Revises: 0003_session_epoch
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_money_bounds"
down_revision: str | None = "0003_session_epoch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTS = {
    "ledger_entries": ("amount_cents", "net_cents", "vat_cents", "rate_cents"),
    "settlement_lines": ("charges_cents", "credits_cents", "net_cents"),
    "items": ("rate_cents", "operator_rate_cents"),
    "sections": ("rate_cents",),
    "bookings": ("estimated_cents", "charge_cents"),
    "care_logs": ("credit_cents",),
}

LOW, HIGH = "2000-01-01", "2100-01-01"

DATES = {
    "ledger_entries": ("value_date", "created_at"),
    "settlements": ("month", "cutoff", "created_at"),
    "settlement_runs": ("month", "started_at", "finished_at"),
}


def _constraint(table: str, column: str) -> str:
    return f"ck_{table}_{column}_bounded"


def upgrade() -> None:
    for table, columns in CENTS.items():
        op.execute(f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} TYPE bigint" for c in columns))
    for table, columns in DATES.items():
        for column in columns:
            # NULL passes a CHECK: finished_at of a run in progress stays NULL.
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {_constraint(table, column)} "
                f"CHECK ({column} >= '{LOW}' AND {column} < '{HIGH}') NOT VALID"
            )
            op.execute(
                f"""
                DO $$ BEGIN
                    ALTER TABLE {table} VALIDATE CONSTRAINT {_constraint(table, column)};
                EXCEPTION WHEN check_violation THEN
                    RAISE NOTICE '{table}.{column} holds dates outside [{LOW}, {HIGH}); '
                        'the constraint guards new rows only';
                END $$
                """
            )


def downgrade() -> None:
    for table, columns in DATES.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_constraint(table, column)}")
    for table, columns in CENTS.items():
        op.execute(f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} TYPE integer" for c in columns))
