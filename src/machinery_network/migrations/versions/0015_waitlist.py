"""The waiting list (issue #18): statuses waiting/offered/expired and the offer's expiry.

``bookings.offer_expires_at`` (NULL but for offers; an offer must have one), the status CHECK widened,
and two partial indexes: the waiting requests of an item in their order, the open offers by expiry.
An offer's hold is an ordinary occupancy row (same exclusion constraint), so no new table.

Revision ID: 0015_waitlist
Revises: 0014_booking_rules
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_waitlist"
down_revision: str | None = "0014_booking_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "'requested','approved','rejected','cancelled','completed'"
NEW = OLD + ",'waiting','offered','expired'"


def upgrade() -> None:
    op.add_column("bookings", sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE bookings DROP CONSTRAINT ck_bookings_status")
    op.execute(f"ALTER TABLE bookings ADD CONSTRAINT ck_bookings_status CHECK (status IN ({NEW})) NOT VALID")
    op.execute("ALTER TABLE bookings VALIDATE CONSTRAINT ck_bookings_status")
    op.execute("ALTER TABLE bookings ADD CONSTRAINT ck_bookings_offer_expiry "
               "CHECK (status <> 'offered' OR offer_expires_at IS NOT NULL)")
    op.execute("CREATE INDEX ix_bookings_waiting ON bookings (item_id, created_at, id) WHERE status = 'waiting'")
    op.execute("CREATE INDEX ix_bookings_offered ON bookings (offer_expires_at) WHERE status = 'offered'")


def downgrade() -> None:
    op.execute("DROP INDEX ix_bookings_offered")
    op.execute("DROP INDEX ix_bookings_waiting")
    op.execute("ALTER TABLE bookings DROP CONSTRAINT ck_bookings_offer_expiry")
    op.execute("DELETE FROM occupancies o USING bookings b WHERE b.id = o.booking_id AND b.status = 'offered'")
    op.execute("UPDATE bookings SET status = 'cancelled' WHERE status IN ('waiting', 'offered', 'expired')")
    op.execute("ALTER TABLE bookings DROP CONSTRAINT ck_bookings_status")
    op.execute(f"ALTER TABLE bookings ADD CONSTRAINT ck_bookings_status CHECK (status IN ({OLD}))")
    op.drop_column("bookings", "offer_expires_at")
