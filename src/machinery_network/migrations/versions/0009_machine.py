"""At the machine: hand-over and return, defects and repairs, the item's buffer.

- ``items.buffer_minutes`` (default 0): set-up and travel time after each booking or block of the
  item. ``occupancies.buffer_minutes`` carries it, kept equal to the item's by a composite foreign
  key (``ON UPDATE CASCADE``), and the exclusion constraint ``ex_occupancies_no_overlap`` now compares
  the padded periods [start_at, end_at + buffer): two occupancies of an item lie at least the
  buffer apart, whatever the application does.
- ``handovers``: one row per booking, the hand-over (checkout) and the return (checkin) with meter,
  fuel level, condition and the drawn signature (PNG); a return meter below the hand-over's is refused;
  ``handover_photos``: up to 5 photos per side.
- ``defects``, ``defect_bookings``, ``repairs``: a defect "not usable" blocks the item until a repair;
  the approved bookings in the way are listed with the yard head's decision; a damage charge is a
  ledger adjustment linked to its defect (``charge_entry_id``, once).
- ``maintenance_intervals``: every N operating hours and/or M months, with the last time done.
- ``items.fuel_surcharge_cents``, ``cleaning_surcharge_cents`` and ``handover_surcharges``: surcharges
  posted from a return (ledger adjustments, once per return and kind).

Revision ID: 0009_machine
Revises: 0008_bookings_limits
"""

from __future__ import annotations

from alembic import op

revision: str = "0009_machine"
down_revision: str | None = "0008_bookings_limits"
branch_labels = None
depends_on = None

_PADDED = ("CREATE OR REPLACE FUNCTION mn_padded_end(ts timestamptz, minutes integer) RETURNS timestamptz "
           "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ts + minutes * interval '1 minute' $$")
# Adding minutes to a timestamptz does not depend on the time zone (only days and months do), so the
# function is honestly IMMUTABLE and may stand in the exclusion constraint's index expression.

