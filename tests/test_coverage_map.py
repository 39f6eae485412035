"""A winter pass's GPS coverage on the map: the covered and uncovered stretches of the section (the same rule
as the recorded share), the JSON route that gives them, and the page that draws them with a list."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

import pytest

from machinery_network.care import map as care_map
from machinery_network.care import track
from machinery_network.care.geometry import GEOD, length_m
from tests.test_winter import MERIDIAN, SQUARE, along_meridian, gpx, post_track, report, winter_section
from tests.web_helpers import login

NOW = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


def _geodesic(points: list[tuple[float, float]]) -> float:
    return float(GEOD.line_length([p[0] for p in points], [p[1] for p in points]))


# --- the split (pure) -----------------------------------------------------------------------------------


def test_a_track_over_80_percent_splits_the_section_into_a_covered_and_an_uncovered_stretch():
    tracks = [along_meridian(0.8, east_m=6)]
    found = track.coverage(MERIDIAN, tracks)
    assert found.percent == track.covered_percent(MERIDIAN, tracks)  # one rule for the share and the map
    assert 79.5 <= found.percent <= 82.0
    covered, uncovered = found.stretches
    assert covered.covered and not uncovered.covered
    # The track stops at 80 % of the 0.01 degrees; the 15 m around its last point count too.
    assert covered.points[0] == (10.0, 50.0) and uncovered.points[-1] == (10.0, 50.01)
    assert covered.points[-1] == uncovered.points[0]
    assert 50.0080 <= covered.points[-1][1] <= 50.0082
    assert covered.start_m == 0 and covered.end_m == pytest.approx(uncovered.start_m)
    assert uncovered.end_m == pytest.approx(found.length_m)
    assert covered.end_m - covered.start_m == pytest.approx(found.covered_m)
    # The drawn stretches are as long as the share says (to the sampling step).
    assert _geodesic(covered.points) / length_m(MERIDIAN) == pytest.approx(found.percent / 100, abs=0.002)
    assert _geodesic(covered.points) + _geodesic(uncovered.points) == pytest.approx(length_m(MERIDIAN), rel=1e-6)


def test_metres_along_the_section_follow_its_geodesic_length():
    percent, length, covered_m, rows = care_map.measure(MERIDIAN, [along_meridian(0.8, east_m=6)])
    assert length == round(length_m(MERIDIAN)) == 1112
    assert [(r.from_m, r.covered) for r in rows] == [(0, True), (rows[0].to_m, False)]
    assert rows[-1].to_m == length
    assert rows[0].to_m == covered_m == pytest.approx(length * percent / 100, abs=1)


@pytest.mark.parametrize(("east_m", "covered"), [(40, False), (-3, True)])
def test_a_track_beside_or_along_the_whole_section_is_one_stretch(east_m, covered):
    found = track.coverage(MERIDIAN, [along_meridian(1.0, east_m=east_m)])
    [stretch] = found.stretches
    assert stretch.covered is covered and found.percent == (100.0 if covered else 0.0)
    assert stretch.points == [(10.0, 50.0), (10.0, 50.01)]


def test_gaps_in_the_middle_and_a_polygons_ring_keep_their_vertices():
    # The square's ring runs A (10.0, 50.0) east to B, north to C, west to D and south back to A. The track
    # runs along A–B, missing its middle, and then north along B–C.
    start = [(10.0 + 0.001 * i / 50, 50.0) for i in range(6)]  # A and the first 7 m
    rest = [(10.0 + 0.001 * i / 50, 50.0) for i in range(45, 51)] + [(10.001, 50.0 + 0.001 * i / 50) for i in range(51)]
    found = track.coverage(SQUARE, [start, rest])
    # Covered near A, missed in the middle of A–B, covered to C (and 15 m on), missed, covered near A again.
    assert [s.covered for s in found.stretches] == [True, False, True, False, True]
    corner = found.stretches[2].points
    assert (10.001, 50.0) in corner[1:-1] and (10.001, 50.001) in corner[1:-1]  # it turns both corners
    assert found.stretches[0].points[0] == found.stretches[-1].points[-1] == (10.0, 50.0)
    assert found.stretches[1].start_m == pytest.approx(7.2 + 15, abs=0.5)
    total = sum(s.end_m - s.start_m for s in found.stretches)
    assert total == pytest.approx(found.length_m)


def test_a_long_track_is_thinned_for_the_map_but_keeps_its_ends():
    line = [(10.0, 50.0 + i * 1e-6) for i in range(20_000)]  # a point every 0.11 m
    [thin] = track.thinned([line])
    assert thin[0] == line[0] and thin[-1] == (10.0, round(line[-1][1], 7))
    assert len(thin) < 1000
    many = [(10.0 + (i % 2) * 0.001, 50.0 + i * 1e-4) for i in range(12_000)]  # every point far apart
    [kept] = track.thinned([many], max_points=5000)
    assert len(kept) <= 5001 and kept[-1] == many[-1]


# --- the JSON route -------------------------------------------------------------------------------------


async def _pass_with_track(client, world, share: float = 0.8) -> tuple[dict, dict]:
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    posted = await post_track(client, world.farmer, log["id"], gpx(along_meridian(share, east_m=6)))
    assert posted.status_code == 200, posted.text
    return section, log


async def test_coverage_route_gives_the_stretches_and_lines(client, world):
    section, log = await _pass_with_track(client, world)
    response = await client.get(f"/api/v1/care-logs/{log['id']}/coverage", headers=world.yard_north.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["care_log_id"] == log["id"] and body["section_id"] == section["id"]
    assert body["covered_percent"] == body["recorded_percent"]
    assert 79.5 <= body["covered_percent"] <= 82.0
    assert body["length_m"] == section["length_m"] == 1112 and body["tolerance_m"] == 15
    assert [s["covered"] for s in body["stretches"]] == [True, False]
    assert body["stretches"][0]["to_m"] == body["covered_m"] == body["stretches"][1]["from_m"]
    assert body["covered"]["type"] == body["uncovered"]["type"] == body["track"]["type"] == "MultiLineString"
    [covered_line] = body["covered"]["coordinates"]
    assert covered_line[0] == [10.0, 50.0]
    [track_line] = body["track"]["coordinates"]
    assert len(track_line) == 120  # 7.5 m apart: none thinned
    # The farmer sees his own pass; another farmer and another municipality's yard head do not.
    own = await client.get(f"/api/v1/care-logs/{log['id']}/coverage", headers=world.farmer.headers)
    assert own.status_code == 200
    for person in (world.farmer2, world.yard_south):
        refused = await client.get(f"/api/v1/care-logs/{log['id']}/coverage", headers=person.headers)
        assert refused.status_code == 403, refused.text


async def test_coverage_route_without_a_track_is_404(client, world):
    section = await winter_section(client, world)
    log = (await report(client, world, section["id"])).json()
    response = await client.get(f"/api/v1/care-logs/{log['id']}/coverage", headers=world.yard_north.headers)
    assert response.status_code == 404
    assert "GPS track" in response.json()["detail"]


async def test_coverage_after_the_course_changed_names_both_shares(client, world):
    section, log = await _pass_with_track(client, world)
    # The yard head shortens the course to its first half: the same track now covers all of it.
    half = {"type": "LineString", "coordinates": [[10.0, 50.0], [10.0, 50.005]]}
    changed = await client.patch(f"/api/v1/sections/{section['id']}", json={"geometry": half},
                                 headers=world.yard_north.headers)
    assert changed.status_code == 200, changed.text
    body = (await client.get(f"/api/v1/care-logs/{log['id']}/coverage", headers=world.yard_north.headers)).json()
    assert body["covered_percent"] == 100 and body["recorded_percent"] < 82
    assert body["uncovered"]["coordinates"] == []


# --- the pages ----------------------------------------------------------------------------------------


def _data(page: str, attribute: str) -> dict:
    return json.loads(html.unescape(page.split(f"{attribute}='")[1].split("'")[0]))


async def test_the_map_page_draws_the_coverage_and_says_it_in_words(client, world):
    section, log = await _pass_with_track(client, world)
    percent = (await client.get(f"/api/v1/care-logs/{log['id']}", headers=world.farmer.headers)).json()[
        "track_covered_percent"]
    share = f"{str(percent).replace('.', ',')} % des Abschnitts befahren"
    await login(client, world.yard_north.user.email)
    inbox = await client.get("/manage/care-logs")
    assert f'href="/care-logs/{log["id"]}/map"' in inbox.text and share in inbox.text
    page = await client.get(f"/care-logs/{log['id']}/map")
    assert page.status_code == 200, page.text
    assert share in page.text
    coverage = _data(page.text, "data-coverage")
    assert [f["properties"]["part"] for f in coverage["features"]] == ["uncovered", "covered", "track"]
    assert coverage["features"][1]["properties"]["label"] == share
    assert _data(page.text, "data-features")["features"][0]["properties"]["id"] == section["id"]
    # The list says the same: two stretches, covered first.
    assert page.text.count('data-covered="yes"') == 1 and page.text.count('data-covered="no"') == 1
    # The section map lists the newest pass with a track, linked to this page.
    section_map = await client.get("/manage/sections/map")
    assert f'href="/care-logs/{log["id"]}/map"' in section_map.text and share in section_map.text
    [feature] = [f for f in _data(section_map.text, "data-features")["features"]
                 if f["properties"]["id"] == section["id"]]
    assert feature["properties"]["track_link"] == f"/care-logs/{log['id']}/map"


async def test_the_map_page_is_for_the_farmer_and_the_yard_head_only(client, world):
    _, log = await _pass_with_track(client, world)
    await login(client, world.farmer.user.email)
    assert (await client.get(f"/care-logs/{log['id']}/map")).status_code == 200
    mine = await client.get("/care")
    assert f'href="/care-logs/{log["id"]}/map"' in mine.text
    client.cookies.clear()
    await login(client, world.farmer2.user.email)
    assert (await client.get(f"/care-logs/{log['id']}/map")).status_code == 403
