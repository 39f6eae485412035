"""settlement lines check: the statement trigger probes each line's settlement and farmer by primary key

``mn_settlement_lines_pending`` (``0002b_settlement_lines``) checks, once per statement, that every new
settlement line belongs to a settlement that exists and is not frozen and to a farmer. It joined the
transition table to ``users`` as the inserting role, so row-level security's policies on ``users`` (an
OR of the network's own users and partner farmers, with a subquery on bookings) kept the planner from
the primary key: it read the network's users for every settlement, 40–60 ms of a municipality's 60–90 ms
at the state tier of ``bench_scale.py`` (200 lines, 100,000 users). The function now runs as its owner
(SECURITY DEFINER, fixed ``search_path``; it reads the two tables to refuse a bad line and returns
nothing), so each line is an index probe: well under a millisecond for 200 lines.

Revision ID: 0035_settlement_lines_check
Revises: 0034_settlement_tellings
"""

from __future__ import annotations

from alembic import op

revision: str = "0035_settlement_lines_check"
down_revision: str | None = "0034_settlement_tellings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(r"""
    CREATE OR REPLACE FUNCTION mn_settlement_lines_pending() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    BEGIN
        IF EXISTS (SELECT FROM new_lines l WHERE NOT EXISTS (
                     SELECT FROM settlements s WHERE s.id = l.settlement_id AND NOT s.frozen)) THEN
            RAISE EXCEPTION 'lines can only be added to a settlement that exists and is not frozen'
                USING ERRCODE = '55000';
        END IF;
        IF EXISTS (SELECT FROM new_lines l WHERE NOT EXISTS (
                     SELECT FROM users u WHERE u.id = l.farmer_id AND u.role = 'farmer')) THEN
            RAISE EXCEPTION 'settlement lines must belong to a farmer' USING ERRCODE = '23503';
        END IF;
        RETURN NULL;
    END $$
    """)


def downgrade() -> None:
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
