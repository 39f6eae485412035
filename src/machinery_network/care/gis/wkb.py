"""GeoPackage geometry blobs (header, optional envelope) around well-known binary (WKB, ISO and extended
variants; Z and M dropped)."""

from __future__ import annotations

import struct
from typing import Any

ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


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
