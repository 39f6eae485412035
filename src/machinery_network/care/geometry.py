"""Section geometry: GeoJSON (RFC 7946, WGS 84) LineString or Polygon, and its geodesic length.

Coordinates are [longitude, latitude] in degrees. Lengths are computed on the WGS 84 ellipsoid with
``pyproj.Geod`` (no PostGIS needed); a Polygon's length is the perimeter of its outer ring.
"""

from __future__ import annotations

from typing import Any

from pyproj import Geod

MAX_POINTS = 1000
MAX_RINGS = 50
GEOD = Geod(ellps="WGS84")


def _point(point: Any) -> list[float]:
    # RFC 7946 allows an optional altitude as a third element; it does not count for the length.
    if (
        not isinstance(point, list | tuple)
        or len(point) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
    ):
        raise ValueError("each point is [longitude, latitude]")
    lon, lat = float(point[0]), float(point[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("longitude must lie in [-180, 180] and latitude in [-90, 90]")
    return [lon, lat]


def _line(points: Any, minimum: int) -> list[list[float]]:
    if not isinstance(points, list) or not minimum <= len(points) <= MAX_POINTS:
        raise ValueError(f"a line needs {minimum} to {MAX_POINTS} points")
    return [_point(p) for p in points]


def check_geometry(value: Any) -> dict[str, Any] | None:
    """A cleaned GeoJSON LineString or Polygon; ValueError naming what is wrong otherwise."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"type", "coordinates", "bbox"}:
        raise ValueError("geometry must be a GeoJSON LineString or Polygon")
    kind = value.get("type")
    coordinates = value.get("coordinates")
    if kind == "LineString":
        line = _line(coordinates, 2)
        if all(p == line[0] for p in line):
            raise ValueError("a LineString needs two different points")
        return {"type": "LineString", "coordinates": line}
    if kind == "Polygon":
        if not isinstance(coordinates, list) or not 1 <= len(coordinates) <= MAX_RINGS:
            raise ValueError(f"a Polygon needs 1 to {MAX_RINGS} rings")
        rings = [_line(ring, 4) for ring in coordinates]
        for ring in rings:
            if ring[0] != ring[-1]:
                raise ValueError("each ring of a Polygon must end at its first point")
            if len({tuple(p) for p in ring}) < 3:
                raise ValueError("each ring of a Polygon needs three different points")
        return {"type": "Polygon", "coordinates": rings}
    raise ValueError("geometry must be a GeoJSON LineString or Polygon")


def line_length_m(points: list[list[float]]) -> float:
    """Geodesic length in metres of a line of [lon, lat] points on the WGS 84 ellipsoid."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return float(GEOD.line_length(lons, lats))


def length_m(geometry: dict[str, Any]) -> float:
    """A LineString's length, or a Polygon's outer perimeter, in metres."""
    if geometry["type"] == "Polygon":
        return line_length_m(geometry["coordinates"][0])
    return line_length_m(geometry["coordinates"])


def area_m2(geometry: dict[str, Any]) -> int | None:
    """A Polygon's geodesic area in whole square metres (its holes taken out); None for a LineString."""
    if geometry.get("type") != "Polygon":
        return None
    total = 0.0
    for index, ring in enumerate(geometry["coordinates"]):
        area, _ = GEOD.polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
        total += abs(area) if index == 0 else -abs(area)
    return round(max(total, 0.0))
