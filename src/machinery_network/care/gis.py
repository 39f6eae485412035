"""Reading sections from the municipality's GIS: GeoJSON (RFC 7946) and GeoPackage, with no GDAL.

- GeoJSON: a FeatureCollection, a Feature or a bare geometry. RFC 7946 says WGS 84 (longitude, latitude);
  files from older GIS exports may name their coordinate system in the 2008 ``crs`` member
  (``urn:ogc:def:crs:EPSG::25832``), which is honoured.
- Shapefile: a ZIP of ``.shp``, ``.dbf`` and ``.prj`` (and optionally ``.cpg``), read with ``zipfile`` and
  ``struct`` (PolyLine and Polygon, with Z and M); the coordinate system from the ``.prj`` (WKT).
- GeoPackage (OGC 12-128r18): an SQLite file, read with the standard library's ``sqlite3`` from memory;
  each feature table listed in ``gpkg_geometry_columns``, its coordinate system from
  ``gpkg_spatial_ref_sys``, its geometries as GeoPackage binary (header, optional envelope) around
  well-known binary (WKB, ISO and extended, with Z and M dropped).

Coordinates are transformed to WGS 84 with pyproj (ETRS89 / UTM 32N and 33N, EPSG:25832 and 25833, and any
other coordinate system pyproj knows). A file whose coordinate system is missing or unknown is refused with a
clear German 422 rather than guessed. Multi-geometries become one section per part. Lengths and areas are
computed from the geometry (``care.geometry``), never read from attributes.
"""

from __future__ import annotations

import io
import json
import math
import sqlite3
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from machinery_network.care.geometry import MAX_POINTS, area_m2, check_geometry, length_m
from machinery_network.errors import Invalid

MAX_FEATURES = 2000
MAX_ROWS = 20_000  # rows of one GeoPackage layer, points and empty ones included
NAME_KEYS = ("name", "bezeichnung", "bez", "strassenname", "straßenname", "strasse", "straße", "str_name",
             "wegname", "label", "titel", "title")
KIND_KEYS = ("kind", "art", "typ", "type", "objektart")
WGS84 = CRS.from_epsg(4326)
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Feature:
    name: str
    kind: str | None  # road | path when the attributes say so
    geometry: dict[str, Any]  # cleaned GeoJSON LineString or Polygon in WGS 84
    length_m: int
    area_m2: int | None

    def as_geojson(self) -> dict[str, Any]:
        return {"type": "Feature", "properties": {"name": self.name, "kind": self.kind}, "geometry": self.geometry}


@dataclass
class Reading:
    crs: str  # e.g. "EPSG:25832"
    features: list[Feature]
    skipped: int  # features of other geometry types (points) or without geometry


def read(content: bytes) -> Reading:
    """The sections of a GeoJSON or GeoPackage file, in WGS 84; Invalid (field ``file``) otherwise."""
    if not content.strip():
        raise Invalid("care.import_empty_file", field="file")
    if content.startswith(SQLITE_MAGIC):
        return read_geopackage(content)
    if content.startswith(b"PK\x03\x04"):
        return read_shapefile_zip(content)
    return read_geojson(content)


# --- coordinate systems ---------------------------------------------------------------------------------


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


def _to_wgs84(crs: CRS) -> Transformer | None:
    if crs.equals(WGS84, ignore_axis_order=True) or crs.to_epsg() in (4326, 4258):
        return None  # ETRS89 and WGS 84 differ by centimetres: taken as they are
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def _transform(parts: list[list[tuple[float, float]]], transformer: Transformer | None) -> list[list[list[float]]]:
    out = []
    for part in parts:
        if transformer is None:
            points = [(x, y) for x, y in part]
        else:
            xs, ys = transformer.transform([p[0] for p in part], [p[1] for p in part])
            points = list(zip(xs, ys, strict=True))
        for x, y in points:
            if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
                raise Invalid("care.import_no_projection", field="file")
        out.append([[round(x, 7), round(y, 7)] for x, y in points])
    return out


