"""Bookings and catalogue limits: prices fixed at approval, item rate history, quantity caps, sane periods.

- ``bookings.approved_rate_cents``, ``approved_operator_rate_cents``, ``approved_vat_percent``: the item's
  rates at the approval (set by the approval statement); bookings approved or completed before this
  migration get their item's rates of now.
- ``item_rates``: every rate change of an item with its ``valid_from`` day (the history); each item
  starts with one row of its current rates.
- ``items.max_quantity``, ``items.max_operator_hours``: optional caps of a completion.
- CHECK constraints: the periods of bookings, blocks and occupancies lie between 2000 and 2200
  (no infinite or absurd timestamps).

Revision ID: 0008_bookings_limits
Revises: 0007_networks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_bookings_limits"
down_revision: str | None = "0007_networks"
branch_labels = None
depends_on = None

_PERIOD_CHECK = "start_at >= '2000-01-01 00:00+00' AND end_at <= '2200-01-01 00:00+00'"
_TABLES = ("bookings", "blocks", "occupancies")


def upgrade() -> None:
    op.add_column("items", sa.Column("max_quantity", sa.Numeric(12, 3), nullable=True))
    op.add_column("items", sa.Column("max_operator_hours", sa.Numeric(12, 3), nullable=True))
    op.execute("ALTER TABLE items ADD CONSTRAINT ck_items_max_quantity CHECK (max_quantity > 0)")
    op.execute("ALTER TABLE items ADD CONSTRAINT ck_items_max_operator_hours CHECK (max_operator_hours > 0)")

    op.add_column("bookings", sa.Column("approved_rate_cents", sa.BigInteger(), nullable=True))
    op.add_column("bookings", sa.Column("approved_operator_rate_cents", sa.BigInteger(), nullable=True))
    op.add_column("bookings", sa.Column("approved_vat_percent", sa.Numeric(5, 2), nullable=True))
    op.execute(
        "UPDATE bookings b SET approved_rate_cents = i.rate_cents, "
        "approved_operator_rate_cents = i.operator_rate_cents, approved_vat_percent = i.vat_percent "
        "FROM items i WHERE i.id = b.item_id AND b.status IN ('approved', 'completed')"
    )
    op.create_table(
        "item_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("operator_rate_cents", sa.BigInteger(), nullable=True),
        sa.Column("vat_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("rate_cents >= 0 AND (operator_rate_cents IS NULL OR operator_rate_cents >= 0)",
                           name="ck_item_rates_rates"),
        sa.CheckConstraint("valid_from >= DATE '2000-01-01' AND valid_from < DATE '2200-01-01'",
                           name="ck_item_rates_valid_from"),
    )
    op.create_index("ix_item_rates_item_valid_from", "item_rates", ["item_id", "valid_from"])
    op.execute(
        "INSERT INTO item_rates (item_id, valid_from, rate_cents, operator_rate_cents, vat_percent, created_at) "
        "SELECT id, GREATEST((created_at AT TIME ZONE 'UTC')::date, DATE '2000-01-01'), rate_cents, "
        "operator_rate_cents, vat_percent, created_at FROM items"
    )

    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_sane_period CHECK ({_PERIOD_CHECK})")


def downgrade() -> None:
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_sane_period")
    op.drop_table("item_rates")
    for column in ("approved_vat_percent", "approved_operator_rate_cents", "approved_rate_cents"):
        op.drop_column("bookings", column)
    op.drop_column("items", "max_operator_hours")
    op.drop_column("items", "max_quantity")
