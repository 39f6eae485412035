"""Sections from the municipality's GIS: GeoJSON (RFC 7946) and GeoPackage in ETRS89 / UTM, transformed with
pyproj, lengths and areas computed from the geometry; a preview; a clear German 422 without a projection."""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from pathlib import Path

import pytest
from pyproj import Transformer

from machinery_network.care import gis

# A Kreisstraße-like road in ETRS89 / UTM 32N near Fulda: 2.9 km of gentle curves and a bend, 61 vertices.
ROAD_25832 = [
    (548_200.0 + 48.0 * i + 35.0 * math.sin(i / 6), 5_602_100.0 + 22.0 * i + 60.0 * math.sin(i / 9))
    for i in range(61)
]


def planar_length(points) -> float:
    return sum(math.dist(a, b) for a, b in zip(points, points[1:], strict=False))


def wkb_linestring(points, *, z: bool = False) -> bytes:
    if z:  # ISO WKB LineString Z (1002), a height the length must ignore
        return struct.pack("<BII", 1, 1002, len(points)) + b"".join(struct.pack("<ddd", x, y, 312.5) for x, y in points)
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(struct.pack("<dd", x, y) for x, y in points)


def wkb_polygon(ring) -> bytes:
    return struct.pack("<BIII", 1, 3, 1, len(ring)) + b"".join(struct.pack("<dd", x, y) for x, y in ring)


def gpkg_blob(srs_id: int, wkb: bytes, points) -> bytes:
    """GeoPackage binary: magic, version 0, flags (little endian, envelope [minx, maxx, miny, maxy])."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", srs_id) + struct.pack(
        "<dddd", min(xs), max(xs), min(ys), max(ys)) + wkb


def geopackage(path: Path, srs_id: int, features: list[tuple[str, bytes]], *, organization: str = "EPSG",
               code: int | None = None) -> bytes:
    """A GeoPackage as a GIS writes it (application id, the three gpkg tables, one feature table)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    db.execute("PRAGMA user_version = 10300")
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
               "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
               "description TEXT)")
    db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
        ("WGS 84 geodetic", 4326, "EPSG", 4326, 'GEOGCS["WGS 84"]', None),
    ])
    if srs_id > 0 and srs_id != 4326:
        db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                   (f"ETRS89 / UTM zone {srs_id % 100}N", srs_id, organization, code or srs_id, "undefined", None))
    db.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, "
               "description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, "
               "max_y DOUBLE, srs_id INTEGER)")
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
               "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)")
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
               "VALUES ('strassen', 'features', 'Straßen', ?)", (srs_id,))
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('strassen', 'geom', 'GEOMETRY', ?, 2, 0)", (srs_id,))
    db.execute("CREATE TABLE strassen (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, Bezeichnung TEXT, "
               "widmung TEXT)")
    db.executemany("INSERT INTO strassen (geom, Bezeichnung, widmung) VALUES (?, ?, 'Gemeindestraße')",
                   [(blob, name) for name, blob in features])
    db.commit()
    db.close()
    return path.read_bytes()


async def upload(client, person, content: bytes, *, preview: bool = False, name: str = "strassen.gpkg",
                 **fields):
    return await client.post(
        f"/api/v1/sections/import{'?preview=true' if preview else ''}",
        files={"file": (name, content, "application/octet-stream")}, data={k: str(v) for k, v in fields.items()},
        headers=person.headers,
    )


