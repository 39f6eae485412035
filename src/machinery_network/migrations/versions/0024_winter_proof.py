"""winter-service proof that holds in court: duty times per section, corrections as linked records, a hash
of each confirmed record, and no deleting of confirmed logs

- ``sections.winter_duty`` (jsonb, nullable): the section's duty times, e.g. ``{"workday_by": "07:00",
  "holiday_by": "09:00", "days": "service_days"}`` (care.duty); NULL means those defaults.
- ``care_logs.corrects_id``: a correction of a confirmed log is a new record pointing at it (the confirmed
  record stays as it was); at most one correction of a record that is not rejected. A correction is no
  second report of the day, so the one-log-a-day index leaves corrections out.
- ``care_logs.record_hash``: SHA-256 (hex) of the record's canonical form, written with the confirmation
  (care.evidence); the proof recomputes it and prints it per record.
- ``care_logs.track_path``, ``track_sha256``, ``track_covered_percent``: the GPX track of a winter pass,
  kept as evidence (the file under the upload directory, its SHA-256, the share of the section it
  covered); they are part of the confirmed record and its hash.
- ``care_logs.weather`` (free text) and ``road_condition`` (snow, slush, ice, black_ice, frost, dry): what
  the pass met, only on passes with times.
- The trigger ``care_logs_keep_confirmed`` refuses DELETE of a confirmed log (SQLSTATE 55000): records
  are kept (10 years for the winter service); nothing deletes them.

Revision ID: 0024_winter_proof
Revises: 0023_draws
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024_winter_proof"
down_revision: str | None = "0023_draws"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sections", sa.Column("winter_duty", postgresql.JSONB(), nullable=True))
    op.add_column("care_logs", sa.Column("corrects_id", sa.Integer(), nullable=True))
    op.add_column("care_logs", sa.Column("record_hash", sa.String(length=64), nullable=True))
    op.add_column("care_logs", sa.Column("weather", sa.String(length=200), nullable=True))
    op.add_column("care_logs", sa.Column("road_condition", sa.String(length=20), nullable=True))
    op.execute(
        "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_road_condition CHECK (road_condition IN "
        "('snow', 'slush', 'ice', 'black_ice', 'frost', 'dry'))"
    )
    op.execute(
        "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_conditions_with_times CHECK "
        "((weather IS NULL AND road_condition IS NULL) OR started_at IS NOT NULL)"
    )
    op.add_column("care_logs", sa.Column("track_path", sa.String(length=500), nullable=True))
    op.add_column("care_logs", sa.Column("track_sha256", sa.String(length=64), nullable=True))
    op.add_column("care_logs", sa.Column("track_covered_percent", sa.Numeric(4, 1), nullable=True))
    op.execute(
        "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_track CHECK ((track_path IS NULL) = "
        "(track_sha256 IS NULL) AND (track_path IS NULL) = (track_covered_percent IS NULL) "
        "AND track_covered_percent BETWEEN 0 AND 100)"
    )
    op.create_foreign_key("fk_care_logs_corrects", "care_logs", "care_logs", ["corrects_id"], ["id"])
    op.execute("ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_not_itself CHECK (corrects_id <> id)")
    op.execute(
        "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_record_hash "
        "CHECK (record_hash IS NULL OR record_hash ~ '^[0-9a-f]{64}$')"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_care_logs_one_correction ON care_logs (corrects_id) "
        "WHERE corrects_id IS NOT NULL AND status <> 'rejected'"
    )
    op.execute("DROP INDEX uq_care_logs_one_a_day")
    op.execute(
        "CREATE UNIQUE INDEX uq_care_logs_one_a_day ON care_logs (section_id, farmer_id, performed_on) "
        "WHERE status <> 'rejected' AND NOT allow_more AND corrects_id IS NULL"
    )
    op.execute(
        """
        CREATE FUNCTION care_logs_keep_confirmed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'confirmed' THEN
                RAISE EXCEPTION 'care log % is confirmed and is kept; a correction is a new record', OLD.id
                    USING ERRCODE = '55000';
            END IF;
            RETURN OLD;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER care_logs_keep_confirmed BEFORE DELETE ON care_logs "
        "FOR EACH ROW EXECUTE FUNCTION care_logs_keep_confirmed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER care_logs_keep_confirmed ON care_logs")
    op.execute("DROP FUNCTION care_logs_keep_confirmed()")
    op.execute("DROP INDEX uq_care_logs_one_a_day")
    op.execute(
        "CREATE UNIQUE INDEX uq_care_logs_one_a_day ON care_logs (section_id, farmer_id, performed_on) "
        "WHERE status <> 'rejected' AND NOT allow_more"
    )
    op.execute("DROP INDEX uq_care_logs_one_correction")
    op.execute("ALTER TABLE care_logs DROP CONSTRAINT ck_care_logs_conditions_with_times")
    op.execute("ALTER TABLE care_logs DROP CONSTRAINT ck_care_logs_road_condition")
    op.drop_column("care_logs", "road_condition")
    op.drop_column("care_logs", "weather")
    op.execute("ALTER TABLE care_logs DROP CONSTRAINT ck_care_logs_track")
    for column in ("track_covered_percent", "track_sha256", "track_path"):
        op.drop_column("care_logs", column)
    op.execute("ALTER TABLE care_logs DROP CONSTRAINT ck_care_logs_record_hash")
    op.execute("ALTER TABLE care_logs DROP CONSTRAINT ck_care_logs_not_itself")
    op.drop_constraint("fk_care_logs_corrects", "care_logs", type_="foreignkey")
    op.drop_column("care_logs", "record_hash")
    op.drop_column("care_logs", "corrects_id")
    op.drop_column("sections", "winter_duty")
