"""Shapefiles: a ZIP of ``.shp``, ``.dbf`` and ``.prj`` (and optionally ``.cpg``), read with ``zipfile`` and
``struct`` (PolyLine and Polygon, with Z and M); the coordinate system from the ``.prj`` (WKT)."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from machinery_network.care.gis.features import (
    Collector,
    Points,
    Reading,
    crs_label,
    name_and_kind,
    sections,
    to_wgs84,
)
from machinery_network.errors import Invalid

ZIP_MAX_BYTES = 50 * 1024 * 1024
ZIP_MAX_MEMBERS = 200


def _ring_area(ring: Points) -> float:
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
        polygons: list[list[Points]] = []
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
        raise Invalid("care.import_unknown_format", field="file") from exc
    try:
        crs = CRS.from_wkt(prj)
    except CRSError as exc:
        raise Invalid("care.import_no_projection", field="file") from exc
    transformer = to_wgs84(crs)
    layer = shp.rsplit("/", 1)[-1][:-4]
    found = Collector()
    for number, shape in enumerate(shapes, start=1):
        row = rows[number - 1] if number <= len(rows) else {}
        if shape is None:
            found.skip()
            continue
        name, kind = name_and_kind(row, f"{layer} {number}")
        found.add(sections(name, kind, shape[0], shape[1], transformer))
    return found.reading(crs_label(crs))
