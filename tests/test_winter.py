"""Winter service and section geometry: GeoJSON courses with geodesic lengths, winter-service details of a
care log, and the database freezing a confirmed log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from machinery_network.db import sqlstate

# 20 January 2027, 11:00 in Berlin.
NOW = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")

# Along the meridian 10.0 E from 50.00 N to 50.01 N: a meridian arc of 0.01 degrees there is 1112.3 m
# (meridional degree at 50 N on WGS 84: 111 229 m).
MERIDIAN = {"type": "LineString", "coordinates": [[10.0, 50.0], [10.0, 50.01]]}
# A square of 0.001 degrees at 50 N: two sides of 111.2 m (north-south) and two of 71.6 m (east-west).
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[10.0, 50.0], [10.001, 50.0], [10.001, 50.001], [10.0, 50.001], [10.0, 50.0]]],
}

ROAD = {
    "name": "Gemeindeverbindungsstraße Nord",
    "kind": "road",
    "task": "winter_service",
    "unit": "hour",
    "rate_cents": 4500,
}


async def make_section(client, world, **overrides):
    body = {**ROAD, "municipality_id": world.north.id, **overrides}
    return await client.post("/api/v1/sections", json=body, headers=world.yard_north.headers)


async def winter_section(client, world, **overrides) -> dict:
    response = await make_section(client, world, geometry=MERIDIAN, **overrides)
    assert response.status_code == 201, response.text
    section = response.json()
    assigned = await client.post(
        f"/api/v1/sections/{section['id']}/assignments",
        json={"farmer_id": world.farmer.id, "valid_from": "2026-12-01"}, headers=world.yard_north.headers,
    )
    assert assigned.status_code == 201, assigned.text
    return section


PASS = {
    "performed_on": "2027-01-20",
    "quantity": 1.5,
    "started_at": "2027-01-20T05:10:00+01:00",
    "ended_at": "2027-01-20T06:40:00+01:00",
    "activity": "both",
    "material": "Splitt",
    "amount_kg": 350.5,
}


async def report(client, world, section_id: int, **overrides):
    body = {"section_id": section_id, **PASS, **overrides}
    body = {k: v for k, v in body.items() if v is not None}
    return await client.post("/api/v1/care-logs", json=body, headers=world.farmer.headers)


# --- geometry -----------------------------------------------------------------------------------------


async def test_length_is_computed_from_a_linestring(client, world):
    # A typed length is overruled by the drawn course.
    response = await make_section(client, world, geometry=MERIDIAN, length_m=5)
    assert response.status_code == 201, response.text
    section = response.json()
    assert abs(section["length_m"] - 1112) <= 1
    assert section["geometry"] == MERIDIAN


async def test_length_of_a_polygon_is_its_perimeter(client, world):
    response = await make_section(client, world, geometry=SQUARE)
    assert response.status_code == 201, response.text
    assert abs(response.json()["length_m"] - (2 * 111.2 + 2 * 71.6)) <= 1
    assert response.json()["geometry"]["type"] == "Polygon"


async def test_a_section_without_geometry_needs_a_length(client, world):
    missing = await make_section(client, world)
    assert missing.status_code == 422
    assert missing.json()["extra"]["field"] == "length_m"
    typed = await make_section(client, world, length_m=640)
    assert typed.status_code == 201
    assert typed.json()["length_m"] == 640


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [10.0, 50.0]},
        {"type": "MultiLineString", "coordinates": [[[10.0, 50.0], [10.0, 50.01]]]},
        {"type": "LineString", "coordinates": [[10.0, 50.0]]},
        {"type": "LineString", "coordinates": [[10.0, 50.0], [10.0, 50.0]]},
        {"type": "LineString", "coordinates": [[10.0, 95.0], [10.0, 50.01]]},
        {"type": "LineString", "coordinates": [[10.0, "50"], [10.0, 50.01]]},
        {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.001, 50.0], [10.001, 50.001], [10.0, 50.001]]]},
        {"type": "Polygon", "coordinates": [[10.0, 50.0], [10.001, 50.0], [10.001, 50.001], [10.0, 50.0]]},
        {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.001, 50.0], [10.0, 50.0], [10.0, 50.0]]]},
        {"type": "LineString", "coordinates": [[10.0, 50.0], [10.0, 50.01]], "crs": "EPSG:25832"},
        "LINESTRING(10 50, 10 50.01)",
    ],
)
async def test_invalid_geometry_is_422_and_creates_nothing(client, world, geometry):
    response = await make_section(client, world, geometry=geometry, length_m=100)
    assert response.status_code == 422, response.text
    listed = await client.get("/api/v1/sections", headers=world.yard_north.headers)
    assert listed.json() == []


async def test_changing_the_geometry_recomputes_the_length(client, world):
    section = (await make_section(client, world, length_m=640)).json()
    path = f"/api/v1/sections/{section['id']}"
    assert (await client.patch(path, json={"geometry": SQUARE}, headers=world.yard_south.headers)).status_code == 403
    assert (await client.patch(path, json={"geometry": SQUARE}, headers=world.farmer.headers)).status_code == 403
    assert (await client.patch(path, json={"geometry": SQUARE})).status_code == 401
    bad = await client.patch(path, json={"geometry": {"type": "Point", "coordinates": [1, 2]}},
                             headers=world.yard_north.headers)
    assert bad.status_code == 422
    response = await client.patch(path, json={"geometry": MERIDIAN}, headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    assert abs(response.json()["length_m"] - 1112) <= 1
    shown = await client.get(path, headers=world.yard_north.headers)
    assert shown.json()["length_m"] == response.json()["length_m"]


# --- winter-service logs ------------------------------------------------------------------------------


async def test_winter_log_carries_times_activity_and_grit(client, world):
    section = await winter_section(client, world)
    response = await report(client, world, section["id"])
    assert response.status_code == 201, response.text
    log = response.json()
    assert datetime.fromisoformat(log["started_at"]) == datetime(2027, 1, 20, 4, 10, tzinfo=UTC)
    assert datetime.fromisoformat(log["ended_at"]) == datetime(2027, 1, 20, 5, 40, tzinfo=UTC)
    assert (log["activity"], log["material"], log["amount_kg"]) == ("both", "Splitt", 350.5)
    shown = await client.get(f"/api/v1/care-logs/{log['id']}", headers=world.yard_north.headers)
    assert shown.json()["activity"] == "both"


async def test_winter_log_without_details_stays_possible(client, world):
    section = await winter_section(client, world)
    response = await report(client, world, section["id"], started_at=None, ended_at=None, activity=None,
                            material=None, amount_kg=None)
    assert response.status_code == 201, response.text
    assert response.json()["started_at"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ended_at": "2027-01-20T05:00:00+01:00"}, "ended_at"),  # before the start
        ({"ended_at": "2027-01-20T05:10:00+01:00"}, "ended_at"),  # no duration
        ({"ended_at": "2027-01-21T05:20:00+01:00", "performed_on": "2027-01-19",
          "started_at": "2027-01-19T05:10:00+01:00"}, "ended_at"),  # longer than a day
        ({"ended_at": "2027-01-20T12:00:00+01:00"}, "ended_at"),  # in the future (now is 11:00)
        ({"started_at": "2027-01-19T23:10:00+01:00"}, "started_at"),  # not on the work day
        ({"ended_at": None}, "ended_at"),
        ({"activity": None}, "activity"),
        ({"activity": "clearing"}, "material"),  # grit without gritting
        ({"activity": "salting"}, "activity"),
        ({"amount_kg": -1}, "amount_kg"),
        ({"started_at": "2027-01-20T05:10:00"}, "started_at"),  # no offset
        ({"started_at": "9999-01-20T05:10:00+14:00"}, "started_at"),
    ],
)
async def test_bad_winter_details_are_422_and_nothing_is_written(client, world, overrides, field):
    section = await winter_section(client, world)
    response = await report(client, world, section["id"], **overrides)
    assert response.status_code == 422, response.text
    assert field in response.text
    listed = await client.get(f"/api/v1/care-logs?section_id={section['id']}", headers=world.farmer.headers)
    assert listed.json() == []


async def test_winter_details_only_on_winter_sections(client, world):
    section = await winter_section(client, world, task="verge_mowing")
    response = await report(client, world, section["id"])
    assert response.status_code == 422
    assert response.json()["extra"]["field"] == "activity"
    plain = await report(client, world, section["id"], started_at=None, ended_at=None, activity=None,
                         material=None, amount_kg=None)
    assert plain.status_code == 201


async def test_database_checks_winter_details_without_the_application(client, db_session, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    for assignment in (
        "ended_at = started_at - interval '1 minute'",
        "activity = 'salting'",
        "activity = 'clearing'",  # with material and amount still set
        "activity = NULL",
        "amount_kg = -1",
    ):
        with pytest.raises(DBAPIError):
            async with db_session.begin_nested():
                await db_session.execute(text(f"UPDATE care_logs SET {assignment} WHERE id = :id"), {"id": log["id"]})


# --- a confirmed log is frozen ---------------------------------------------------------------------------


async def test_database_refuses_changing_a_confirmed_log(client, db_session, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    # Before the confirmation the row can still change (the trigger is no blanket refusal).
    await db_session.execute(text("UPDATE care_logs SET note = 'vor Bestätigung' WHERE id = :id"), {"id": log["id"]})
    confirmed = await client.post(f"/api/v1/care-logs/{log['id']}/confirm", headers=world.yard_north.headers)
    assert confirmed.status_code == 200, confirmed.text
    for assignment in (
        "ended_at = ended_at + interval '1 hour'",
        "amount_kg = 10",
        "note = 'nachträglich'",
        "status = 'reported'",
        "quantity = 3",
    ):
        with pytest.raises(DBAPIError) as refused:
            async with db_session.begin_nested():
                await db_session.execute(text(f"UPDATE care_logs SET {assignment} WHERE id = :id"), {"id": log["id"]})
        assert sqlstate(refused.value) == "55000"
    row = (await db_session.execute(
        text("SELECT note, amount_kg, status FROM care_logs WHERE id = :id"), {"id": log["id"]}
    )).one()
    assert (row.note, float(row.amount_kg), row.status) == ("vor Bestätigung", 350.5, "confirmed")


async def test_confirmed_log_cannot_be_rejected_or_given_a_photo(client, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    path = f"/api/v1/care-logs/{log['id']}"
    assert (await client.post(f"{path}/confirm", headers=world.yard_north.headers)).status_code == 200
    assert (await client.post(f"{path}/reject", json={"reason": "zu spät"},
                              headers=world.yard_north.headers)).status_code == 409
    shown = await client.get(path, headers=world.farmer.headers)
    assert shown.json()["status"] == "confirmed"


# --- GPX tracks -------------------------------------------------------------------------------------------


def gpx(points: list[tuple[float, float]], *, namespace: str = "http://www.topografix.com/GPX/1/1") -> bytes:
    trkpts = "".join(
        f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><time>2027-01-20T04:{i % 60:02d}:00Z</time></trkpt>'
        for i, (lon, lat) in enumerate(points)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="Handy" xmlns="{namespace}">'
        f"<trk><name>Räumen</name><trkseg>{trkpts}</trkseg></trk></gpx>"
    ).encode()


def along_meridian(share: float, east_m: float, count: int = 120) -> list[tuple[float, float]]:
    """Points along the first ``share`` of MERIDIAN, ``east_m`` metres east of it (1e-5 degrees of longitude
    at 50 N are 0.715 m)."""
    lon = 10.0 + east_m / 71_700
    return [(lon, 50.0 + 0.01 * share * i / (count - 1)) for i in range(count)]


async def post_track(client, person, log_id: int, content: bytes | None, field: str = "file"):
    files = {field: ("spur.gpx", content, "application/gpx+xml")} if content is not None else None
    return await client.post(
        f"/api/v1/care-logs/{log_id}/track", files=files, data=None if files else {"x": "1"},
        headers=person.headers,
    )


async def test_gpx_track_covering_80_percent_of_the_section(client, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    # GPS drifts a few metres beside the road; the last point stops at 80 %, and the 15 m around it count.
    response = await post_track(client, world.farmer, log["id"], gpx(along_meridian(0.8, east_m=6)))
    assert response.status_code == 200, response.text
    assert 79.5 <= response.json()["covered_percent"] <= 82.0
    # GPX 1.0 reads the same; the yard head may check the farmer's track too.
    old = gpx(along_meridian(0.8, east_m=6), namespace="http://www.topografix.com/GPX/1/0")
    again = await post_track(client, world.yard_north, log["id"], old)
    assert again.json()["covered_percent"] == response.json()["covered_percent"]
    # A track along the parallel road 40 m away covers nothing.
    beside = await post_track(client, world.farmer, log["id"], gpx(along_meridian(1.0, east_m=40)))
    assert beside.json()["covered_percent"] == 0
    whole = await post_track(client, world.farmer, log["id"], gpx(along_meridian(1.0, east_m=-3)))
    assert whole.json()["covered_percent"] == 100


async def test_track_refusals(client, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    track = gpx(along_meridian(0.5, east_m=0))
    assert (await post_track(client, world.farmer2, log["id"], track)).status_code == 403
    assert (await post_track(client, world.yard_south, log["id"], track)).status_code == 403
    assert (await post_track(client, world.finance_north, log["id"], track)).status_code == 403
    anonymous = await client.post(f"/api/v1/care-logs/{log['id']}/track",
                                  files={"file": ("spur.gpx", track, "application/gpx+xml")})
    assert anonymous.status_code == 401
    assert (await post_track(client, world.farmer, 999999, track)).status_code == 404
    for content in (
        b"not xml at all",
        b'<?xml version="1.0"?><kml><trkpt lat="50" lon="10"/></kml>',
        gpx([]),
        b'<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="95" lon="10"/></trkseg></trk></gpx>',
        b'<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="x" lon="10"/></trkseg></trk></gpx>',
        # An entity expansion ("billion laughs") is refused, not expanded.
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<gpx><trk><name>&b;</name></trk></gpx>",
        # An external entity is never fetched.
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>',
    ):
        response = await post_track(client, world.farmer, log["id"], content)
        assert response.status_code == 422, (content, response.text)
        assert response.json()["extra"]["field"] == "file"
    missing = await post_track(client, world.farmer, log["id"], None)
    assert missing.status_code == 422


async def test_track_needs_a_drawn_section(client, world):
    section = (await make_section(client, world, length_m=500)).json()
    await client.post(f"/api/v1/sections/{section['id']}/assignments",
                      json={"farmer_id": world.farmer.id, "valid_from": "2026-12-01"}, headers=world.yard_north.headers)
    log = (await report(client, world, section["id"])).json()
    response = await post_track(client, world.farmer, log["id"], gpx(along_meridian(0.5, east_m=0)))
    assert response.status_code == 422
    assert response.json()["extra"]["field"] == "section_id"


# --- the section's winter-service proof -------------------------------------------------------------------


async def test_section_winter_proof_lists_every_pass_with_its_times(client, world):
    section = await winter_section(client, world)
    first = (await report(client, world, section["id"])).json()
    second = (await report(client, world, section["id"], performed_on="2027-01-19",
                           started_at="2027-01-19T04:30:00+01:00", ended_at="2027-01-19T05:15:00+01:00",
                           activity="clearing", material=None, amount_kg=None)).json()
    unconfirmed = (await report(client, world, section["id"], performed_on="2027-01-18",
                                started_at="2027-01-18T04:30:00+01:00", ended_at="2027-01-18T05:15:00+01:00",
                                activity="clearing", material=None, amount_kg=None))
    assert unconfirmed.status_code == 201
    for log in (first, second):
        assert (await client.post(f"/api/v1/care-logs/{log['id']}/confirm",
                                  headers=world.yard_north.headers)).status_code == 200
    path = f"/api/v1/sections/{section['id']}/winter-proof"
    response = await client.get(f"{path}?season=2026&format=csv", headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]
    header = rows[0]
    begin, end, activity = header.index("Beginn"), header.index("Ende"), header.index("Tätigkeit")
    material, amount = header.index("Streugut"), header.index("Streumenge (kg)")
    passes = [r for r in rows[1:] if r[header.index("Eintrag")] == "Einsatz"]
    assert [(r[begin], r[end], r[activity], r[material], r[amount]) for r in passes] == [
        ("19.01.2027 04:30", "19.01.2027 05:15", "Räumen", "", ""),
        ("20.01.2027 05:10", "20.01.2027 06:40", "Räumen und Streuen", "Splitt", "350,5"),
    ]
    pdf = await client.get(f"{path}?season=2026&format=pdf", headers=world.finance_north.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The winter before holds none of these passes.
    earlier = await client.get(f"{path}?season=2025&format=csv", headers=world.yard_north.headers)
    assert len(earlier.content.decode("utf-8-sig").splitlines()) == 1


async def test_section_winter_proof_refusals(client, world):
    section = await winter_section(client, world)
    path = f"/api/v1/sections/{section['id']}/winter-proof"
    assert (await client.get(f"{path}?season=2026")).status_code == 401
    assert (await client.get(f"{path}?season=2026", headers=world.yard_south.headers)).status_code == 403
    assert (await client.get(f"{path}?season=2026", headers=world.farmer.headers)).status_code == 403
    missing = await client.get("/api/v1/sections/999999/winter-proof?season=2026", headers=world.yard_north.headers)
    assert missing.status_code == 404
    bad_format = await client.get(f"{path}?season=2026&format=xlsx", headers=world.yard_north.headers)
    assert bad_format.status_code == 422
    for season in ("1900", "abc"):
        refused = await client.get(f"{path}?season={season}", headers=world.yard_north.headers)
        assert refused.status_code in (400, 422), season
