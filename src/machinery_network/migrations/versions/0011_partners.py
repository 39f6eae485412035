"""partners: who a municipality may charge or credit

A farmer becomes a contract partner of a municipality when it approves his booking (the booking's
status turns approved or completed) or assigns him a section; triggers add the row, so the booking
routes stay one statement. Existing bookings, assignments and ledger entries make their farmers
partners. Ledger entries now need a partner row (foreign key): the database, not only the service,
refuses to charge a stranger.

Revision ID: 0011_partners
Revises: 0010_care_uploads
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_partners"
down_revision: str | None = "0010_care_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("municipality_id", sa.Integer(), sa.ForeignKey("municipalities.id"), primary_key=True),
        sa.Column("farmer_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("how", sa.String(20), nullable=False, server_default="registered"),
        sa.CheckConstraint("how IN ('registered', 'booking', 'assignment', 'existing')", name="ck_partners_how"),
    )
    op.create_index("ix_partners_farmer_id", "partners", ["farmer_id"])
    op.execute("""
        INSERT INTO partners (municipality_id, farmer_id, since, how)
        SELECT municipality_id, farmer_id, min(since), 'existing' FROM (
            SELECT i.municipality_id, b.farmer_id, b.created_at AS since
              FROM bookings b JOIN items i ON i.id = b.item_id
             WHERE b.status IN ('approved', 'completed')
            UNION ALL
            SELECT s.municipality_id, a.farmer_id, a.created_at
              FROM assignments a JOIN sections s ON s.id = a.section_id
            UNION ALL
            SELECT e.municipality_id, e.farmer_id, e.created_at FROM ledger_entries e
        ) AS known
        GROUP BY municipality_id, farmer_id
    """)
    op.execute("""
        CREATE FUNCTION mn_partner_from_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO partners (municipality_id, farmer_id, how)
            SELECT i.municipality_id, NEW.farmer_id, 'booking' FROM items i WHERE i.id = NEW.item_id
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER trg_partner_from_booking AFTER INSERT OR UPDATE OF status ON bookings
        FOR EACH ROW WHEN (NEW.status IN ('approved', 'completed'))
        EXECUTE FUNCTION mn_partner_from_booking()
    """)
    op.execute("""
        CREATE FUNCTION mn_partner_from_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO partners (municipality_id, farmer_id, how)
            SELECT s.municipality_id, NEW.farmer_id, 'assignment' FROM sections s WHERE s.id = NEW.section_id
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER trg_partner_from_assignment AFTER INSERT OR UPDATE OF farmer_id, section_id ON assignments
        FOR EACH ROW EXECUTE FUNCTION mn_partner_from_assignment()
    """)
    # NOT VALID + VALIDATE: the big table is scanned without holding off writers.
    op.execute("""
        ALTER TABLE ledger_entries ADD CONSTRAINT fk_ledger_entries_partner
        FOREIGN KEY (municipality_id, farmer_id) REFERENCES partners (municipality_id, farmer_id) NOT VALID
    """)
    op.execute("ALTER TABLE ledger_entries VALIDATE CONSTRAINT fk_ledger_entries_partner")


def downgrade() -> None:
    op.execute("ALTER TABLE ledger_entries DROP CONSTRAINT fk_ledger_entries_partner")
    op.execute("DROP TRIGGER trg_partner_from_assignment ON assignments")
    op.execute("DROP FUNCTION mn_partner_from_assignment()")
    op.execute("DROP TRIGGER trg_partner_from_booking ON bookings")
    op.execute("DROP FUNCTION mn_partner_from_booking()")
    op.drop_table("partners")