async def test_a_utm_32n_geopackage_road_is_imported_with_its_length_right(client, world, tmp_path):
    content = geopackage(tmp_path / "k123.gpkg", 25832, [
        ("K 123 Nordheim – Südheim", gpkg_blob(25832, wkb_linestring(ROAD_25832, z=True), ROAD_25832)),
    ])
    expected = planar_length(ROAD_25832)  # the GIS's measure in the projected plane
    assert 2800 < expected < 3300
    # The preview reads, transforms and measures, and creates nothing.
    preview = await upload(client, world.yard_north, content, preview=True)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["crs"] == "EPSG:25832" and body["skipped"] == 0
    [shown] = body["sections"]
    assert shown["name"] == "K 123 Nordheim – Südheim"
    assert abs(shown["length_m"] - expected) / expected < 0.01
    assert (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json() == []

    response = await upload(client, world.yard_north, content, task="winter_service", unit="hour", rate_cents=4500)
    assert response.status_code == 201, response.text
    [section] = response.json()
    assert section["municipality_id"] == world.north.id
    assert (section["task"], section["unit"], section["rate_cents"], section["kind"]) == (
        "winter_service", "hour", 4500, "road")
    assert abs(section["length_m"] - expected) / expected < 0.01
    # Transformed to WGS 84: the first vertex lies where pyproj puts it (near Fulda, 9.7 E 50.6 N).
    lon, lat = Transformer.from_crs(25832, 4326, always_xy=True).transform(*ROAD_25832[0])
    first = section["geometry"]["coordinates"][0]
    assert abs(first[0] - lon) < 1e-6 and abs(first[1] - lat) < 1e-6
    assert 9.6 < lon < 9.8 and 50.5 < lat < 50.6
    listed = await client.get("/api/v1/sections", headers=world.yard_north.headers)
    assert [s["id"] for s in listed.json()] == [section["id"]]


async def test_utm_33n_polygon_gets_its_area_and_perimeter(client, world, tmp_path):
    # A 100 m x 50 m square (a car park) in ETRS89 / UTM 33N near Görlitz.
    x, y = 500_000.0, 5_670_000.0
    ring = [(x, y), (x + 100, y), (x + 100, y + 50), (x, y + 50), (x, y)]
    content = geopackage(tmp_path / "platz.gpkg", 25833, [("Parkplatz am Friedhof", gpkg_blob(25833, wkb_polygon(ring), ring))])
    response = await upload(client, world.yard_north, content)
    assert response.status_code == 201, response.text
    [section] = response.json()
    assert section["geometry"]["type"] == "Polygon"
    assert abs(section["length_m"] - 300) <= 1  # perimeter (UTM scale 0.9996 at the central meridian)
    assert abs(section["area_m2"] - 5000) / 5000 < 0.01


async def test_geojson_in_wgs84_and_with_a_named_utm_crs(client, world):
    lon_lat = Transformer.from_crs(25832, 4326, always_xy=True)
    wgs = [list(lon_lat.transform(x, y)) for x, y in ROAD_25832]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "Feldweg am Bach", "art": "Feldweg"},
             "geometry": {"type": "MultiLineString", "coordinates": [wgs[:30], wgs[30:]]}},
            {"type": "Feature", "properties": {"name": "Wegkreuz"}, "geometry": {"type": "Point",
                                                                                 "coordinates": wgs[0]}},
        ],
    }
    response = await upload(client, world.yard_north, json.dumps(collection).encode(), preview=True,
                            name="wege.geojson")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(s["name"], s["kind"]) for s in body["sections"]] == [("Feldweg am Bach (1)", "path"),
                                                                  ("Feldweg am Bach (2)", "path")]
    assert body["skipped"] == 1  # the point
    # An older export naming its CRS (GeoJSON 2008 "crs" member) in metres.
    legacy = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
              "features": [{"type": "Feature", "properties": {"NAME": "K 123"},
                            "geometry": {"type": "LineString", "coordinates": [list(p) for p in ROAD_25832]}}]}
    response = await upload(client, world.yard_north, json.dumps(legacy).encode(), name="k123.json")
    assert response.status_code == 201, response.text
    expected = planar_length(ROAD_25832)
    assert abs(response.json()[0]["length_m"] - expected) / expected < 0.01


