"""Repeating bookings and the fair draw for contested days (issue #18)

- ``booking_series``: a farmer's repeating booking (weekdays, a time of day, a date range); each
  occurrence is an ordinary booking pointing at it (``bookings.series_id``), decided on its own.
- ``bookings.in_draw``: a request for a contested day, collected for the draw (no hand approval).
- ``contested_seasons``: an item contested from one day to another, with the weekly deadline
  (weekday and local time) after which the following week is drawn.
- ``draws``: one per (item, week), unique: the draw runs exactly once; its seed is stored and published.
- ``draw_entries``: one per request in a draw, with what the allocation saw (the farmer's season
  hours) and decided (won or not, why), so the draw can be replayed from its seed.

All four are tenant tables under the plain policy of ``0018_network_rls``.

Revision ID: 0023_draws
Revises: 0022_notices
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0023_draws"
down_revision: str | None = "0022_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUR = "(SELECT mn_current_network())"

# table: (parent table, the column that points at it); parents come before their children.
TABLES: dict[str, tuple[str, str]] = {
    "booking_series": ("items", "item_id"),
    "contested_seasons": ("items", "item_id"),
    "draws": ("items", "item_id"),
    "draw_entries": ("draws", "draw_id"),
}


# Every date and timestamp column is bounded (the rule of 0020_date_bounds, which later tables follow).
BOUNDED: dict[str, tuple[str, ...]] = {
    "booking_series": ("first_day", "last_day", "created_at", "cancelled_at"),
    "contested_seasons": ("first_day", "last_day", "created_at"),
    "draws": ("period_start", "period_end", "ran_at"),
    "draw_entries": ("start_at", "end_at"),
}


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("farmer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("weekdays", sa.ARRAY(sa.SmallInteger), nullable=False),
        sa.Column("start_time", sa.Time, nullable=False),
        sa.Column("end_time", sa.Time, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("with_operator", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.String(2000), nullable=True),
        _ts("created_at"),
        _ts("cancelled_at", nullable=True),
        sa.CheckConstraint("first_day <= last_day", name="ck_booking_series_days"),
        sa.CheckConstraint("start_time < end_time", name="ck_booking_series_times"),
        sa.CheckConstraint("cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]",
                           name="ck_booking_series_weekdays"),
    )
    op.add_column("bookings", sa.Column("series_id", sa.Integer, sa.ForeignKey("booking_series.id"), nullable=True))
    op.add_column("bookings", sa.Column("in_draw", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("CREATE INDEX ix_bookings_series ON bookings (series_id) WHERE series_id IS NOT NULL")
    op.execute("CREATE INDEX ix_bookings_in_draw ON bookings (item_id, start_at) WHERE in_draw AND status = 'requested'")

    op.create_table(
        "contested_seasons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("deadline_weekday", sa.SmallInteger, nullable=False),
        sa.Column("deadline_time", sa.Time, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("first_day <= last_day", name="ck_contested_seasons_days"),
        sa.CheckConstraint("deadline_weekday BETWEEN 1 AND 7", name="ck_contested_seasons_weekday"),
    )
    # Two contested seasons of one item never overlap (btree_gist is there since 0001's exclusion constraint).
    op.execute("ALTER TABLE contested_seasons ADD CONSTRAINT ex_contested_seasons_overlap EXCLUDE USING gist "
               "(item_id WITH =, daterange(first_day, last_day, '[]') WITH &&)")

    op.create_table(
        "draws",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("season_id", sa.Integer, sa.ForeignKey("contested_seasons.id"), nullable=False, index=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        # Periods already taken (approved bookings, blocks) when the draw ran: part of its input.
        sa.Column("occupied", sa.dialects.postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        _ts("ran_at"),
        sa.UniqueConstraint("item_id", "period_start", name="uq_draws_item_period"),
        sa.CheckConstraint("trigger IN ('scheduler', 'hand')", name="ck_draws_trigger"),
    )
    op.create_table(
        "draw_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draw_id", sa.Integer, sa.ForeignKey("draws.id"), nullable=False, index=True),
        sa.Column("booking_id", sa.Integer, sa.ForeignKey("bookings.id"), nullable=False, unique=True),
        sa.Column("farmer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        _ts("start_at"),
        _ts("end_at"),
        sa.Column("season_hours", sa.Numeric(12, 3), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("won", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("against_booking_id", sa.Integer, nullable=True),
    )
    for table, columns in BOUNDED.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{column}_bounded "
                       f"CHECK ({column} >= '2000-01-01' AND {column} < '2200-01-01')")
    for table, (parent, column) in TABLES.items():
        op.execute(f"SELECT mn_tenant_table('{table}', '{parent}', '{column}')")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY mn_network ON {table} USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY mn_network ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_table("draw_entries")
    op.drop_table("draws")
    op.drop_table("contested_seasons")
    op.execute("DROP INDEX ix_bookings_in_draw")
    op.execute("DROP INDEX ix_bookings_series")
    op.drop_column("bookings", "in_draw")
    op.drop_column("bookings", "series_id")
    op.drop_table("booking_series")
