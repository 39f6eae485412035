"""scale indexes: what the state-scale benchmark (scripts/bench_scale.py) found missing

- ``mandates (municipality_id, id)``: the mandates list is paged by id (keyset); finance reads its
  municipality's mandates from this index in list order, instead of every mandate of the municipality
  sorted (or the whole network's by primary key, filtered).
- ``ledger_entries (municipality_id, value_date) INCLUDE (amount_cents, network_id)`` replaces ``ix_ledger_entries_municipality_id``
  (its leading column is the same, so every query that used the old one can use it): the dashboards' sums of a
  municipality's year (charges, credits, debts by month) and the cost coverage read one municipality's entries
  of the period from the index alone (``network_id`` included: the row-level security policy is checked on the
  index entry), instead of all its entries ANDed with a bitmap of the whole network's (admin dashboard of a
  500-farmer network at the medium tier: 76 → 24 ms for its ledger part).
  The ledger keeps the same number of indexes (posting is trigger- and index-bound; see issue #15).

Plain ``CREATE INDEX IF NOT EXISTS`` in the migration's transaction; on a large existing database build it
beforehand with ``CREATE INDEX CONCURRENTLY IF NOT EXISTS`` under the same name (docs/operations.md) and the
migration only records the revision.

Revision ID: 0025_scale_indexes
Revises: 0024_winter_proof
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_scale_indexes"
down_revision: str | None = "0024_winter_proof"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_mandates_municipality_listing": "mandates (municipality_id, id)",
    "ix_ledger_entries_municipality_date": "ledger_entries (municipality_id, value_date) INCLUDE (amount_cents, network_id)",
}
REPLACED = {"ix_ledger_entries_municipality_id": "ledger_entries (municipality_id)"}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        table, _, rest = definition.partition(" ")
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {rest}")
    for name in REPLACED:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, definition in REPLACED.items():
        table, _, rest = definition.partition(" ")
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {rest}")
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
