"""partners written with their network: no dynamic SQL per approval

Every approval (and every completed booking, every assignment) makes the farmer a partner of the
municipality through a trigger (``0011_partners``). Its INSERT named no ``network_id``, so the tenant
trigger of ``partners`` (``mn_fill_network``, ``0007_networks``) looked the network up with dynamic SQL,
planned anew for every row, even when the partner existed already (a BEFORE trigger runs before ON
CONFLICT decides). A draw approves a thousand bookings in one statement, and that lookup was a good part
of its time. The two trigger functions now write the network themselves, from the item's or the
section's row they read anyway (the same network: an item and a section belong to their municipality's
network), and the tenant trigger returns at once.

Revision ID: 0028_partner_network
Revises: 0027_list_indexes2
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_partner_network"
down_revision: str | None = "0027_list_indexes2"
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
