"""Keyboard only (WCAG 2.1.1): a farmer logs in, skips to the content, books a machine and reports care
work without touching the mouse; the focus is visible on every stop."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import DEMO_PASSWORD, FARMER, SEASON

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")
FOCUSED = """() => { const e = document.activeElement;
  return {id: e.id, tag: e.tagName, text: (e.innerText || e.value || '').trim().slice(0, 80),
          href: e.getAttribute('href'), outline: getComputedStyle(e).outlineStyle}; }"""


async def _tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies ``matches``; each stop must show its focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused["tag"] in ("A", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "SUMMARY"):
            assert focused["outline"] != "none", f"no visible focus on {focused}"
        if matches(focused):
            return focused
    raise AssertionError("not reachable by Tab")


async def test_a_farmer_books_and_reports_with_the_keyboard_only(browsing):
    browsing.service.set_now(datetime(SEASON, 9, 10, 9, 0, tzinfo=BERLIN))
    page = await browsing.page()
    await page.goto("/login")
    await page.keyboard.type(FARMER)  # the e-mail field has the focus
    await page.keyboard.press("Tab")
    await page.keyboard.type(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")

    # The skip link comes first and moves the focus to the content.
    focused = await _tab_to(page, lambda f: True, limit=1)
    assert focused["text"] == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    await _tab_to(page, lambda f: f["tag"] == "A" and "Kehrmaschine" in f["text"])
    async with page.expect_navigation():
        await page.keyboard.press("Enter")

    # The booking form holds tomorrow 08:00–12:00; a note typed, sent with Enter on the button.
    await _tab_to(page, lambda f: f["id"] == "note")
    await page.keyboard.type("Mit der Tastatur gebucht")
    await _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Buchung anfragen")
    async with page.expect_navigation(url=re.compile(r"/bookings")):
        await page.keyboard.press("Enter")
    row = page.locator("tr", has_text="Kehrmaschine").filter(has_text="11.09.")
    await row.first.wait_for()
    assert "angefragt" in await row.first.inner_text()

    # The care report: the section and today's date are preset; the quantity and a note typed.
    await page.goto("/care")
    await _tab_to(page, lambda f: f["id"] == "quantity")
    await page.keyboard.type("300")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Tastatur-Meldung")
    await _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Meldung absenden")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await page.locator("tr", has_text="Tastatur-Meldung").wait_for()


async def test_a_big_photo_is_scaled_down_in_the_browser_before_sending(browsing, tmp_path):
    """A 4000 × 3000 photo becomes a JPEG of at most 2000 px before the care report is sent."""
    from PIL import Image

    big = tmp_path / "hecke.png"
    Image.effect_noise((4000, 3000), 60).convert("RGB").save(big)  # noise: a large file, like a real photo
    browsing.service.set_now(datetime(SEASON, 9, 12, 9, 0, tzinfo=BERLIN))
    page = await browsing.page(FARMER)
    await page.goto("/care")
    await page.fill("#quantity", "250")
    await page.fill("#note", "Foto-Verkleinerung")
    await page.set_input_files("#photo", str(big))
    for _ in range(100):  # scaling is asynchronous (wait_for_function would need eval, which the CSP forbids)
        if await page.evaluate("document.getElementById('photo').files[0].type") == "image/jpeg":
            break
        await page.wait_for_timeout(100)
    size = await page.evaluate("""async () => { const f = document.getElementById('photo').files[0];
        const b = await createImageBitmap(f); return [b.width, b.height, f.size]; }""")
    assert size[:2] == [2000, 1500] and size[2] < big.stat().st_size
    assert await page.evaluate("document.getElementById('photo').validationMessage") == ""
    async with page.expect_navigation():
        await page.get_by_role("button", name="Meldung absenden").click()
    row = page.locator("tr", has_text="Foto-Verkleinerung")
    await row.wait_for()


async def test_a_photo_too_large_even_scaled_is_refused_in_german_before_sending(browsing, tmp_path):
    from PIL import Image

    big = tmp_path / "gross.png"
    Image.effect_noise((3000, 2000), 60).convert("RGB").save(big)
    page = await browsing.page(FARMER)
    await page.goto("/care")
    await page.fill("#quantity", "250")
    await page.fill("#note", "bleibt stehen")
    # This server takes 5 MB; the page is told 1 KB so the scaled photo is still too large.
    await page.evaluate("document.getElementById('photo').setAttribute('data-max-bytes', '1000')")
    await page.set_input_files("#photo", str(big))
    message = ""
    for _ in range(100):
        message = await page.evaluate("document.getElementById('photo').validationMessage")
        if message.startswith("Das Foto ist auch verkleinert"):
            break
        await page.wait_for_timeout(100)
    assert "größer als" in message and "Ihre übrigen Eingaben bleiben erhalten" in message
    await page.get_by_role("button", name="Meldung absenden").click()  # the browser refuses to send
    assert page.url.endswith("/care")
    assert await page.input_value("#note") == "bleibt stehen" and await page.input_value("#quantity") == "250"
