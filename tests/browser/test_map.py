"""The section map in Chromium with the tile server stubbed (Playwright route interception): Leaflet from
the app's /static draws Gerstungen's sections on tiles, coloured by plan status, with no CSP violation; the
yard head draws a section's course on its edit page and saves it; the farmer sees his sections on a phone
with his position; a winter pass's GPS track is drawn with the covered and uncovered stretches."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from PIL import Image

from machinery_network.care.geometry import GEOD
from machinery_network.demo import SECTION_GEOMETRY
from tests.browser.conftest import DEMO_PASSWORD, FARMER, OTHER_YARD_HEAD, SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
TILES = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")
PHONE = {"width": 360, "height": 740}


def _tile_png() -> bytes:
    """A pale map-like tile with a grid, so the screenshot shows where tiles would be."""
    tile = Image.new("RGB", (256, 256), (236, 240, 229))
    for i in range(0, 256, 64):
        for j in range(256):
            tile.putpixel((i, j), (214, 221, 206))
            tile.putpixel((j, i), (214, 221, 206))
    out = io.BytesIO()
    tile.save(out, "PNG")
    return out.getvalue()


TILE = _tile_png()


async def _stub_tiles(context) -> list[str]:
    """Every request to the tile host answered locally; anything else foreign is refused."""
    requested: list[str] = []

    async def tiles(route):
        requested.append(route.request.url)
        await route.fulfill(status=200, content_type="image/png", body=TILE)

    await context.route(TILES, tiles)
    return requested


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    return problems


async def test_the_map_shows_sections_on_stubbed_tiles(browsing):
    page = await browsing.page(YARD_HEAD)
    requested = await _stub_tiles(page.context)
    problems = _watch(page)
    response = await page.goto("/manage/sections/map")
    csp = response.headers["content-security-policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp
    await page.wait_for_selector("#section-map[data-ready='1']")
    lines = page.locator("#section-map path.leaflet-interactive")
    await lines.first.wait_for()
    assert await lines.count() == 3  # Gerstungen's three sections with a course
    await page.wait_for_function("document.querySelectorAll('#section-map img.leaflet-tile-loaded').length > 0")
    assert requested and all(TILES.match(url) for url in requested)
    # Coloured by plan status, and the same in words in the list.
    colours = await lines.evaluate_all("els => els.map(e => e.getAttribute('stroke'))")
    assert all(c.startswith("#") for c in colours)
    listed = page.locator("#section-list + table tbody tr")
    assert await listed.count() == 3
    assert "Feldweg Am Rasdorfer Berg" in await page.locator("#section-list + table").inner_text()
    await page.wait_for_function(
        "document.querySelectorAll('#section-map img.leaflet-tile:not(.leaflet-tile-loaded)').length === 0")
    await page.wait_for_timeout(500)  # the tiles' fade-in
    await screenshot(page, "map")
    # A click on a line opens its popup with the name and a link to edit it.
    await lines.first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    await popup.wait_for()
    assert "Bearbeiten" in await popup.inner_text()
    assert problems == [], problems


async def test_yard_head_draws_a_sections_course(browsing):
    page = await browsing.page(YARD_HEAD)
    await _stub_tiles(page.context)
    problems = _watch(page)
    await page.goto("/manage/sections")
    await page.locator("tr", has_text="Hecke am Sportplatzweg").locator("a", has_text="Bearbeiten").first.click()
    editor = page.locator("#section-editor")
    await page.wait_for_selector("#section-editor[data-ready='1']")
    await editor.scroll_into_view_if_needed()
    await page.click("button[data-draw='line']")
    box = await editor.bounding_box()
    assert box is not None
    for dx, dy in ((0.3, 0.6), (0.5, 0.45), (0.7, 0.4)):
        await page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    drawn = json.loads(await page.input_value("#geometry"))
    assert drawn["type"] == "LineString" and len(drawn["coordinates"]) == 3
    assert await page.locator("#section-editor .vertex").count() == 3
    await page.click("button[data-draw='undo']")
    assert len(json.loads(await page.input_value("#geometry"))["coordinates"]) == 2
    async with page.expect_navigation(url=re.compile(r"/manage/sections")):
        await page.locator("form[action$='/edit'] button[type=submit]").click()
    # Saved through the section update: the edit page shows the course again, the length computed from it.
    await page.goto(page.url)  # the sections list
    await page.locator("tr", has_text="Hecke am Sportplatzweg").locator("a", has_text="Bearbeiten").first.click()
    saved = json.loads(await page.input_value("#geometry"))
    assert saved["coordinates"] == drawn["coordinates"][:2]
    assert problems == [], problems


async def test_the_farmers_map_on_a_phone_shows_his_position(browsing):
    context = await browsing.browser.new_context(
        base_url=browsing.service.url, viewport=PHONE, locale="de-DE", timezone_id="Europe/Berlin",
        geolocation={"latitude": 50.9601, "longitude": 10.0521, "accuracy": 12}, permissions=["geolocation"],
        is_mobile=True, has_touch=True,
    )
    browsing.contexts.append(context)
    await _stub_tiles(context)
    page = await context.new_page()
    problems = _watch(page)
    from tests.browser.conftest import login

    await login(page, FARMER)
    await page.goto("/care")
    await page.wait_for_selector("#my-map[data-ready='1']")
    assert await page.locator("#my-map path.leaflet-interactive").count() >= 1
    await page.click("#locate-me")
    await page.wait_for_selector("#my-map .my-position")
    assert await page.get_attribute("#my-map", "data-located") == "50.96010,10.05210"
    box = await page.locator("#my-map").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"], box
    await screenshot(page, "my-sections-phone")
    assert problems == [], problems


# Berka/Werra's winter section and the farmer who clears it (demo.py).
WINTER_SECTION = "Wirtschaftsweg Dippach"
WINTER_FARMER = "thomas.nuesslein@landwirt.example"


def _along_the_course(course: list[list[float]], share: float, step_m: float = 5.0) -> list[tuple[float, float]]:
    """Points every ``step_m`` along the first ``share`` of the course, 4 m beside it (GPS drift)."""
    lengths = [GEOD.line_length([a[0], b[0]], [a[1], b[1]]) for a, b in zip(course, course[1:], strict=False)]
    goal = share * sum(lengths)
    points: list[tuple[float, float]] = []
    walked = 0.0
    for (a, b), length in zip(zip(course, course[1:], strict=False), lengths, strict=True):
        t = 0.0
        while t <= 1 and walked + t * length <= goal:
            points.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]) + 4 / 111_200))
            t += step_m / length
        walked += length
    return points


async def test_a_passes_gps_track_shows_what_it_covered(browsing):
    # A winter morning: the farmer reports his pass and sends the GPX of his tractor terminal.
    browsing.service.set_now(datetime(SEASON, 1, 20, 9, 0, tzinfo=UTC))
    day = f"{SEASON}-01-20"
    points = _along_the_course(SECTION_GEOMETRY[WINTER_SECTION], 0.8)
    gpx = ('<?xml version="1.0"?><gpx version="1.1" creator="Terminal" xmlns="http://www.topografix.com/GPX/1/1">'
           "<trk><trkseg>" + "".join(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"/>' for lon, lat in points)
           + "</trkseg></trk></gpx>").encode()
    async with httpx.AsyncClient(base_url=browsing.service.url, timeout=20) as http:
        async def headers(email: str) -> dict[str, str]:
            answer = await http.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        farmer = await headers(WINTER_FARMER)
        sections = (await http.get("/api/v1/sections", headers=farmer, params={"limit": 1000})).json()
        [section] = [s for s in sections if s["name"] == WINTER_SECTION]
        log = await http.post("/api/v1/care-logs", headers=farmer, json={
            "section_id": section["id"], "performed_on": day, "quantity": 2,
            "started_at": f"{day}T05:00:00+01:00", "ended_at": f"{day}T06:45:00+01:00", "activity": "gritting",
            "material": "Salz", "amount_kg": 400,
        })
        assert log.status_code == 201, log.text
        log_id = log.json()["id"]
        sent = await http.post(f"/api/v1/care-logs/{log_id}/track", headers=farmer,
                               files={"file": ("spur.gpx", gpx, "application/gpx+xml")})
        assert sent.status_code == 200, sent.text
        percent = sent.json()["covered_percent"]
    assert 79 <= percent <= 83
    share = f"{str(percent).replace('.', ',').removesuffix(',0')} % des Abschnitts befahren"

    # The yard head finds it on the section map's list and opens the pass's map.
    page = await browsing.page(OTHER_YARD_HEAD)
    await _stub_tiles(page.context)
    problems = _watch(page)
    await page.goto("/manage/sections/map")
    row = page.locator("#section-list + table tbody tr", has_text=WINTER_SECTION)
    assert share in await row.inner_text()
    async with page.expect_navigation(url=re.compile(rf"/care-logs/{log_id}/map$")):
        await row.locator("a", has_text="des Abschnitts befahren").click()
    await page.wait_for_selector("#coverage-map[data-ready='1']")
    covered = page.locator("#coverage-map path[data-coverage='covered']")
    uncovered = page.locator("#coverage-map path[data-coverage='uncovered']")
    track = page.locator("#coverage-map path[data-coverage='track']")
    await covered.wait_for()
    assert (await covered.count(), await uncovered.count(), await track.count()) == (1, 1, 1)
    assert await covered.get_attribute("stroke") == "#1a7f37"
    assert await uncovered.get_attribute("stroke-dasharray")  # not told by colour alone
    # The same in words, and the stretches as a list under the map.
    assert share in await page.locator("#coverage-share").inner_text()
    stretches = page.locator("#coverage-list + table tbody tr")
    assert await stretches.count() == 2
    assert (await stretches.nth(0).inner_text()).startswith("befahren")
    assert (await stretches.nth(1).inner_text()).startswith("nicht befahren")
    await page.wait_for_function(
        "document.querySelectorAll('#coverage-map img.leaflet-tile:not(.leaflet-tile-loaded)').length === 0")
    await page.wait_for_timeout(500)  # the tiles' fade-in
    await screenshot(page, "coverage")
    assert problems == [], problems
