"""PostGIS when the database has it, Python otherwise: measuring a section's geometry.

Migration 0029 creates the ``postgis`` extension where the server offers it (and a ``sections.geom``
column generated from the GeoJSON). Whether the database has it is probed once per database and process
(``postgis_schema``); with it, the length a section stores is computed by PostGIS on the WGS 84 spheroid
(``ST_Length`` on ``geography``), without it by ``care.geometry`` (pyproj's geodesics). ``measure`` gives
the area too (``ST_Area``); the area a section shows is computed on reading, in Python.
Both follow the same rules (a Polygon's length is its outer ring; its area leaves the holes out) and agree
to well under 0.5 % (tests/test_postgis.py). The embedded PostgreSQL has no PostGIS and needs none.

GPS coverage stays in Python on every server (``care.track``): the share is part of a confirmed record's
hash and must not depend on which database computed it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.care import geometry

# Database (URL without password) → the schema of its postgis extension, or None without it.
_PROBED: dict[str, str | None] = {}


def _database(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def postgis_schema(session: AsyncSession) -> str | None:
    """The schema the postgis extension lives in (``public`` usually), None without PostGIS; asked of the
    database once per process. (Installing or removing PostGIS later needs a restart.)"""
    key = _database(session)
    if key not in _PROBED:
        schema = await session.scalar(
            text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'")
        )
        _PROBED[key] = str(schema) if schema is not None else None
    return _PROBED[key]


async def postgis_measure(session: AsyncSession, shape: dict[str, Any], schema: str) -> tuple[float, float | None]:
    """(length in metres, area in square metres or None for a line) of a GeoJSON geometry, by PostGIS."""
    s = schema
    row = (await session.execute(
        text(
            f"SELECT {s}.ST_Length((CASE WHEN {s}.GeometryType(g) = 'POLYGON' THEN {s}.ST_ExteriorRing(g) "
            f"ELSE g END)::{s}.geography), {s}.ST_Area(g::{s}.geography) "
            f"FROM (SELECT {s}.ST_SetSRID({s}.ST_GeomFromGeoJSON(CAST(:shape AS text)), 4326) AS g) AS given"
        ),
        {"shape": json.dumps(shape)},
    )).one()
    length, area = float(row[0]), float(row[1])
    return length, (area if shape["type"] == "Polygon" else None)


def python_measure(shape: dict[str, Any]) -> tuple[float, float | None]:
    """(length in metres, area in square metres or None for a line) of a GeoJSON geometry, by pyproj."""
    area = geometry.area_m2(shape)
    return geometry.length_m(shape), (float(area) if area is not None else None)


async def measure(session: AsyncSession, shape: dict[str, Any]) -> tuple[float, float | None]:
    """A geometry's length and area: by PostGIS when the database has it, else in Python."""
    schema = await postgis_schema(session)
    if schema is None:
        return python_measure(shape)
    return await postgis_measure(session, shape, schema)
