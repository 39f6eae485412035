"""care uploads and one log a day: section flags for location evidence and for more than one log per
farmer and day; the unique partial index that is the guarantee of the latter

``care_logs.allow_more`` is a copy of the section's flag made by a trigger at insert, because a partial
index can only test the row's own columns. Logs that already share a section, farmer and day keep
existing: all but the first of each group are marked as allowed.

Revision ID: 0010_care_uploads
Revises: 0009_machine
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_care_uploads"
down_revision: str | None = "0009_machine"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sections", sa.Column("location_evidence", sa.Boolean(), nullable=False, server_default="false"))
    op.add_column(
        "sections", sa.Column("allow_more_logs_per_day", sa.Boolean(), nullable=False, server_default="false")
    )
    op.add_column("care_logs", sa.Column("allow_more", sa.Boolean(), nullable=False, server_default="false"))
    op.execute(
        """
        UPDATE care_logs SET allow_more = true
        WHERE id IN (
            SELECT id FROM (
                SELECT id, row_number() OVER (
                    PARTITION BY section_id, farmer_id, performed_on ORDER BY id) AS n
                FROM care_logs WHERE status <> 'rejected'
            ) numbered WHERE n > 1
        )
        """
    )
    op.execute(
        """
        CREATE FUNCTION care_logs_allow_more() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.allow_more := (SELECT allow_more_logs_per_day FROM sections WHERE id = NEW.section_id);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER care_logs_allow_more BEFORE INSERT OR UPDATE OF section_id, farmer_id, performed_on "
        "ON care_logs FOR EACH ROW EXECUTE FUNCTION care_logs_allow_more()"
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_care_logs_one_a_day ON care_logs (section_id, farmer_id, performed_on) "
        "WHERE status <> 'rejected' AND NOT allow_more"
    )


def downgrade() -> None:
    op.execute("DROP INDEX uq_care_logs_one_a_day")
    op.execute("DROP TRIGGER care_logs_allow_more ON care_logs")
    op.execute("DROP FUNCTION care_logs_allow_more()")
    op.drop_column("care_logs", "allow_more")
    op.drop_column("sections", "allow_more_logs_per_day")
    op.drop_column("sections", "location_evidence")
