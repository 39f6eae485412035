"""in-app notices, and the meter kind of an item

- ``notices``: one row per event told to a user (a tenant table, its network from the user): the kind,
  the message key and parameters (rendered in German into ``text`` at once, and in English on request),
  a link, and when it was read. ``dedupe_key`` makes an event told at most once per user, whichever
  process tells it: the day-before reminder of a booking, the weekly digest of a week, the statement of
  a settlement (``uq_notices_user_dedupe``; writers insert with ON CONFLICT DO NOTHING and queue the mail
  only for a row they inserted).
- ``items.meter_kind``: what the meter at the machine counts, ``hours`` (Betriebsstunden, the default)
  or ``km`` (Kilometerstand).

Revision ID: 0022_notices
Revises: 0021_datev_vat_accounts
"""

from __future__ import annotations

from alembic import op

revision: str = "0022_notices"
down_revision: str | None = "0021_datev_vat_accounts"
branch_labels = None
depends_on = None

UPGRADE = [
    """CREATE TABLE notices (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind varchar(40) NOT NULL,
        key varchar(100) NOT NULL,
        params jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(params) = 'object'),
        text varchar(4000) NOT NULL,
        link varchar(500),
        dedupe_key varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
    )""",
    "SELECT mn_tenant_table('notices', 'users', 'user_id')",
    # The list (newest first, keyset on created_at, id) and the unread count of one user.
    "CREATE INDEX ix_notices_user_created ON notices (user_id, created_at DESC, id DESC)",
    "CREATE INDEX ix_notices_user_unread ON notices (user_id) WHERE read_at IS NULL",
    "CREATE UNIQUE INDEX uq_notices_user_dedupe ON notices (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL",
    # A notice belongs to its recipient's network and is seen only there (row-level security, as
    # ``0019_tenant_tables``); a network may write one to a farmer of a partner network (its yard head
    # decided that farmer's booking of a shared item), as it may write that booking's events.
    "ALTER TABLE notices ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY mn_network ON notices USING (network_id = (SELECT mn_current_network())) "
    "WITH CHECK (network_id = (SELECT mn_current_network()) "
    "OR network_id = ANY ((SELECT mn_partner_networks())::integer[]))",
    # Bounded times (``0020_date_bounds``).
    "ALTER TABLE notices ADD CONSTRAINT ck_notices_created_at_bounded "
    "CHECK (created_at >= '2000-01-01' AND created_at < '2200-01-01')",
    "ALTER TABLE notices ADD CONSTRAINT ck_notices_read_at_bounded "
    "CHECK (read_at >= '2000-01-01' AND read_at < '2200-01-01')",
    "ALTER TABLE items ADD COLUMN meter_kind varchar(10) NOT NULL DEFAULT 'hours'",
    "ALTER TABLE items ADD CONSTRAINT ck_items_meter_kind CHECK (meter_kind IN ('hours', 'km'))",
]

DOWNGRADE = [
    "ALTER TABLE items DROP CONSTRAINT ck_items_meter_kind",
    "ALTER TABLE items DROP COLUMN meter_kind",
    "DROP TABLE notices",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
