"""PostGIS when the server has it (migration 0029, ``care.spatial``), GeoJSON and Python lengths otherwise.

The PostGIS tests run on a server that offers the extension (the CI's PostgreSQL with
``postgresql-15-postgis-3``) and are skipped with the reason on one that does not (the embedded PostgreSQL);
the Python path is tested on both."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network.care import spatial
from machinery_network.demo import SECTION_GEOMETRY
from machinery_network.migrate import upgrade
from tests.test_winter import MERIDIAN, SQUARE, make_section

NO_POSTGIS = "this PostgreSQL has no postgis extension (the embedded one never has): the Python path serves"

# A square of 0.002 degrees with a square hole of 0.0005 in it.
HOLED = {"type": "Polygon", "coordinates": [
    [[10.0, 50.0], [10.002, 50.0], [10.002, 50.002], [10.0, 50.002], [10.0, 50.0]],
    [[10.0005, 50.0005], [10.0005, 50.001], [10.001, 50.001], [10.001, 50.0005], [10.0005, 50.0005]],
]}
# A 15 km country road winding north-east across the Werra valley, a point every 50 m.
ROAD = {"type": "LineString", "coordinates": [
    [round(9.95 + 0.0005 * i, 7), round(50.85 + 0.0003 * i + 0.0004 * ((i // 10) % 2), 7)] for i in range(300)
]}


async def _offered(session) -> bool:
    return bool(await session.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")))


async def _schema_or_skip(session) -> str:
    schema = await spatial.postgis_schema(session)
    if schema is None:
        pytest.skip(NO_POSTGIS)
    return schema


async def test_the_probe_and_the_schema_follow_what_the_server_offers(db_session):
    offered = await _offered(db_session)
    installed = await db_session.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'"))
    column = await db_session.scalar(text(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'sections'::regclass AND attname = 'geom' AND NOT attisdropped"
    ))
    # Migration 0029 installs PostGIS where the server offers it (the tests migrate as a superuser).
    assert bool(installed) == offered
    assert (await spatial.postgis_schema(db_session) is not None) == offered
    assert column == ("geometry(Geometry,4326)" if offered else None)
    if offered:
        index = await db_session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sections_geom'"))
        assert "USING gist (geom)" in index


@pytest.mark.parametrize("shape", [MERIDIAN, SQUARE, HOLED, ROAD], ids=["meridian", "square", "holed", "road"])
async def test_postgis_and_python_measure_alike(db_session, shape):
    schema = await _schema_or_skip(db_session)
    by_postgis = await spatial.postgis_measure(db_session, shape, schema)
    by_python = spatial.python_measure(shape)
    assert by_postgis[0] == pytest.approx(by_python[0], rel=0.005)
    if shape["type"] == "Polygon":
        assert by_postgis[1] == pytest.approx(by_python[1], rel=0.005)
    else:
        assert by_postgis[1] is None and by_python[1] is None


async def test_the_demo_courses_measure_alike(db_session):
    schema = await _schema_or_skip(db_session)
    for name, coordinates in SECTION_GEOMETRY.items():
        shape = {"type": "LineString", "coordinates": coordinates}
        postgis_length, _ = await spatial.postgis_measure(db_session, shape, schema)
        assert postgis_length == pytest.approx(spatial.python_measure(shape)[0], rel=0.005), name


async def test_sections_are_measured_by_postgis_and_kept_in_its_column(client, world, db_session, monkeypatch):
    await _schema_or_skip(db_session)

    def no_python(shape):
        raise AssertionError("measured in Python although the database has PostGIS")

    monkeypatch.setattr(spatial, "python_measure", no_python)
    created = await make_section(client, world, geometry=ROAD)
    assert created.status_code == 201, created.text
    section = created.json()
    expected = round(spatial.geometry.length_m(ROAD))
    assert section["length_m"] == expected
    stored = await db_session.scalar(
        text("SELECT ST_Length(geom::geography) FROM sections WHERE id = :id"), {"id": section["id"]})
    assert stored == pytest.approx(expected, rel=0.005)
    # The column follows the GeoJSON: a new course, and none.
    changed = await client.patch(f"/api/v1/sections/{section['id']}", json={"geometry": SQUARE},
                                 headers=world.yard_north.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["length_m"] == round(spatial.geometry.length_m(SQUARE))
    kind = await db_session.scalar(text("SELECT GeometryType(geom) FROM sections WHERE id = :id"),
                                   {"id": section["id"]})
    assert kind == "POLYGON"
    bare = await make_section(client, world, length_m=300)
    assert bare.status_code == 201, bare.text
    assert await db_session.scalar(text("SELECT geom IS NULL FROM sections WHERE id = :id"),
                                   {"id": bare.json()["id"]})


async def test_without_postgis_sections_are_measured_in_python(client, world, db_session, monkeypatch):
    # Whatever this server has, a database without PostGIS (as the probe would find it) is measured in Python.
    monkeypatch.setitem(spatial._PROBED, spatial._database(db_session), None)

    async def no_postgis(*args, **kwargs):
        raise AssertionError("PostGIS asked although the database has none")

    monkeypatch.setattr(spatial, "postgis_measure", no_postgis)
    created = await make_section(client, world, geometry=MERIDIAN)
    assert created.status_code == 201, created.text
    assert created.json()["length_m"] == 1112


async def test_a_role_that_may_not_create_postgis_migrates_without_it(db_session, server_url):
    if not await _offered(db_session):
        pytest.skip(NO_POSTGIS)
    role = f"mn_nopostgis_{uuid.uuid4().hex[:8]}"
    name = f"mn_nopostgis_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            # May create trusted extensions (btree_gist, pg_trgm) in its own database, not postgis; a member
            # of the service's role mn_app (made by 0018 when the test database was migrated), as 0018 needs.
            await conn.execute(text(f'CREATE ROLE "{role}" LOGIN IN ROLE mn_app'))
            await conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{role}"'))
        url = make_url(server_url).set(database=name, username=role, password=None)
        await upgrade(url.render_as_string(hide_password=False))
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")) == 0
                assert await conn.scalar(text(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'sections' "
                    "AND column_name = 'geom'")) == 0
                assert await conn.scalar(text("SELECT to_regclass('sections') IS NOT NULL"))
        finally:
            await engine.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        await admin.dispose()
