"""idempotency keys: a retried care report or machine return is never posted twice

- ``idempotency_keys``: one row per key a client sent with a care report or a machine return (an
  ``Idempotency-Key`` header, or the form field ``idempotency_key`` the phone page fills with a UUID made
  in the browser). The first request claims its key here before its work, in the same transaction, and
  records what it created (``resource_id``); a retry with the same key finds the row and answers that
  record instead of creating another. ``uq_idempotency_keys_user_key``: a key is unique per network and
  user, so a second request with the same key waits at the index until the first one ends. ``fingerprint``
  (SHA-256 of the scope, the validated input and the files) tells a true retry from another request that
  reuses the key. A tenant table (its network from the user, row-level security as ``0019_tenant_tables``).

Revision ID: 0028_idempotency_keys
Revises: 0027_list_indexes2
"""

from __future__ import annotations

from alembic import op

revision: str = "0028_idempotency_keys"
down_revision: str | None = "0027_list_indexes2"
branch_labels = None
depends_on = None

CUR = "(SELECT mn_current_network())"

UPGRADE = [
    """CREATE TABLE idempotency_keys (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key varchar(200) NOT NULL CHECK (key <> ''),
        scope varchar(100) NOT NULL,
        fingerprint char(64) NOT NULL,
        resource_id integer,
        created_at timestamptz NOT NULL DEFAULT now()
            CONSTRAINT ck_idempotency_keys_created_at_bounded
            CHECK (created_at >= '2000-01-01' AND created_at < '2200-01-01')
    )""",
    "SELECT mn_tenant_table('idempotency_keys', 'users', 'user_id')",
    "CREATE UNIQUE INDEX uq_idempotency_keys_user_key ON idempotency_keys (network_id, user_id, key)",
    "ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY mn_network ON idempotency_keys USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})",
]

DOWNGRADE = [
    "DROP TABLE idempotency_keys",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
