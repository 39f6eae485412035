"""GeoPackage (OGC 12-128r18): an SQLite file, read with the standard library's ``sqlite3`` from memory.
Each feature table is listed in ``gpkg_geometry_columns``, its coordinate system in
``gpkg_spatial_ref_sys``; a hostile file meets ceilings (value length, virtual-machine steps, rows per
layer) instead of the server's memory."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from machinery_network.care.gis.features import (
    MAX_FEATURES,
    Collector,
    Reading,
    crs_label,
    name_and_kind,
    sections,
    to_wgs84,
)
from machinery_network.care.gis.wkb import parse_gpkg_geometry
from machinery_network.errors import Invalid

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_ROWS = 20_000  # rows of one GeoPackage layer, points and empty ones included
SQLITE_MAX_STEPS = 5_000_000  # virtual-machine steps of all queries of one file, then it is refused


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _crs(db: sqlite3.Connection, srs_id: int) -> CRS:
    """The coordinate system of ``srs_id``; Invalid when the file leaves it undefined or unknown."""
    if srs_id in (0, -1):
        raise Invalid("care.import_no_projection", field="file")
    row = db.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None:
        raise Invalid("care.import_no_projection", field="file")
    organization, code, definition = row
    try:
        if str(organization).upper() == "EPSG" and isinstance(code, int) and code > 0:
            return CRS.from_epsg(code)
        if isinstance(definition, str) and definition.strip() and definition.strip().lower() != "undefined":
            return CRS.from_wkt(definition)
    except CRSError as exc:
        raise Invalid("care.import_no_projection", field="file") from exc
    raise Invalid("care.import_no_projection", field="file")


def _rows_of(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """The cursor's rows; a read the file breaks off (corrupt pages, the step budget) is a 422."""
    try:
        yield from cursor
    except sqlite3.DatabaseError as exc:
        raise Invalid("care.import_unknown_format", field="file") from exc


def _open(content: bytes) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    # A hostile file (views that build huge values or loop) meets a ceiling instead of the server's memory.
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 16 * 1024 * 1024)
    steps = [0]

    def budget() -> int:
        steps[0] += 10_000
        return 1 if steps[0] > SQLITE_MAX_STEPS else 0

    db.set_progress_handler(budget, 10_000)
    return db


def _read_layer(db: sqlite3.Connection, table: str, column: str, srs_id: int, found: Collector) -> str:
    """The sections of one feature table into ``found``; the label of its coordinate system."""
    crs = _crs(db, srs_id)
    transformer = to_wgs84(crs)
    try:
        cursor = db.execute(f"SELECT * FROM {_quote(table)}")  # noqa: S608 - a quoted identifier
    except sqlite3.DatabaseError as exc:
        raise Invalid("care.import_unknown_format", field="file") from exc
    names = [d[0] for d in cursor.description]
    for number, values in enumerate(_rows_of(cursor), start=1):
        if number > MAX_ROWS:
            raise Invalid("care.import_too_many", field="file", max=MAX_FEATURES)
        row = dict(zip(names, values, strict=True))
        blob = row.pop(column, None)
        if not isinstance(blob, bytes):
            found.skip()
            continue
        fallback = f"{table} {row.get('fid') or row.get('id') or number}"
        name, kind = name_and_kind({k: v for k, v in row.items() if isinstance(v, str | int)}, fallback)
        try:
            parsed = parse_gpkg_geometry(blob)
        except (ValueError, struct.error) as exc:
            raise Invalid("care.import_bad_geometry", field="file", name=name, reason=str(exc)) from exc
        if parsed is None:
            found.skip()
            continue
        geometry_srs, kind_name, coordinates = parsed
        row_transformer = transformer if geometry_srs == srs_id else to_wgs84(_crs(db, geometry_srs))
        found.add(sections(name, kind, kind_name, coordinates, row_transformer))
    return crs_label(crs)


def read_geopackage(content: bytes) -> Reading:
    db = _open(content)
    try:
        try:
            db.deserialize(content)
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA query_only = ON")
            layers = db.execute(
                "SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g "
                "JOIN gpkg_contents c ON c.table_name = g.table_name WHERE c.data_type = 'features' "
                "ORDER BY g.table_name"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise Invalid("care.import_unknown_format", field="file") from exc
        found = Collector()
        labels = [_read_layer(db, table, column, srs_id, found) for table, column, srs_id in layers]
        return found.reading(", ".join(dict.fromkeys(labels)))
    finally:
        db.close()
