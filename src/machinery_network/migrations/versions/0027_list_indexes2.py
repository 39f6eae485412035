"""list indexes (second round): the lists paged in issue #15's second pass

- ``sections (municipality_id, name, id)``: ``GET /api/v1/sections`` is paged by municipality, name and id
  (keyset); a page reads the index in list order instead of sorting the network's sections.
- ``blocks (item_id, start_at, id)``: ``GET /api/v1/items/{id}/blocks`` is paged by start and id; it replaces
  nothing (``ix_blocks_item_id`` stays for the foreign key's deletes).
- ``municipalities (name, id)``: ``GET /api/v1/municipalities`` is paged by name and id.

Plain ``CREATE INDEX IF NOT EXISTS`` in the migration's transaction; on a large existing database build it
beforehand with ``CREATE INDEX CONCURRENTLY IF NOT EXISTS`` under the same name (docs/operations.md) and the
migration only records the revision.

Revision ID: 0027_list_indexes2
Revises: 0026_leakproof_overlap
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027_list_indexes2"
down_revision: str | None = "0026_leakproof_overlap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_sections_listing": "sections (municipality_id, name, id)",
    "ix_blocks_item_start": "blocks (item_id, start_at, id)",
    "ix_municipalities_listing": "municipalities (name, id)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        table, _, rest = definition.partition(" ")
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {rest}")


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
