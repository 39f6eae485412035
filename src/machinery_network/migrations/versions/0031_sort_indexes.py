"""sort indexes: the orders the lists offer besides their default (issue #16, ``sort``)

Each order is a keyset over its own key columns, so each one a list can be sorted by on a table that grows
with the network has an index in that order:

- ``bookings (item_id, created_at, id)``: a municipality's bookings by when they were asked for (``sort=received``
  on the inbox and ``GET /api/v1/bookings``), read item by item like the order by start. It replaces
  ``ix_bookings_item_id`` (the same leading column: the foreign key's look-ups use it), so the booking request
  writes no more indexes than before.
- ``items (name, id) WHERE active`` and ``items (rate_cents, id) WHERE active``: the catalogue of the whole
  network by name or rate; ``items (municipality_id, rate_cents, id)``: one municipality's items by rate (the
  catalogue filtered by municipality, a yard head's items). By name within a municipality reads
  ``ix_items_listing``.
- ``users (network_id, name, id)`` and ``users (network_id, email, id)``: the administrator's users list (his
  network's users) by name or e-mail address.

The other new orders sort what one municipality owns and the query already reads by an index condition: the
balances (one municipality's entries summed per farmer), the care reports (its sections' logs), its settled
months and a settlement's lines.

Plain ``CREATE INDEX IF NOT EXISTS`` in the migration's transaction; on a large existing database build them
beforehand with ``CREATE INDEX CONCURRENTLY IF NOT EXISTS`` under the same names (docs/operations.md) and the
migration only records the revision (and drops the replaced index, which takes a moment's lock).

Revision ID: 0031_sort_indexes
Revises: 0030_partner_triggers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031_sort_indexes"
down_revision: str | None = "0030_partner_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_bookings_item_created": "bookings (item_id, created_at, id)",
    "ix_items_active_name": "items (name, id) WHERE active",
    "ix_items_active_rate": "items (rate_cents, id) WHERE active",
    "ix_items_municipality_rate": "items (municipality_id, rate_cents, id)",
    "ix_users_network_name": "users (network_id, name, id)",
    "ix_users_network_email": "users (network_id, email, id)",
}
REPLACED = {"ix_bookings_item_id": "bookings (item_id)"}


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