def _feature(name: str, kind: str | None, geometry: dict[str, Any]) -> Feature:
    try:
        cleaned = check_geometry(geometry)
    except ValueError as exc:
        raise Invalid("care.import_bad_geometry", field="file", name=name, reason=str(exc)) from exc
    assert cleaned is not None
    metres = round(length_m(cleaned))
    if metres < 1:
        raise Invalid("care.import_bad_geometry", field="file", name=name, reason="shorter than a metre")
    return Feature(name=name, kind=kind, geometry=cleaned, length_m=metres, area_m2=area_m2(cleaned))


def _sections(name: str, kind: str | None, geometry_type: str, coordinates: Any,
              transformer: Transformer | None) -> list[Feature]:
    """One section per line or polygon part (parts of a multi-geometry numbered after the name)."""
    if geometry_type == "LineString":
        parts = [("LineString", _transform([coordinates], transformer)[0])]
    elif geometry_type == "Polygon":
        parts = [("Polygon", _transform(coordinates, transformer))]
    elif geometry_type == "MultiLineString":
        parts = [("LineString", _transform([line], transformer)[0]) for line in coordinates]
    elif geometry_type == "MultiPolygon":
        parts = [("Polygon", _transform(polygon, transformer)) for polygon in coordinates]
    else:
        return []
    for _, coords in parts:
        count = len(coords) if coords and isinstance(coords[0][0], float) else sum(len(r) for r in coords)
        if count > MAX_POINTS * 10:
            raise Invalid("care.import_too_many_points", field="file", name=name, max=MAX_POINTS)
    named = [name] if len(parts) == 1 else [f"{name} ({i})" for i in range(1, len(parts) + 1)]
    return [_feature(n, kind, {"type": t, "coordinates": c}) for n, (t, c) in zip(named, parts, strict=True)]


def _name_and_kind(properties: dict[str, Any], fallback: str) -> tuple[str, str | None]:
    lowered = {str(k).lower(): v for k, v in properties.items()}
    name = next((str(lowered[k]).strip() for k in NAME_KEYS if isinstance(lowered.get(k), str | int)
                 and str(lowered[k]).strip()), fallback)
    name = "".join(c for c in name if c.isprintable())[:200] or fallback
    kind = None
    for key in KIND_KEYS:
        value = str(lowered.get(key) or "").strip().lower()
        if value in ("road", "straße", "strasse", "gemeindestraße", "gemeindestrasse", "straße/weg"):
            kind = "road"
        elif value in ("path", "weg", "feldweg", "wirtschaftsweg", "fußweg", "fussweg", "radweg", "gehweg"):
            kind = "path"
        if kind:
            break
    return name, kind


def _check_count(features: list[Feature]) -> None:
    if len(features) > MAX_FEATURES:
        raise Invalid("care.import_too_many", field="file", max=MAX_FEATURES)


# --- GeoJSON -------------------------------------------------------------------------------------------


def _geojson_crs(document: dict[str, Any]) -> CRS | None:
    member = document.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str):
        raise Invalid("care.import_no_projection", field="file")
    if name.upper().endswith("CRS84"):
        return WGS84
    try:
        return CRS.from_user_input(name)
    except CRSError as exc:
        raise Invalid("care.import_no_projection", field="file") from exc