UPGRADE = [
    "ALTER TABLE items ADD COLUMN buffer_minutes integer NOT NULL DEFAULT 0",
    "ALTER TABLE items ADD CONSTRAINT ck_items_buffer CHECK (buffer_minutes >= 0 AND buffer_minutes <= 10080)",
    "ALTER TABLE items ADD CONSTRAINT uq_items_id_buffer UNIQUE (id, buffer_minutes)",
    "ALTER TABLE items ADD COLUMN fuel_surcharge_cents bigint CHECK (fuel_surcharge_cents > 0 "
    "AND fuel_surcharge_cents <= 100000000)",
    "ALTER TABLE items ADD COLUMN cleaning_surcharge_cents bigint CHECK (cleaning_surcharge_cents > 0 "
    "AND cleaning_surcharge_cents <= 100000000)",
    "ALTER TABLE occupancies ADD COLUMN buffer_minutes integer NOT NULL DEFAULT 0",
    "ALTER TABLE occupancies ADD CONSTRAINT fk_occupancies_item_buffer FOREIGN KEY (item_id, buffer_minutes) "
    "REFERENCES items (id, buffer_minutes) ON UPDATE CASCADE",
    _PADDED,
    "ALTER TABLE occupancies DROP CONSTRAINT ex_occupancies_no_overlap",
    "ALTER TABLE occupancies ADD CONSTRAINT ex_occupancies_no_overlap EXCLUDE USING gist "
    "(item_id WITH =, tstzrange(start_at, mn_padded_end(end_at, buffer_minutes), '[)') WITH &&)",
    """CREATE TABLE handovers (
        booking_id integer PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
        item_id integer NOT NULL REFERENCES items (id),
        checkout_meter numeric(12, 2) NOT NULL CHECK (checkout_meter >= 0),
        checkout_fuel_percent smallint NOT NULL CHECK (checkout_fuel_percent BETWEEN 0 AND 100),
        checkout_condition varchar(20) NOT NULL CHECK (checkout_condition IN ('ok', 'remarks')),
        checkout_remarks varchar(2000),
        checkout_by integer REFERENCES users (id),
        checkout_at timestamptz NOT NULL,
        checkout_signature bytea,
        checkout_signed_at timestamptz,
        checkin_meter numeric(12, 2),
        checkin_fuel_percent smallint CHECK (checkin_fuel_percent BETWEEN 0 AND 100),
        checkin_condition varchar(20) CHECK (checkin_condition IN ('ok', 'remarks', 'defect')),
        checkin_remarks varchar(2000),
        checkin_usable boolean,
        checkin_by integer REFERENCES users (id),
        checkin_at timestamptz,
        checkin_signature bytea,
        checkin_signed_at timestamptz,
        proposed_quantity numeric(12, 3),
        CONSTRAINT ck_handovers_meter_forward CHECK (checkin_meter >= checkout_meter),
        CONSTRAINT ck_handovers_checkin_complete CHECK (
            (checkin_at IS NULL) = (checkin_meter IS NULL)
            AND (checkin_at IS NULL) = (checkin_fuel_percent IS NULL)
            AND (checkin_at IS NULL) = (checkin_condition IS NULL)),
        CONSTRAINT ck_handovers_defect_usable CHECK ((checkin_condition = 'defect') = (checkin_usable IS NOT NULL))
    )""",
    "CREATE INDEX ix_handovers_item ON handovers (item_id, checkout_at)",
    """CREATE TABLE handover_photos (
        id serial PRIMARY KEY,
        booking_id integer NOT NULL REFERENCES handovers (booking_id) ON DELETE CASCADE,
        kind varchar(20) NOT NULL CHECK (kind IN ('checkout', 'checkin')),
        path varchar(500) NOT NULL,
        content_type varchar(100) NOT NULL,
        created_at timestamptz NOT NULL
    )""",
    "CREATE INDEX ix_handover_photos_booking ON handover_photos (booking_id)",
    # A surcharge posted from a return: once per return and kind.
    """CREATE TABLE handover_surcharges (
        booking_id integer NOT NULL REFERENCES handovers (booking_id) ON DELETE CASCADE,
        kind varchar(20) NOT NULL CHECK (kind IN ('fuel', 'cleaning')),
        entry_id integer NOT NULL UNIQUE REFERENCES ledger_entries (id),
        PRIMARY KEY (booking_id, kind)
    )""",
    """CREATE TABLE repairs (
        id serial PRIMARY KEY,
        item_id integer NOT NULL REFERENCES items (id),
        description varchar(2000) NOT NULL,
        cost_cents bigint CHECK (cost_cents >= 0 AND cost_cents <= 100000000000),
        repaired_at timestamptz NOT NULL,
        created_by integer REFERENCES users (id),
        created_at timestamptz NOT NULL
    )""",
    "CREATE INDEX ix_repairs_item ON repairs (item_id, repaired_at)",
    """CREATE TABLE defects (
        id serial PRIMARY KEY,
        item_id integer NOT NULL REFERENCES items (id),
        booking_id integer REFERENCES bookings (id) ON DELETE SET NULL,
        description varchar(2000) NOT NULL,
        usable boolean NOT NULL,
        block_id integer REFERENCES blocks (id) ON DELETE SET NULL,
        repair_id integer REFERENCES repairs (id),
        charge_entry_id integer UNIQUE REFERENCES ledger_entries (id),
        reported_by integer REFERENCES users (id),
        reported_at timestamptz NOT NULL
    )""",
    "CREATE INDEX ix_defects_item ON defects (item_id, reported_at)",
    # Maintenance by operating hours and/or calendar; what is due within 14 days or 25 hours shows.
    """CREATE TABLE maintenance_intervals (
        id serial PRIMARY KEY,
        item_id integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        every_hours numeric(12, 2) CHECK (every_hours > 0),
        every_months integer CHECK (every_months > 0 AND every_months <= 240),
        last_done_at timestamptz NOT NULL,
        last_done_meter numeric(12, 2) CHECK (last_done_meter >= 0),
        created_at timestamptz NOT NULL,
        CONSTRAINT ck_maintenance_some_interval CHECK (every_hours IS NOT NULL OR every_months IS NOT NULL)
    )""",
    "CREATE INDEX ix_maintenance_intervals_item ON maintenance_intervals (item_id)",
    """CREATE TABLE defect_bookings (
        defect_id integer NOT NULL REFERENCES defects (id) ON DELETE CASCADE,
        booking_id integer NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        action varchar(20) CHECK (action IN ('moved', 'kept', 'cancelled')),
        decided_by integer REFERENCES users (id),
        decided_at timestamptz,
        PRIMARY KEY (defect_id, booking_id)
    )""",
]

DOWNGRADE = [
    "DROP TABLE maintenance_intervals",
    "DROP TABLE defect_bookings",
    "DROP TABLE defects",
    "DROP TABLE repairs",
    "DROP TABLE handover_surcharges",
    "DROP TABLE handover_photos",
    "DROP TABLE handovers",
    "ALTER TABLE occupancies DROP CONSTRAINT ex_occupancies_no_overlap",
    "ALTER TABLE occupancies ADD CONSTRAINT ex_occupancies_no_overlap EXCLUDE USING gist "
    "(item_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)",
    "DROP FUNCTION mn_padded_end(timestamptz, integer)",
    "ALTER TABLE occupancies DROP CONSTRAINT fk_occupancies_item_buffer",
    "ALTER TABLE occupancies DROP COLUMN buffer_minutes",
    "ALTER TABLE items DROP CONSTRAINT uq_items_id_buffer",
    "ALTER TABLE items DROP CONSTRAINT ck_items_buffer",
    "ALTER TABLE items DROP COLUMN buffer_minutes",
    "ALTER TABLE items DROP COLUMN fuel_surcharge_cents",
    "ALTER TABLE items DROP COLUMN cleaning_surcharge_cents",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
