"""people: profiles, password resets, token labels, the record of account changes

Users get a structured postal address (SEPA GBIC_4 wants street, postcode and town apart), a phone, the
farm's VAT status, notification choices per kind, a flag that an administrator-set password must be
changed, and the time of an erasure (DSGVO Art. 17). Password resets are single-use rows holding only
a keyed digest of the token. ``user_changes`` records who changed what on an account (IBAN changes,
deactivation, erasure). All columns are added without a table rewrite (nullable or constant defaults).

Revision ID: 0005_people
Revises: 0004_money_bounds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005_people"
down_revision: str | None = "0004_money_bounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("phone", sa.String(50), nullable=True))
    op.add_column("users", sa.Column("street", sa.String(200), nullable=True))
    op.add_column("users", sa.Column("postcode", sa.String(10), nullable=True))
    op.add_column("users", sa.Column("town", sa.String(200), nullable=True))
    op.add_column("users", sa.Column("vat_status", sa.String(20), nullable=True))
    op.add_column("users", sa.Column("notify", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")))
    op.add_column("users", sa.Column("password_change_required", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("users", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        "ck_users_vat_status", "users", "vat_status IN ('flat_rate', 'standard', 'small_business')"
    )
    op.create_check_constraint("ck_users_notify_object", "users", "jsonb_typeof(notify) = 'object'")
    op.add_column("api_tokens", sa.Column("label", sa.String(200), nullable=True))
    op.create_index("ix_login_attempts_email_address", "login_attempts", ["email", "address", "attempted_at"])
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "user_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("details", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )


def downgrade() -> None:
    op.drop_table("user_changes")
    op.drop_table("password_resets")
    op.drop_index("ix_login_attempts_email_address", "login_attempts")
    op.drop_column("api_tokens", "label")
    op.drop_constraint("ck_users_notify_object", "users")
    op.drop_constraint("ck_users_vat_status", "users")
    for column in ("erased_at", "password_change_required", "notify", "vat_status", "town", "postcode",
                   "street", "phone"):
        op.drop_column("users", column)