async def test_a_file_without_a_known_projection_is_a_german_422(client, world, tmp_path):
    undefined = geopackage(tmp_path / "ohne.gpkg", -1, [("K 123", gpkg_blob(-1, wkb_linestring(ROAD_25832), ROAD_25832))])
    unknown = geopackage(tmp_path / "fremd.gpkg", 99999, [("K 123", gpkg_blob(99999, wkb_linestring(ROAD_25832),
                                                                                ROAD_25832))],
                         organization="Bauhof", code=7)
    metres_without_crs = json.dumps({"type": "LineString", "coordinates": [list(p) for p in ROAD_25832]}).encode()
    unknown_crs = json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:1"}},
                              "features": []}).encode()
    for content in (undefined, unknown, metres_without_crs, unknown_crs):
        response = await upload(client, world.yard_north, content)
        assert response.status_code == 422, response.text
        assert response.json()["extra"]["field"] == "file"
        assert "no known coordinate reference system" in response.json()["detail"], response.text
    assert (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json() == []


async def test_import_refusals(client, world, tmp_path):
    content = geopackage(tmp_path / "k.gpkg", 25832, [("K 123", gpkg_blob(25832, wkb_linestring(ROAD_25832),
                                                                          ROAD_25832))])
    assert (await upload(client, world.farmer, content)).status_code == 403
    assert (await upload(client, world.finance_north, content)).status_code == 403
    assert (await upload(client, world.yard_south, content, municipality_id=world.north.id)).status_code == 403
    anonymous = await client.post("/api/v1/sections/import", files={"file": ("k.gpkg", content)})
    assert anonymous.status_code == 401
    for garbage in (b"not a map", b'{"type": "FeatureCollection", "features": []}', b"SQLite format 3\x00broken",
                    json.dumps({"type": "LineString", "coordinates": [[10, 50]]}).encode()):
        response = await upload(client, world.yard_north, garbage)
        assert response.status_code == 422, (garbage, response.text)
        assert response.json()["extra"]["field"] == "file"
    missing = await client.post("/api/v1/sections/import", data={"x": "1"}, headers=world.yard_north.headers)
    assert missing.status_code == 422
    bad_option = await upload(client, world.yard_north, content, task="sweeping")
    assert bad_option.status_code == 422
    assert (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json() == []


def test_wkb_reader_reads_big_endian_and_extended_wkb():
    points = [(10.0, 50.0), (10.0, 50.01)]
    big = struct.pack(">BII", 0, 2, 2) + b"".join(struct.pack(">dd", x, y) for x, y in points)
    assert gis.parse_gpkg_geometry(b"GP\x00\x00" + struct.pack(">i", 4326) + big) == (4326, "LineString", points)
    ewkb_z = struct.pack("<BII", 1, 0x80000002, 2) + b"".join(struct.pack("<ddd", x, y, 1.0) for x, y in points)
    assert gis.parse_gpkg_geometry(b"GP\x00\x01" + struct.pack("<i", 4326) + ewkb_z)[2] == points
    with pytest.raises(ValueError):
        gis.parse_gpkg_geometry(b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BII", 1, 2, 10**9))


# --- the page: upload, preview on the map, import ------------------------------------------------------


async def test_the_import_page_previews_then_imports(client, world, tmp_path):
    import html

    from tests.web_helpers import login, post_form

    content = geopackage(tmp_path / "k123.gpkg", 25832, [
        ("K 123 Nordheim – Südheim", gpkg_blob(25832, wkb_linestring(ROAD_25832), ROAD_25832)),
    ])
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/sections/import")
    assert page.status_code == 200 and 'type="file"' in page.text
    preview = await post_form(client, "/manage/sections/import",
                              {"task": "winter_service", "kind": "road", "unit": "hour", "rate": "45,00"},
                              files={"file": ("k123.gpkg", content, "application/geopackage+sqlite3")})
    assert preview.status_code == 200, preview.text
    assert "Koordinatensystem der Datei: EPSG:25832" in preview.text
    assert "K 123 Nordheim – Südheim" in html.unescape(preview.text)
    assert 'id="import-map"' in preview.text and "/static/leaflet/leaflet.js" in preview.text
    assert (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json() == []
    # The confirmation carries the previewed sections (WGS 84) and the options.
    carried = html.unescape(preview.text.split('<textarea name="features" hidden>')[1].split("</textarea>")[0])
    done = await post_form(client, "/manage/sections/import/confirm",
                           {"features": carried, "task": "winter_service", "kind": "road", "unit": "hour",
                            "rate": "45,00"})
    assert done.status_code == 303, done.text
    [section] = (await client.get("/api/v1/sections", headers=world.yard_north.headers)).json()
    expected = planar_length(ROAD_25832)
    assert abs(section["length_m"] - expected) / expected < 0.01
    assert (section["unit"], section["rate_cents"]) == ("hour", 4500)


async def test_the_import_page_says_in_german_when_the_projection_is_unknown(client, world, tmp_path):
    from tests.web_helpers import login, post_form

    undefined = geopackage(tmp_path / "ohne.gpkg", -1, [("K 123", gpkg_blob(-1, wkb_linestring(ROAD_25832),
                                                                            ROAD_25832))])
    await login(client, world.yard_north.user.email)
    response = await post_form(client, "/manage/sections/import", {"task": "winter_service"},
                               files={"file": ("ohne.gpkg", undefined, "application/octet-stream")})
    assert response.status_code == 422
    assert "Die Datei nennt kein bekanntes Koordinatensystem (Projektion)" in response.text
    assert "EPSG:25832" in response.text
    await login(client, world.farmer.user.email)
    assert (await client.get("/manage/sections/import")).status_code == 403


# --- Shapefile (zipped) -------------------------------------------------------------------------------------


def shapefile_zip(shapes: list[tuple[int, list[list[tuple[float, float]]]]], names: list[str], *,
                  prj: str | None) -> bytes:
    """A zipped Shapefile as a GIS writes it: .shp (PolyLine 3 / Polygon 5), .dbf (one text field NAME,
    cp1252 with a .cpg saying so), .prj (ESRI WKT)."""
    import io
    import zipfile

    records = b""
    for number, (kind, parts) in enumerate(shapes, start=1):
        points = [p for part in parts for p in part]
        starts, total = [], 0
        for part in parts:
            starts.append(total)
            total += len(part)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        content = struct.pack("<i4d2i", kind, min(xs), min(ys), max(xs), max(ys), len(parts), len(points))
        content += struct.pack(f"<{len(parts)}i", *starts) + b"".join(struct.pack("<2d", *p) for p in points)
        records += struct.pack(">2i", number, len(content) // 2) + content
    header = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, (100 + len(records)) // 2) + struct.pack(
        "<2i4d4d", 1000, shapes[0][0], 0, 0, 0, 0, 0, 0, 0, 0)
    width = 60
    dbf = struct.pack("<4BIHH20x", 3, 126, 1, 1, len(names), 32 + 32 + 1, 1 + width)
    dbf += b"NAME".ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14 + b"\r"
    dbf += b"".join(b" " + n.encode("cp1252").ljust(width) for n in names) + b"\x1a"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("strassen/wege.shp", header + records)
        archive.writestr("strassen/wege.dbf", dbf)
        archive.writestr("strassen/wege.cpg", "1252")
        if prj is not None:
            archive.writestr("strassen/wege.prj", prj)
    return out.getvalue()


async def test_a_zipped_shapefile_in_utm_32n_is_imported(client, world):
    from pyproj import CRS

    x, y = 548_000.0, 5_601_000.0
    outer = [(x, y), (x, y + 60), (x + 80, y + 60), (x + 80, y), (x, y)]  # clockwise: the outer ring
    hole = [(x + 10, y + 10), (x + 30, y + 10), (x + 30, y + 30), (x + 10, y + 30), (x + 10, y + 10)]
    content = shapefile_zip([(3, [ROAD_25832]), (5, [outer, hole])], ["Kreisstraße K 123", "Lagerplatz Bauhof"],
                            prj=CRS.from_epsg(25832).to_wkt("WKT1_ESRI"))
    response = await upload(client, world.yard_north, content, preview=True, name="wege.zip")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["crs"] == "EPSG:25832"
    road, yard = body["sections"]
    assert road["name"] == "Kreisstraße K 123"  # cp1252 in the .dbf, read through the .cpg
    expected = planar_length(ROAD_25832)
    assert abs(road["length_m"] - expected) / expected < 0.01
    assert yard["name"] == "Lagerplatz Bauhof" and len(yard["geometry"]["coordinates"]) == 2
    assert abs(yard["area_m2"] - (80 * 60 - 20 * 20)) / 4400 < 0.01
    without_prj = shapefile_zip([(3, [ROAD_25832])], ["K 123"], prj=None)
    refused = await upload(client, world.yard_north, without_prj, name="wege.zip")
    assert refused.status_code == 422 and "no known coordinate reference system" in refused.json()["detail"]


def test_a_hostile_geopackage_meets_a_ceiling(tmp_path):
    """A feature "table" that is an endless recursive view is cut off, not read until memory runs out."""
    from machinery_network.errors import Invalid

    db = sqlite3.connect(tmp_path / "endlos.gpkg")
    db.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT)")
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_id INTEGER, organization TEXT, "
               "organization_coordsys_id INTEGER, definition TEXT)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (4326, 'EPSG', 4326, 'x')")
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, srs_id INTEGER)")
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('t', 'g', 4326)")
    db.execute("INSERT INTO gpkg_contents VALUES ('t', 'features')")
    db.execute("CREATE VIEW t AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT x AS fid, NULL AS g FROM c")
    db.commit()
    db.close()
    with pytest.raises(Invalid):
        gis.read((tmp_path / "endlos.gpkg").read_bytes())
