"""GeoJSON (RFC 7946): a FeatureCollection, a Feature or a bare geometry, in WGS 84 (longitude, latitude).
Files from older GIS exports may name their coordinate system in the 2008 ``crs`` member
(``urn:ogc:def:crs:EPSG::25832``), which is honoured."""

from __future__ import annotations

import json
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from machinery_network.care.gis.features import (
    WGS84,
    Collector,
    Reading,
    crs_label,
    name_and_kind,
    sections,
    to_wgs84,
)
from machinery_network.errors import Invalid


def _crs(document: dict[str, Any]) -> CRS | None:
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


def read_geojson(content: bytes) -> Reading:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid("care.import_unknown_format", field="file") from exc
    if not isinstance(document, dict) or "type" not in document:
        raise Invalid("care.import_unknown_format", field="file")
    crs = _crs(document)
    transformer = to_wgs84(crs) if crs is not None else None
    if document["type"] == "FeatureCollection":
        items = document.get("features")
        if not isinstance(items, list):
            raise Invalid("care.import_unknown_format", field="file")
    elif document["type"] == "Feature":
        items = [document]
    else:
        items = [{"type": "Feature", "properties": {}, "geometry": document}]
    found = Collector()
    for number, item in enumerate(items, start=1):
        geometry = item.get("geometry") if isinstance(item, dict) else None
        properties = item.get("properties") if isinstance(item, dict) else None
        if not isinstance(geometry, dict) or not isinstance(geometry.get("coordinates"), list):
            found.skip()
            continue
        name, kind = name_and_kind(properties if isinstance(properties, dict) else {}, f"Abschnitt {number}")
        try:
            found.add(sections(name, kind, str(geometry.get("type")), _plain(geometry["coordinates"]), transformer))
        except (TypeError, ValueError, IndexError) as exc:
            raise Invalid("care.import_bad_geometry", field="file", name=name, reason="coordinates") from exc
    return found.reading(crs_label(crs) if crs is not None else "EPSG:4326")
