"""Reading sections from the municipality's GIS: GeoJSON (RFC 7946), GeoPackage and zipped Shapefiles,
with no GDAL.

- ``geojson``: a FeatureCollection, a Feature or a bare geometry, WGS 84 unless the 2008 ``crs`` member
  names another system.
- ``geopackage`` (OGC 12-128r18): the SQLite file read with the standard library from memory, its
  geometries as GeoPackage binary around well-known binary (``wkb``).
- ``shapefile``: a ZIP of ``.shp``, ``.dbf``, ``.prj`` (and ``.cpg``), read with ``zipfile`` and ``struct``.
- ``features``: what the three share: coordinate systems (pyproj), one section per line or polygon part,
  names and kinds from the attributes, and the limits.

Coordinates are transformed to WGS 84 with pyproj; a file whose coordinate system is missing or unknown is
refused with a clear German 422 rather than guessed. Lengths and areas are computed from the geometry
(``care.geometry``), never read from attributes. The rest of the code imports only what this module names.
"""

from __future__ import annotations

from machinery_network.care.gis.features import Feature, Reading
from machinery_network.care.gis.geojson import read_geojson
from machinery_network.care.gis.geopackage import SQLITE_MAGIC, read_geopackage
from machinery_network.care.gis.shapefile import read_shapefile_zip
from machinery_network.care.gis.wkb import parse_gpkg_geometry
from machinery_network.errors import Invalid

__all__ = ["Feature", "Reading", "parse_gpkg_geometry", "read", "read_geojson", "read_geopackage",
           "read_shapefile_zip"]


def read(content: bytes) -> Reading:
    """The sections of a GeoJSON, GeoPackage or zipped Shapefile, in WGS 84; Invalid (field ``file``)
    otherwise."""
    if not content.strip():
        raise Invalid("care.import_empty_file", field="file")
    if content.startswith(SQLITE_MAGIC):
        return read_geopackage(content)
    if content.startswith(b"PK\x03\x04"):
        return read_shapefile_zip(content)
    return read_geojson(content)
