"""What every GIS reader shares: coordinate systems, one section per line or polygon part, names and kinds
from the attributes, and the limits of one file."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pyproj import CRS, Transformer

from machinery_network.care.geometry import MAX_POINTS, area_m2, check_geometry, length_m
from machinery_network.errors import Invalid

MAX_FEATURES = 2000
NAME_KEYS = ("name", "bezeichnung", "bez", "strassenname", "straßenname", "strasse", "straße", "str_name",
             "wegname", "label", "titel", "title")
KIND_KEYS = ("kind", "art", "typ", "type", "objektart")
ROAD_WORDS = ("road", "straße", "strasse", "gemeindestraße", "gemeindestrasse", "straße/weg")
PATH_WORDS = ("path", "weg", "feldweg", "wirtschaftsweg", "fußweg", "fussweg", "radweg", "gehweg")
WGS84 = CRS.from_epsg(4326)

# A line's points, or a polygon's rings of points, as read from a file (x, y in the file's system).
Points = list[tuple[float, float]]


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


@dataclass
class Collector:
    """The sections of one file as its readers find them, with the count of what they skip."""

    features: list[Feature] = field(default_factory=list)
    skipped: int = 0

    def add(self, found: list[Feature]) -> None:
        """One source feature's sections; one that yields none (a point, say) counts as skipped."""
        if not found:
            self.skipped += 1
        self.features += found
        if len(self.features) > MAX_FEATURES:
            raise Invalid("care.import_too_many", field="file", max=MAX_FEATURES)

    def skip(self) -> None:
        self.skipped += 1

    def reading(self, crs: str) -> Reading:
        if not self.features:
            raise Invalid("care.import_nothing", field="file")
        return Reading(crs=crs, features=self.features, skipped=self.skipped)


# --- coordinate systems ---------------------------------------------------------------------------------


def crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else str(crs.name)


def to_wgs84(crs: CRS) -> Transformer | None:
    if crs.equals(WGS84, ignore_axis_order=True) or crs.to_epsg() in (4326, 4258):
        return None  # ETRS89 and WGS 84 differ by centimetres: taken as they are
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def _transform(parts: list[Points], transformer: Transformer | None) -> list[list[list[float]]]:
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


# --- sections ---------------------------------------------------------------------------------------------


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


def sections(name: str, kind: str | None, geometry_type: str, coordinates: Any,
             transformer: Transformer | None) -> list[Feature]:
    """One section per line or polygon part (parts of a multi-geometry numbered after the name)."""
    parts: list[tuple[str, Any]]
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


def name_and_kind(properties: dict[str, Any], fallback: str) -> tuple[str, str | None]:
    """The section's name and kind (road | path) from a feature's attributes, under their usual German
    and English names."""
    lowered = {str(k).lower(): v for k, v in properties.items()}
    name = next((str(lowered[k]).strip() for k in NAME_KEYS if isinstance(lowered.get(k), str | int)
                 and str(lowered[k]).strip()), fallback)
    name = "".join(c for c in name if c.isprintable())[:200] or fallback
    for key in KIND_KEYS:
        value = str(lowered.get(key) or "").strip().lower()
        if value in ROAD_WORDS:
            return name, "road"
        if value in PATH_WORDS:
            return name, "path"
    return name, None
