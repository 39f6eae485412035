"""settlement lines: references checked once per statement instead of once per line

Writing the lines of a month (10,000 in the benchmark) spent about 40 % of its time in the per-row
foreign-key checks of ``settlement_id`` and ``farmer_id``. They are replaced by the statement-level
trigger that already refuses lines of a frozen settlement: one join over all new lines checks that
their settlement exists and is pending and that their farmer exists and is a farmer (stricter than the
foreign key). Neither side can disappear afterwards: settlements refuse DELETE (trigger), and a farmer
with lines has settled ledger entries, whose foreign key keeps him. The index on ``settlement_id`` alone
is redundant with the unique (settlement_id, farmer_id) index and is dropped.

Revision ID: 0002_settlement_lines
Revises: 0002_settlement_speed
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_settlement_lines"
down_revision: str | None = "0002_settlement_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_settlement_id_fkey")
    op.execute("ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_farmer_id_fkey")
    op.execute("DROP INDEX ix_settlement_lines_settlement_id")
    op.execute(r"""
    CREATE OR REPLACE FUNCTION mn_settlement_lines_pending() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_lines l LEFT JOIN settlements s ON s.id = l.settlement_id
                    WHERE s.id IS NULL OR s.frozen) THEN
            RAISE EXCEPTION 'lines can only be added to a settlement that exists and is not frozen'
                USING ERRCODE = '55000';
        END IF;
        IF EXISTS (SELECT 1 FROM new_lines l LEFT JOIN users u ON u.id = l.farmer_id
                    WHERE u.id IS NULL OR u.role <> 'farmer') THEN
            RAISE EXCEPTION 'settlement lines must belong to a farmer' USING ERRCODE = '23503';
        END IF;
        RETURN NULL;
    END $$
    """)


def downgrade() -> None:
    op.execute(r"""
    CREATE OR REPLACE FUNCTION mn_settlement_lines_pending() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_lines l JOIN settlements s ON s.id = l.settlement_id WHERE s.frozen) THEN
            RAISE EXCEPTION 'lines can only be added to a settlement that is not frozen' USING ERRCODE = '55000';
        END IF;
        RETURN NULL;
    END $$
    """)
    op.execute("CREATE INDEX ix_settlement_lines_settlement_id ON settlement_lines (settlement_id)")
    op.execute("ALTER TABLE settlement_lines ADD CONSTRAINT settlement_lines_farmer_id_fkey "
               "FOREIGN KEY (farmer_id) REFERENCES users (id)")
    op.execute("ALTER TABLE settlement_lines ADD CONSTRAINT settlement_lines_settlement_id_fkey "
               "FOREIGN KEY (settlement_id) REFERENCES settlements (id)")
