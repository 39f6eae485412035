"""list indexes: every paged list reads its page from an index in its own order (keyset paging, no OFFSET)

- ``items (municipality_id, name, id)``: the catalogue's order; trigram GIN indexes on ``name`` and
  ``description`` (``pg_trgm``) for the search box's ``ILIKE '%…%'``, and on users' ``name`` and ``email``
  for the users search. When the extension cannot be created
  (a managed server without it) the migration says so in a NOTICE and the search still works, unindexed.
- ``bookings (item_id, start_at, id)``, ``(farmer_id, start_at, id)``, ``(start_at, id)``: the bookings of a
  municipality's items, of a farmer, of everyone, by start; ``(item_id, created_at, id) WHERE status =
  'requested'``: the yard head's inbox, oldest request first, however many other bookings there are.
- ``care_logs (section_id, performed_on, id)``, ``(farmer_id, performed_on, id)``: newest work first.
- ``users (name, id)``: the users list by name; ``ledger_entries (farmer_id, municipality_id, value_date,
  id)`` and ``(farmer_id, value_date, id)``: an account's entries by value date (with one municipality, or
  all of a farmer's for himself); ``(municipality_id, farmer_id) INCLUDE (amount_cents)``: the
  balances page sums one municipality's entries per farmer from the index alone.

Plain ``CREATE INDEX IF NOT EXISTS`` inside the migration's transaction: on a large existing database build
them beforehand with ``CREATE INDEX CONCURRENTLY`` under the same names (docs/operations.md), and the
migration finds them and only records the revision.

Revision ID: 0017_list_indexes
Revises: 0016_winter_service
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_list_indexes"
down_revision: str | None = "0016_winter_service"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_items_listing": "items (municipality_id, name, id)",
    "ix_bookings_item_start": "bookings (item_id, start_at, id)",
    "ix_bookings_farmer_start": "bookings (farmer_id, start_at, id)",
    "ix_bookings_start": "bookings (start_at, id)",
    "ix_bookings_requested": "bookings (item_id, created_at, id) WHERE status = 'requested'",
    "ix_care_logs_section_performed": "care_logs (section_id, performed_on, id)",
    "ix_care_logs_farmer_performed": "care_logs (farmer_id, performed_on, id)",
    "ix_users_name": "users (name, id)",
    "ix_ledger_entries_account": "ledger_entries (farmer_id, municipality_id, value_date, id)",
    "ix_ledger_entries_farmer_date": "ledger_entries (farmer_id, value_date, id)",
    "ix_ledger_entries_balances": "ledger_entries (municipality_id, farmer_id) INCLUDE (amount_cents)",
}

TRIGRAM = """
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm is not available (%): the catalogue search stays unindexed', SQLERRM;
        RETURN;
    END;
    CREATE INDEX IF NOT EXISTS ix_items_name_trgm ON items USING gin (name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS ix_items_description_trgm ON items USING gin (description gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS ix_users_name_trgm ON users USING gin (name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS ix_users_email_trgm ON users USING gin (email gin_trgm_ops);
END
$$
"""


def upgrade() -> None:
    for name, definition in INDEXES.items():
        table, _, rest = definition.partition(" ")
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {rest}")
    op.execute(TRIGRAM)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_users_email_trgm")
    op.execute("DROP INDEX IF EXISTS ix_users_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_items_description_trgm")
    op.execute("DROP INDEX IF EXISTS ix_items_name_trgm")
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
