"""Every date and timestamp column refuses infinite and absurd values

``0004_money_bounds`` bounded the ledger's and the settlements' dates; the columns added since (a care
log's day, a mandate's signature, hand-over and return times, repairs, …) and the older ones outside the
ledger still took ``-infinity`` or the year 1. Each date or timestamp column that has no bounding CHECK
yet gets ``CHECK (column >= '2000-01-01' AND column < '2200-01-01')`` (the range of the API's ``Instant``).
Added ``NOT VALID`` and then validated; a database that already holds such a row keeps running (the
constraint guards every new row) and the migration says so in a NOTICE.

``tests/test_money_limits.py::test_every_date_column_is_bounded`` keeps later tables to the rule.

Revision ID: 0020_date_bounds
Revises: 0019_tenant_tables
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_date_bounds"
down_revision: str | None = "0019_tenant_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOW, HIGH = "2000-01-01", "2200-01-01"

# Date and timestamp columns of the tables, with no CHECK yet that names the column and a year-2000 bound.
UNBOUNDED = r"""
SELECT c.table_name, c.column_name
  FROM information_schema.columns c
  JOIN pg_class k ON k.relname = c.table_name AND k.relkind IN ('r', 'p')
                 AND k.relnamespace = current_schema()::regnamespace
 WHERE c.table_schema = current_schema()
   AND c.data_type IN ('date', 'timestamp with time zone', 'timestamp without time zone')
   AND c.table_name <> 'alembic_version'
   AND NOT EXISTS (
       SELECT 1 FROM pg_constraint con
        WHERE con.conrelid = k.oid AND con.contype = 'c'
          AND pg_get_constraintdef(con.oid) ~ ('\m' || c.column_name || '\M')
          AND pg_get_constraintdef(con.oid) LIKE '%2000-01-01%')
 ORDER BY c.table_name, c.column_name
"""


def _name(table: str, column: str) -> str:
    return f"ck_{table}_{column}_bounded"[:63]


def upgrade() -> None:
    rows = op.get_bind().exec_driver_sql(UNBOUNDED).fetchall()
    for table, column in rows:
        name = _name(table, column)
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} "
                   f"CHECK ({column} >= '{LOW}' AND {column} < '{HIGH}') NOT VALID")
        op.execute(f"""
            DO $$ BEGIN
                ALTER TABLE {table} VALIDATE CONSTRAINT {name};
            EXCEPTION WHEN check_violation THEN
                RAISE NOTICE '{table}.{column} holds dates outside [{LOW}, {HIGH}); the constraint guards new rows only';
            END $$
        """)


def downgrade() -> None:
    rows = op.get_bind().exec_driver_sql(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE contype = 'c' AND conname LIKE 'ck\\_%\\_bounded' AND pg_get_constraintdef(oid) LIKE '%2200-01-01%'"
    ).fetchall()
    for table, name in rows:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
