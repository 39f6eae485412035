"""settlement tellings: a frozen settlement's farmers are told once, after the books are frozen

- ``settlement_tellings``: one row per settlement whose farmers were told that their statement is ready
  (notice, and mail by choice). The monthly run freezes every municipality's month first, each in its own
  short transaction, and tells the farmers afterwards, one settlement a transaction: the exclusive posting
  lock is held for the freezing alone, and a mail template that fails cannot roll back the books. A
  frozen settlement without a row here was not told yet (the process stopped in between): the next run
  and the start-up catch-up tell it. The primary key makes the telling once-only across processes.
  Settlements frozen before this migration were told in their own transaction: each gets its row.
  A tenant table (its network from the settlement, row-level security as ``0019_tenant_tables``).

Revision ID: 0034_settlement_tellings
Revises: 0033_current_network_plpgsql
"""

from __future__ import annotations

from alembic import op

revision: str = "0034_settlement_tellings"
down_revision: str | None = "0033_current_network_plpgsql"
branch_labels = None
depends_on = None

CUR = "(SELECT mn_current_network())"

UPGRADE = [
    """CREATE TABLE settlement_tellings (
        settlement_id integer PRIMARY KEY REFERENCES settlements (id),
        told_at timestamptz NOT NULL DEFAULT now()
            CONSTRAINT ck_settlement_tellings_told_at_bounded
            CHECK (told_at >= '2000-01-01' AND told_at < '2200-01-01')
    )""",
    "SELECT mn_tenant_table('settlement_tellings', 'settlements', 'settlement_id')",
    "ALTER TABLE settlement_tellings ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY mn_network ON settlement_tellings USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})",
    "INSERT INTO settlement_tellings (settlement_id, network_id, told_at)"
    " SELECT id, network_id, created_at FROM settlements WHERE frozen",
]

DOWNGRADE = [
    "DROP TABLE settlement_tellings",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
