"""The tables added after networks became tenants join them: network_id and row-level security

Rates, partners, mandates, DATEV debtor numbers and everything at the machine (hand-overs, their photos
and surcharges, defects and the bookings they hit, repairs, maintenance intervals) belong to exactly one
network. Each gets ``network_id`` (``mn_tenant_table``: backfilled from its parent row, filled by a trigger
from the parent on insert, never changed) and the plain policy of ``0018_network_rls``: visible and
writable only inside its network.

Revision ID: 0019_tenant_tables
Revises: 0018_network_rls
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_tenant_tables"
down_revision: str | None = "0018_network_rls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUR = "(SELECT mn_current_network())"

# table: (parent table, the column that points at it); parents come before their children.
TABLES: dict[str, tuple[str, str]] = {
    "item_rates": ("items", "item_id"),
    "partners": ("municipalities", "municipality_id"),
    "mandates": ("municipalities", "municipality_id"),
    "datev_debtors": ("municipalities", "municipality_id"),
    "handovers": ("bookings", "booking_id"),
    "handover_photos": ("bookings", "booking_id"),
    "handover_surcharges": ("bookings", "booking_id"),
    "defects": ("items", "item_id"),
    "defect_bookings": ("defects", "defect_id"),
    "repairs": ("items", "item_id"),
    "maintenance_intervals": ("items", "item_id"),
}


def upgrade() -> None:
    for table, (parent, column) in TABLES.items():
        op.execute(f"SELECT mn_tenant_table('{table}', '{parent}', '{column}')")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY mn_network ON {table} USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY mn_network ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"DROP TRIGGER a_mn_network_immutable ON {table}")
        op.execute(f"DROP TRIGGER a_mn_network ON {table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN network_id")