def read_geojson(content: bytes) -> Reading:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid("care.import_unknown_format", field="file") from exc
    if not isinstance(document, dict) or "type" not in document:
        raise Invalid("care.import_unknown_format", field="file")
    crs = _geojson_crs(document)
    transformer = _to_wgs84(crs) if crs is not None else None
    if document["type"] == "FeatureCollection":
        items = document.get("features")
        if not isinstance(items, list):
            raise Invalid("care.import_unknown_format", field="file")
    elif document["type"] == "Feature":
        items = [document]
    else:
        items = [{"type": "Feature", "properties": {}, "geometry": document}]
    features: list[Feature] = []
    skipped = 0
    for number, item in enumerate(items, start=1):
        geometry = item.get("geometry") if isinstance(item, dict) else None
        properties = item.get("properties") if isinstance(item, dict) else None
        if not isinstance(geometry, dict) or not isinstance(geometry.get("coordinates"), list):
            skipped += 1
            continue
        name, kind = _name_and_kind(properties if isinstance(properties, dict) else {}, f"Abschnitt {number}")
        try:
            found = _sections(name, kind, str(geometry.get("type")), _plain(geometry["coordinates"]), transformer)
        except (TypeError, ValueError, IndexError) as exc:
            if isinstance(exc, Invalid):
                raise
            raise Invalid("care.import_bad_geometry", field="file", name=name, reason="coordinates") from exc
        if not found:
            skipped += 1
        features += found
        _check_count(features)
    if not features:
        raise Invalid("care.import_nothing", field="file")
    return Reading(crs=_crs_label(crs) if crs is not None else "EPSG:4326", features=features, skipped=skipped)


def _plain(coordinates: Any) -> Any:
    """Nested lists of coordinates with each position cut to (x, y) floats."""
    if isinstance(coordinates, list) and coordinates and all(isinstance(c, int | float) and not isinstance(c, bool)
                                                              for c in coordinates):
        if len(coordinates) < 2:
            raise ValueError("a position needs two numbers")
        return (float(coordinates[0]), float(coordinates[1]))
    if not isinstance(coordinates, list):
        raise ValueError("coordinates must be arrays")
    return [_plain(c) for c in coordinates]


# --- GeoPackage ---------------------------------------------------------------------------------------------


class _WKB:
    """A reader of well-known binary: ISO (type + 1000/2000/3000) and extended (flag bits) variants."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.pos = data, offset

    def _take(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ValueError("geometry ends early")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def geometry(self, depth: int = 0) -> tuple[str, Any]:
        if depth > 3:
            raise ValueError("geometry nested too deep")
        (order,) = self._take("B")
        if order not in (0, 1):
            raise ValueError("bad byte order")
        e = "<" if order == 1 else ">"
        (kind,) = self._take(e + "I")
        has_z, has_m = bool(kind & 0x80000000), bool(kind & 0x40000000)
        if kind & 0x20000000:  # an SRID inside (extended WKB)
            self._take(e + "i")
        kind &= 0x0FFFFFFF
        iso, base = divmod(kind, 1000)
        has_z = has_z or iso in (1, 3)
        has_m = has_m or iso in (2, 3)
        dims = 2 + has_z + has_m
        if base == 1:
            return "Point", self._points(e, dims, 1)[0]
        if base == 2:
            return "LineString", self._line(e, dims)
        if base == 3:
            return "Polygon", self._rings(e, dims)
        if base in (4, 5, 6, 7):
            (count,) = self._take(e + "I")
            if count > len(self.data):
                raise ValueError("bad count")
            members = [self.geometry(depth + 1) for _ in range(count)]
            if base == 5:
                return "MultiLineString", [c for t, c in members if t == "LineString"]
            if base == 6:
                return "MultiPolygon", [c for t, c in members if t == "Polygon"]
            return "Other", None
        raise ValueError(f"unknown geometry type {kind}")

    def _points(self, e: str, dims: int, count: int) -> list[tuple[float, float]]:
        if count * dims * 8 > len(self.data) - self.pos:
            raise ValueError("bad count")
        values = self._take(e + "d" * (dims * count))
        return [(values[i * dims], values[i * dims + 1]) for i in range(count)]

    def _line(self, e: str, dims: int) -> list[tuple[float, float]]:
        (count,) = self._take(e + "I")
        return self._points(e, dims, count)

    def _rings(self, e: str, dims: int) -> list[list[tuple[float, float]]]:
        (count,) = self._take(e + "I")
        if count > len(self.data):
            raise ValueError("bad count")
        return [self._line(e, dims) for _ in range(count)]


ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def parse_gpkg_geometry(blob: bytes) -> tuple[int, str, Any] | None:
    """(srs_id, type, coordinates) of a GeoPackage geometry blob; None for an empty geometry."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    e = "<" if flags & 1 else ">"
    (srs_id,) = struct.unpack_from(e + "i", blob, 4)
    envelope = (flags >> 1) & 0b111
    if envelope not in ENVELOPE_BYTES:
        raise ValueError("bad envelope")
    if flags & 0b10000:
        return None
    kind, coordinates = _WKB(blob, 8 + ENVELOPE_BYTES[envelope]).geometry()
    return srs_id, kind, coordinates


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _gpkg_crs(db: sqlite3.Connection, srs_id: int) -> CRS:
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


