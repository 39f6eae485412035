"""Booking rules of an item (issue #18): notice, lead time, hours per farmer and week/season, open requests.

Five nullable columns on ``items`` (NULL = no limit; added without a table rewrite) with CHECK
constraints on their ranges, and an index for the usage query of a request (a farmer's live bookings
of one item).

Revision ID: 0014_booking_rules
Revises: 0013_municipality_datev
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_booking_rules"
down_revision: str | None = "0013_municipality_datev"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = {  # column: its allowed range (as in catalogue/schemas.py)
    "min_notice_hours": (0, 8760),
    "max_lead_days": (1, 3650),
    "max_hours_per_farmer_week": (1, 8784),
    "max_hours_per_farmer_season": (1, 8784),
    "max_open_requests_per_farmer": (1, 1000),
}


def upgrade() -> None:
    for column, (low, high) in RULES.items():
        op.add_column("items", sa.Column(column, sa.Integer(), nullable=True))
        # NOT VALID then VALIDATE: no long lock; every existing row is NULL anyway.
        op.execute(f"ALTER TABLE items ADD CONSTRAINT ck_items_{column} CHECK ({column} BETWEEN {low} AND {high}) "
                   "NOT VALID")
        op.execute(f"ALTER TABLE items VALIDATE CONSTRAINT ck_items_{column}")
    op.create_index("ix_bookings_farmer_item_start", "bookings", ["farmer_id", "item_id", "start_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_farmer_item_start", table_name="bookings")
    for column in reversed(RULES):
        op.execute(f"ALTER TABLE items DROP CONSTRAINT ck_items_{column}")
        op.drop_column("items", column)
