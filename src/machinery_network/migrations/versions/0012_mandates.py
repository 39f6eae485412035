"""mandates: SEPA mandates per farmer and municipality; the fake per-farmer mandates go

Every farmer had one mandate "MN-{id}" signed on the day his account was created, used by every
municipality. A mandate now belongs to one farmer and one municipality (the creditor) and is recorded
from the signed paper form; the fake references are dropped, not migrated (nobody signed them).
Changing a farmer's IBAN amends his active mandates (trigger): the account the bank knew stays in
``original_iban`` until a debit file has carried the amendment.

Revision ID: 0012_mandates
Revises: 0011_partners
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_mandates"
down_revision: str | None = "0011_partners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mandates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("farmer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), sa.ForeignKey("municipalities.id"), nullable=False),
        sa.Column("reference", sa.String(35), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="active"),
        sa.Column("original_iban", sa.String(34), nullable=True),
        sa.Column("amended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("amendment_settlement_id", sa.Integer(), sa.ForeignKey("settlements.id"), nullable=True),
        sa.Column("scan_path", sa.String(300), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.UniqueConstraint("municipality_id", "reference", name="uq_mandates_reference"),
        sa.CheckConstraint("state IN ('active', 'revoked')", name="ck_mandates_state"),
        sa.CheckConstraint("(state = 'revoked') = (revoked_at IS NOT NULL)", name="ck_mandates_revoked_at"),
        # The SEPA reference: 1-35 characters of the restricted set, no leading or double slash.
        sa.CheckConstraint(r"reference ~ '^[A-Za-z0-9+?/:().,'' -]{1,35}$' AND reference !~ '^/|//'",
                           name="ck_mandates_reference_charset"),
        # A mandate needs a partner: the municipality deals with the farmer.
        sa.ForeignKeyConstraint(["municipality_id", "farmer_id"], ["partners.municipality_id", "partners.farmer_id"],
                                name="fk_mandates_partner"),
    )
    op.create_index("ix_mandates_farmer_id", "mandates", ["farmer_id"])
    # One active mandate per farmer and creditor: the debit file must know which one to use.
    op.create_index("uq_mandates_active", "mandates", ["municipality_id", "farmer_id"], unique=True,
                    postgresql_where=sa.text("state = 'active'"))
    op.execute("""
        CREATE FUNCTION mn_amend_mandates() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE mandates
               SET original_iban = CASE WHEN original_iban IS NOT NULL AND amendment_settlement_id IS NULL
                                        THEN original_iban ELSE iban END,
                   iban = NEW.iban, amended_at = now(), amendment_settlement_id = NULL
             WHERE farmer_id = NEW.id AND state = 'active' AND iban IS DISTINCT FROM NEW.iban;
            -- back to the account the bank knows before any file carried the change: nothing to amend
            UPDATE mandates SET original_iban = NULL, amended_at = NULL
             WHERE farmer_id = NEW.id AND state = 'active' AND original_iban = iban;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER trg_amend_mandates AFTER UPDATE OF iban ON users
        FOR EACH ROW WHEN (NEW.iban IS NOT NULL AND OLD.iban IS DISTINCT FROM NEW.iban)
        EXECUTE FUNCTION mn_amend_mandates()
    """)
    op.drop_column("users", "mandate_reference")
    op.drop_column("users", "mandate_date")


def downgrade() -> None:
    op.add_column("users", sa.Column("mandate_date", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("mandate_reference", sa.String(35), nullable=True))
    op.execute("DROP TRIGGER trg_amend_mandates ON users")
    op.execute("DROP FUNCTION mn_amend_mandates()")
    op.drop_table("mandates")
