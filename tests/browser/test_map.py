"""The section map in Chromium with the tile server stubbed (Playwright route interception): Leaflet from
the app's /static draws Gerstungen's sections on tiles, coloured by plan status, with no CSP violation; the
yard head draws a section's course on its edit page and saves it; the farmer sees his sections on a phone
with his position."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

from tests.browser.conftest import FARMER, YARD_HEAD, screenshot

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
