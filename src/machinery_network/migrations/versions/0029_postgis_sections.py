"""PostGIS when the server has it: a section's geometry as a PostGIS column beside its GeoJSON

- When the server offers the ``postgis`` extension and the migrating role may create it (or it is there
  already): ``sections.geom geometry(Geometry, 4326)``, generated from the GeoJSON column ``geometry`` (so
  the two can never disagree and nothing writes it), with a GiST index ``ix_sections_geom``. GIS clients
  (QGIS) read the sections from it; the service measures lengths with PostGIS (``care.spatial``).
- Otherwise (the embedded PostgreSQL, a managed server without the package, a role that may not create
  the extension): nothing; the GeoJSON column and the lengths computed in Python serve as before.

The extension is created in a savepoint: a refusal (no privilege, no package) leaves the migration's
transaction intact. The downgrade drops the column and its index, and the extension unless anything else
in the database uses it (as 0001 drops ``btree_gist``). Installing PostGIS later: docs/operations.md,
"PostGIS".

Revision ID: 0029_postgis_sections
Revises: 0028_idempotency_keys
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "0029_postgis_sections"
down_revision: str | None = "0028_idempotency_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def _postgis_schema() -> str | None:
    """The schema of the installed postgis extension (created now if offered and allowed), else None."""
    bind = op.get_bind()
    installed = bind.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'")
    ).scalar()
    if installed is not None:
        return str(installed)
    if not bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).scalar():
        log.info("postgis is not offered by this server: sections keep their GeoJSON only")
        return None
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as exc:
        log.warning("postgis is offered but could not be created (%s): sections keep their GeoJSON only",
                    str(exc.orig).splitlines()[0] if exc.orig else exc)
        return None
    return str(bind.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'")
    ).scalar())


def upgrade() -> None:
    schema = _postgis_schema()
    if schema is None:
        return
    # Qualified names: the generated expression must not depend on the search_path of whoever writes.
    # A section without a course holds JSON null (SQLAlchemy's JSONB default), which has no geometry.
    op.execute(
        f"ALTER TABLE sections ADD COLUMN IF NOT EXISTS geom {schema}.geometry(Geometry, 4326) "
        f"GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(geometry) = 'object' THEN "
        f"{schema}.ST_SetSRID({schema}.ST_GeomFromGeoJSON(geometry::text), 4326) END) STORED"
    )
    op.execute("CREATE INDEX IF NOT EXISTS ix_sections_geom ON sections USING gist (geom)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_sections_geom")
    op.execute("ALTER TABLE sections DROP COLUMN IF EXISTS geom")
    bind = op.get_bind()
    try:
        with bind.begin_nested():  # RESTRICT: kept when anything else in the database uses PostGIS
            bind.execute(text("DROP EXTENSION IF EXISTS postgis"))
    except DBAPIError:
        log.info("postgis is used by other objects of this database: the extension stays")
