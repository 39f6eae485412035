"""ledger prefix indexes: two indexes that repeat the start of another are dropped

``ix_ledger_entries_farmer_id (farmer_id)`` (``0001``) and ``ix_ledger_account (farmer_id, municipality_id,
value_date)`` (``0001``'s hand-written indexes) are leading parts of ``ix_ledger_entries_account (farmer_id,
municipality_id, value_date, id)``, which answers every query they answer (and the foreign key's check on
``farmer_id``) in the same order. Each posting wrote both for nothing: the ledger keeps 13 indexes instead of
15. Dropped ``CONCURRENTLY`` (outside the migration's transaction): the ledger takes writes meanwhile.

Revision ID: 0039_ledger_prefix_indexes
Revises: 0038_tenant_fill_when
"""

from __future__ import annotations

from alembic import op

revision: str = "0039_ledger_prefix_indexes"
down_revision: str | None = "0038_tenant_fill_when"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_ledger_entries_farmer_id": "ledger_entries (farmer_id)",
    "ix_ledger_account": "ledger_entries (farmer_id, municipality_id, value_date)",
}


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for name in INDEXES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for name, definition in INDEXES.items():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
