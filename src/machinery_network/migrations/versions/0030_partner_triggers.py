"""partners written with their network, and once per statement: approving many bookings at once is cheap

Every approval (and every completed booking, every assignment) makes the farmer a partner of the
municipality through a trigger (``0011_partners``): a row trigger that ran an INSERT … ON CONFLICT DO
NOTHING for each approved booking, and whose INSERT named no ``network_id``, so the tenant trigger of
``partners`` (``mn_fill_network``, ``0007_networks``) looked the network up with dynamic SQL, planned anew
for every row, even when the partner existed already (a BEFORE trigger runs before ON CONFLICT decides).
A draw approves a thousand bookings in one statement, and these lookups were most of its time.

- The trigger functions write the network themselves, from the item's or the section's row they read
  anyway (the same network: an item and a section belong to their municipality's network), so the
  tenant trigger returns at once.
- An UPDATE of bookings makes the partners of all its approved or completed rows in one INSERT (a
  statement trigger over the updated rows, ``REFERENCING NEW TABLE``). A transition table cannot go with
  ``UPDATE OF status``, so it runs after any UPDATE of bookings and takes the rows whose status is
  approved or completed: the partners exist already for all but the newly approved, and partners are
  never deleted, so the set of partners is the same as before. INSERTs keep the row trigger, whose WHEN
  clause costs a request nothing.

Revision ID: 0030_partner_triggers
Revises: 0029_postgis_sections
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030_partner_triggers"
down_revision: str | None = "0029_postgis_sections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    """
    CREATE OR REPLACE FUNCTION mn_partner_from_booking() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO partners (municipality_id, farmer_id, how, network_id)
        SELECT i.municipality_id, NEW.farmer_id, 'booking', i.network_id FROM items i WHERE i.id = NEW.item_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION mn_partners_from_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO partners (municipality_id, farmer_id, how, network_id)
        SELECT DISTINCT i.municipality_id, b.farmer_id, 'booking', i.network_id
          FROM mn_updated_bookings b JOIN items i ON i.id = b.item_id
         WHERE b.status IN ('approved', 'completed')
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER trg_partner_from_booking ON bookings",
    "CREATE TRIGGER trg_partner_from_booking AFTER INSERT ON bookings FOR EACH ROW "
    "WHEN (NEW.status IN ('approved', 'completed')) EXECUTE FUNCTION mn_partner_from_booking()",
    "CREATE TRIGGER trg_partners_from_bookings AFTER UPDATE ON bookings REFERENCING NEW TABLE AS mn_updated_bookings "
    "FOR EACH STATEMENT EXECUTE FUNCTION mn_partners_from_bookings()",
    """
    CREATE OR REPLACE FUNCTION mn_partner_from_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO partners (municipality_id, farmer_id, how, network_id)
        SELECT s.municipality_id, NEW.farmer_id, 'assignment', s.network_id FROM sections s WHERE s.id = NEW.section_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
]

# 0011_partners' versions.
DOWNGRADE = [
    "DROP TRIGGER trg_partners_from_bookings ON bookings",
    "DROP FUNCTION mn_partners_from_bookings()",
    "DROP TRIGGER trg_partner_from_booking ON bookings",
    "CREATE TRIGGER trg_partner_from_booking AFTER INSERT OR UPDATE OF status ON bookings FOR EACH ROW "
    "WHEN (NEW.status IN ('approved', 'completed')) EXECUTE FUNCTION mn_partner_from_booking()",
    """
    CREATE OR REPLACE FUNCTION mn_partner_from_booking() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO partners (municipality_id, farmer_id, how)
        SELECT i.municipality_id, NEW.farmer_id, 'booking' FROM items i WHERE i.id = NEW.item_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION mn_partner_from_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO partners (municipality_id, farmer_id, how)
        SELECT s.municipality_id, NEW.farmer_id, 'assignment' FROM sections s WHERE s.id = NEW.section_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