SQLITE_MAX_STEPS = 5_000_000  # virtual-machine steps of all queries of one file, then it is refused


def _rows_of(cursor: sqlite3.Cursor) -> Any:
    """The cursor's rows; a read the file breaks off (corrupt pages, the step budget) is a 422."""
    try:
        yield from cursor
    except sqlite3.DatabaseError as exc:
        raise Invalid("care.import_unknown_format", field="file") from exc


def read_geopackage(content: bytes) -> Reading:
    db = sqlite3.connect(":memory:")
    # A hostile file (views that build huge values or loop) meets a ceiling instead of the server's memory.
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 16 * 1024 * 1024)
    steps = [0]

    def budget() -> int:
        steps[0] += 10_000
        return 1 if steps[0] > SQLITE_MAX_STEPS else 0

    db.set_progress_handler(budget, 10_000)
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
        features: list[Feature] = []
        skipped = 0
        crs_labels: list[str] = []
        for table, column, srs_id in layers:
            crs = _gpkg_crs(db, srs_id)
            crs_labels.append(_crs_label(crs))
            transformer = _to_wgs84(crs)
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
                    skipped += 1
                    continue
                fallback = f"{table} {row.get('fid') or row.get('id') or number}"
                name, kind = _name_and_kind({k: v for k, v in row.items() if isinstance(v, str | int)}, fallback)
                try:
                    parsed = parse_gpkg_geometry(blob)
                except (ValueError, struct.error) as exc:
                    raise Invalid("care.import_bad_geometry", field="file", name=name, reason=str(exc)) from exc
                if parsed is None:
                    skipped += 1
                    continue
                geometry_srs, kind_name, coordinates = parsed
                row_transformer = transformer
                if geometry_srs != srs_id:
                    row_transformer = _to_wgs84(_gpkg_crs(db, geometry_srs))
                found = _sections(name, kind, kind_name, coordinates, row_transformer)
                if not found:
                    skipped += 1
                features += found
                _check_count(features)
        if not features:
            raise Invalid("care.import_nothing", field="file")
        return Reading(crs=", ".join(dict.fromkeys(crs_labels)), features=features, skipped=skipped)
    finally:
        db.close()


# --- Shapefile (zipped) ---------------------------------------------------------------------------------------

ZIP_MAX_BYTES = 50 * 1024 * 1024
ZIP_MAX_MEMBERS = 200


