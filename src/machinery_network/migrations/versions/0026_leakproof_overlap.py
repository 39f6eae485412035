"""The overlap test of bookings stays an index condition under row-level security

Behind a row-level security policy PostgreSQL evaluates a query's own conditions only after the policy's,
unless every function in them is LEAKPROOF (it cannot reveal the values of rows the policy hides, e.g. in
an error). The overlap test of every request, approval and availability lookup, ``tstzrange(start_at,
mn_padded_end(end_at, buffer_minutes), '[)') && tstzrange(…)``, is therefore not used to search the
exclusion constraint's GiST index for the application role: each lookup reads every occupancy of the
item (1.4 ms instead of 0.05 ms with 80 occupancies, and it grows with the item's history).

The three functions cannot leak: ``range_overlaps`` raises no error; ``tstzrange`` raises only for a lower
bound above the upper one, which the occupancies' CHECK (end after start) and a non-negative buffer rule
out for every stored row; ``mn_padded_end`` adds at most a week. Marking a function LEAKPROOF needs a
superuser: the migration does it when it runs as one (the embedded server, a self-hosted server migrated
as ``postgres``) and otherwise says in a NOTICE that lookups stay correct but slower (docs/operations.md:
ask the provider, or run these three statements as a superuser once).

Revision ID: 0026_leakproof_overlap
Revises: 0025_scale_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_leakproof_overlap"
down_revision: str | None = "0025_scale_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = (
    "range_overlaps(anyrange, anyrange)",
    "tstzrange(timestamptz, timestamptz, text)",
    "mn_padded_end(timestamptz, integer)",
)


def _set(flag: str) -> None:
    statements = " ".join(f"ALTER FUNCTION {fn} {flag};" for fn in FUNCTIONS)
    op.execute(f"""
        DO $$ BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                {statements}
            ELSE
                RAISE NOTICE 'not a superuser: the overlap functions stay not LEAKPROOF, so booking lookups '
                    'under row-level security read all of an item''s occupancies (correct, slower); see '
                    'docs/operations.md';
            END IF;
        END $$
    """)


def upgrade() -> None:
    _set("LEAKPROOF")


def downgrade() -> None:
    _set("NOT LEAKPROOF")
