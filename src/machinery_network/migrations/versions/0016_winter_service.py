"""winter service: times, activity and grit of a care log; a confirmed care log is frozen by the database

The new columns are nullable without defaults (no table rewrite). Winter-service logs carry
``started_at``/``ended_at``/``activity`` together; ``material``/``amount_kg`` only with gritting. The
trigger ``care_logs_frozen_when_confirmed`` refuses any UPDATE that changes a confirmed log (SQLSTATE
55000, object_not_in_prerequisite_state): a correction is a new record.

Revision ID: 0016_winter_service
Revises: 0015_waitlist
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_winter_service"
down_revision: str | None = "0015_waitlist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("care_logs", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("care_logs", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("care_logs", sa.Column("activity", sa.String(length=20), nullable=True))
    op.add_column("care_logs", sa.Column("material", sa.String(length=100), nullable=True))
    op.add_column("care_logs", sa.Column("amount_kg", sa.Numeric(9, 3), nullable=True))
    # NOT VALID + VALIDATE: no long exclusive lock on a big table while existing rows are checked.
    for name, condition in (
        (
            "ck_care_logs_winter_times",
            "(started_at IS NULL AND ended_at IS NULL AND activity IS NULL) OR "
            "(started_at IS NOT NULL AND ended_at IS NOT NULL AND activity IS NOT NULL "
            "AND ended_at > started_at AND ended_at <= started_at + interval '24 hours' "
            "AND started_at >= '2000-01-01' AND ended_at < '2200-01-01')",
        ),
        ("ck_care_logs_activity", "activity IN ('clearing', 'gritting', 'both')"),
        (
            "ck_care_logs_grit",
            "(material IS NULL AND amount_kg IS NULL) OR activity IN ('gritting', 'both')",
        ),
        ("ck_care_logs_amount_kg", "amount_kg >= 0"),
    ):
        op.execute(f"ALTER TABLE care_logs ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")
        op.execute(f"ALTER TABLE care_logs VALIDATE CONSTRAINT {name}")
    op.execute(
        """
        CREATE FUNCTION care_logs_frozen_when_confirmed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'confirmed' AND NEW IS DISTINCT FROM OLD THEN
                RAISE EXCEPTION 'care log % is confirmed and can no longer be changed', OLD.id
                    USING ERRCODE = '55000';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER care_logs_frozen_when_confirmed BEFORE UPDATE ON care_logs "
        "FOR EACH ROW EXECUTE FUNCTION care_logs_frozen_when_confirmed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER care_logs_frozen_when_confirmed ON care_logs")
    op.execute("DROP FUNCTION care_logs_frozen_when_confirmed()")
    for name in ("ck_care_logs_amount_kg", "ck_care_logs_grit", "ck_care_logs_activity", "ck_care_logs_winter_times"):
        op.execute(f"ALTER TABLE care_logs DROP CONSTRAINT {name}")
    for column in ("amount_kg", "material", "activity", "ended_at", "started_at"):
        op.drop_column("care_logs", column)
