"""ledger balances cover: one municipality's entries per farmer from the index alone, under row-level security

``ix_ledger_entries_balances (municipality_id, farmer_id) INCLUDE (amount_cents)`` (``0017_list_indexes``)
lacked the two columns its readers need besides: ``network_id``, which row-level security's policy checks
on every row, and ``value_date``, by which the finance dashboard splits a farmer's balance into the months.
So PostgreSQL ANDed it with a bitmap of the whole network's entries and read the table: the finance
dashboard of a 500-farmer municipality took 89 ms at p50 and 116 ms at p95 at the state tier of
``scripts/bench_scale.py``, most of its ledger part in those heap reads. The replacement carries both:
an index-only scan (41–71 ms for the whole dashboard query, 3–4 ms of it the ledger). It replaces the old
index (the same leading columns), so posting writes no more indexes than before.

Built and dropped ``CONCURRENTLY`` (outside the migration's transaction), so the ledger takes writes while
it builds: 14 s on the state tier's 10,000,000 entries. A build that fails leaves an invalid index behind:
drop it (``DROP INDEX CONCURRENTLY ix_ledger_entries_balances_cover``) and run ``migrate`` again.

Revision ID: 0036_ledger_balances_cover
Revises: 0035_settlement_lines_check
"""

from __future__ import annotations

from alembic import op

revision: str = "0036_ledger_balances_cover"
down_revision: str | None = "0035_settlement_lines_check"
branch_labels = None
depends_on = None

NEW = ("ix_ledger_entries_balances_cover",
       "ledger_entries (municipality_id, farmer_id) INCLUDE (amount_cents, value_date, network_id)")
OLD = ("ix_ledger_entries_balances", "ledger_entries (municipality_id, farmer_id) INCLUDE (amount_cents)")


def _replace(build: tuple[str, str], drop: tuple[str, str]) -> None:
    with op.get_context().autocommit_block():
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {build[0]} ON {build[1]}")
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop[0]}")


def upgrade() -> None:
    _replace(NEW, OLD)


def downgrade() -> None:
    _replace(OLD, NEW)
