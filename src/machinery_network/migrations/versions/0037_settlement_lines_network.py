"""settlement lines network: checked once per statement with the settlement, no per-row foreign key or index

A settlement line's ``network_id`` had a foreign key to ``networks`` and an index of its own (``0030``'s
pattern for every table). The key is checked row by row (a probe and a key-share lock on the network's row for
each of the ~200 lines a municipality's settlement writes, 400,000 a month at the state tier), and no query
reads the lines by network alone: they are read by settlement or by farmer, and row-level security's
``network_id = …`` is a filter on those. ``mn_settlement_lines_pending`` (``0035``) already checks each new
line's settlement once per statement; it now also refuses a line whose network is not its settlement's,
which implies the reference to ``networks`` (the settlement's own foreign key). The index is dropped
``CONCURRENTLY`` (outside the migration's transaction).

The function also changes its shape. It asked ``EXISTS`` for a line without a settlement (or farmer); planned
for the first row, that form could put a whole table on the inner side of a nested loop: inserting the state
tier's 4,600,000 earlier lines in one statement (``bench_scale.py``) ran for more than 50 minutes in the
trigger. Now each distinct settlement of the new lines is probed by primary key in a loop (the service's
statements name one settlement: one probe; a join was hashed over every settlement, 2.7 ms of a
municipality's settlement at the state tier, because the planner cannot know that 200 lines share one), and
the lines' farmer ids that are no farmer's are counted (a join planned for all rows: index
probes for a settlement's 200 lines, a hash for millions).

Revision ID: 0037_settlement_lines_network
Revises: 0036_ledger_balances_cover
"""

from __future__ import annotations

from alembic import op

revision: str = "0037_settlement_lines_network"
down_revision: str | None = "0036_ledger_balances_cover"
branch_labels = None
depends_on = None

CHECK = r"""
CREATE OR REPLACE FUNCTION mn_settlement_lines_pending() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    settlement record;
    strangers bigint;
BEGIN
    FOR settlement IN SELECT DISTINCT settlement_id{network_column} FROM new_lines LOOP
        PERFORM FROM settlements s WHERE s.id = settlement.settlement_id AND NOT s.frozen{network};
        IF NOT FOUND THEN
            RAISE EXCEPTION 'lines can only be added to a settlement that exists and is not frozen{of_network}'
                USING ERRCODE = '55000';
        END IF;
    END LOOP;
    SELECT count(*) INTO strangers FROM (SELECT DISTINCT farmer_id FROM new_lines) n
        LEFT JOIN users u ON u.id = n.farmer_id AND u.role = 'farmer' WHERE u.id IS NULL;
    IF strangers > 0 THEN
        RAISE EXCEPTION 'settlement lines must belong to a farmer' USING ERRCODE = '23503';
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(CHECK.format(network_column=", network_id", network=" AND s.network_id = settlement.network_id",
                            of_network=", in the network of the line"))
    op.execute("ALTER TABLE settlement_lines DROP CONSTRAINT IF EXISTS settlement_lines_network_id_fkey")
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_settlement_lines_network_id")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_settlement_lines_network_id"
                   " ON settlement_lines (network_id)")
    op.execute("ALTER TABLE settlement_lines ADD CONSTRAINT settlement_lines_network_id_fkey"
               " FOREIGN KEY (network_id) REFERENCES networks (id)")
    op.execute(CHECK.format(network_column="", network="", of_network=""))
