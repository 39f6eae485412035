"""tenant fill when: the trigger that fills a row's network runs only for rows that do not name it

Every tenant table has ``a_mn_network`` (``0007_networks``), a PL/pgSQL row trigger that takes a new row's
``network_id`` from its parent when the row does not give one, and returns at once when it does. The call
itself costs a few microseconds a row: the settlement's lines, the bulk loads and every writer that names
the network paid it for nothing. The triggers now carry ``WHEN (NEW.network_id IS NULL)``, evaluated by
PostgreSQL without calling the function; what they do for a row without a network is unchanged. Each table's
trigger is re-created from its own definition (``pg_get_triggerdef``), in this migration's transaction.

Revision ID: 0038_tenant_fill_when
Revises: 0037_settlement_lines_network
"""

from __future__ import annotations

from alembic import op

revision: str = "0038_tenant_fill_when"
down_revision: str | None = "0037_settlement_lines_network"
branch_labels = None
depends_on = None

PLAIN = "FOR EACH ROW EXECUTE"
WHEN = "FOR EACH ROW WHEN (new.network_id IS NULL) EXECUTE"


def _recreate(old: str, new: str) -> None:
    op.execute(f"""
    DO $$
    DECLARE r record;
    BEGIN
        FOR r IN SELECT t.tgrelid::regclass AS tbl, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t
                 WHERE t.tgname = 'a_mn_network' AND NOT t.tgisinternal
                   AND position('{old}' IN pg_get_triggerdef(t.oid)) > 0 LOOP
            EXECUTE format('DROP TRIGGER a_mn_network ON %s', r.tbl);
            EXECUTE replace(r.def, '{old}', '{new}');
        END LOOP;
    END $$
    """)


def upgrade() -> None:
    _recreate(PLAIN, WHEN)


def downgrade() -> None:
    _recreate(WHEN, PLAIN)