def _ring_area(ring: list[tuple[float, float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)) / 2


def parse_shp(data: bytes) -> list[tuple[str, Any] | None]:
    """The shapes of a ``.shp`` file in record order: ("LineString"|"MultiLineString"|"Polygon"|
    "MultiPolygon", coordinates), or None for a null or other shape."""
    if len(data) < 100 or struct.unpack_from(">i", data, 0)[0] != 9994:
        raise ValueError("not a shapefile")
    shapes: list[tuple[str, Any] | None] = []
    pos = 100
    while pos + 8 <= len(data):
        _, words = struct.unpack_from(">ii", data, pos)
        start, end = pos + 8, pos + 8 + 2 * words
        if words < 2 or end > len(data):
            raise ValueError("record ends early")
        (kind,) = struct.unpack_from("<i", data, start)
        pos = end
        if kind not in (3, 5, 13, 15, 23, 25):
            shapes.append(None)
            continue
        parts_count, points_count = struct.unpack_from("<ii", data, start + 36)
        if not (0 < parts_count <= points_count) or start + 44 + 4 * parts_count + 16 * points_count > end:
            raise ValueError("bad part or point count")
        parts = list(struct.unpack_from(f"<{parts_count}i", data, start + 44))
        values = struct.unpack_from(f"<{2 * points_count}d", data, start + 44 + 4 * parts_count)
        points = [(values[2 * i], values[2 * i + 1]) for i in range(points_count)]
        pieces = [points[a:b] for a, b in zip(parts, [*parts[1:], points_count], strict=True)]
        if kind in (3, 13, 23):
            shapes.append(("LineString", pieces[0]) if len(pieces) == 1 else ("MultiLineString", pieces))
            continue
        # Polygon: outer rings run clockwise (negative area), holes counter-clockwise, each after its outer.
        polygons: list[list[list[tuple[float, float]]]] = []
        for ring in pieces:
            if _ring_area(ring) <= 0 or not polygons:
                polygons.append([ring])
            else:
                polygons[-1].append(ring)
        shapes.append(("Polygon", polygons[0]) if len(polygons) == 1 else ("MultiPolygon", polygons))
    return shapes


def parse_dbf(data: bytes, encoding: str | None) -> list[dict[str, Any]]:
    """The attribute rows of a ``.dbf`` file (text fields; deleted rows kept as empty, to stay in step
    with the shapes)."""
    if len(data) < 32:
        raise ValueError("not a dBASE file")
    count, header, size = struct.unpack_from("<IHH", data, 4)
    fields: list[tuple[str, int]] = []
    pos = 32
    while pos + 32 <= header and data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0", 1)[0].decode("ascii", "replace")
        fields.append((name, data[pos + 16]))
        pos += 32
    if header + count * size > len(data) + 1:
        raise ValueError("dBASE file ends early")
    rows = []
    for index in range(count):
        record = data[header + index * size: header + (index + 1) * size]
        row: dict[str, Any] = {}
        offset = 1
        for name, width in fields:
            raw = record[offset:offset + width]
            offset += width
            row[name] = _decode(raw, encoding).strip()
        rows.append({} if record[:1] == b"*" else row)
    return rows


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")  # the usual encoding of older German GIS exports


def read_shapefile_zip(content: bytes) -> Reading:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_BYTES:
            raise Invalid("care.import_too_large", field="file", mb=ZIP_MAX_BYTES // 2**20)
        names = {m.filename.lower(): m.filename for m in members if not m.is_dir()}
        shp = next((n for n in sorted(names) if n.endswith(".shp")), None)
        if shp is None:
            raise Invalid("care.import_unknown_format", field="file")
        base = shp[:-4]
        if base + ".prj" not in names:
            raise Invalid("care.import_no_projection", field="file")
        prj = archive.read(names[base + ".prj"]).decode("utf-8", "replace")
        cpg = archive.read(names[base + ".cpg"]).decode("ascii", "replace").strip() if base + ".cpg" in names else None
        shapes = parse_shp(archive.read(names[shp]))
        rows = parse_dbf(archive.read(names[base + ".dbf"]), cpg) if base + ".dbf" in names else []
    except (zipfile.BadZipFile, ValueError, struct.error, KeyError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise Invalid("care.import_unknown_format", field="file") from exc
    try:
        crs = CRS.from_wkt(prj)
    except CRSError as exc:
        raise Invalid("care.import_no_projection", field="file") from exc
    transformer = _to_wgs84(crs)
    layer = shp.rsplit("/", 1)[-1][:-4]
    features: list[Feature] = []
    skipped = 0
    for number, shape in enumerate(shapes, start=1):
        row = rows[number - 1] if number <= len(rows) else {}
        if shape is None:
            skipped += 1
            continue
        name, kind = _name_and_kind(row, f"{layer} {number}")
        features += _sections(name, kind, shape[0], shape[1], transformer)
        _check_count(features)
    if not features:
        raise Invalid("care.import_nothing", field="file")
    return Reading(crs=_crs_label(crs), features=features, skipped=skipped)
