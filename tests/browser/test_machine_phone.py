"""At the machine on a phone (360 px): Karl Hartung fetches the Gerstungen tractor, signs on the screen,
brings it back 3,5 operating hours later and signs again; the yard head finds the proposed quantity in
his completion form."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import FARMER, SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")
PHONE = {"width": 360, "height": 740}


async def _fits(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


async def _sign(page) -> None:
    pad = page.locator("#signature-pad")
    await pad.scroll_into_view_if_needed()
    box = await pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    await page.mouse.move(x + 20, y + 80)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(x + 20 + step * 20, y + 80 + (25 if step % 2 else -25), steps=3)
    await page.mouse.up()
    assert (await page.input_value("#signature")).startswith("data:image/png;base64,")


async def test_hand_over_and_return_on_a_phone(browsing):
    service = browsing.service
    service.set_now(datetime(SEASON, 8, 9, 9, 0, tzinfo=BERLIN))

    farmer = await browsing.page(FARMER)
    await farmer.click("text=Traktor 120 PS mit Mulcher")
    form = farmer.locator("#booking-form")
    await form.wait_for()
    await farmer.fill("#start_date", f"{SEASON}-08-10")
    await farmer.fill("#start_time", "08:00")
    await farmer.fill("#end_date", f"{SEASON}-08-10")
    await farmer.fill("#end_time", "12:00")
    await farmer.fill("#note", "Mulchen Am Rasdorfer Berg")
    async with farmer.expect_navigation(url=re.compile(r"/bookings")):
        await form.locator("button[type=submit]").click()

    yard = await browsing.page(YARD_HEAD)
    await yard.goto("/manage/bookings")
    row = yard.locator("tr", has_text="Karl Hartung").filter(has_text="10.08.")
    async with yard.expect_navigation():
        await row.first.locator("form[action$='/approve'] button").click()

    # --- at the machine: the hand-over on the farmer's phone ------------------------------------------------
    service.set_now(datetime(SEASON, 8, 10, 7, 45, tzinfo=BERLIN))
    await farmer.set_viewport_size(PHONE)
    await farmer.goto("/bookings")
    async with farmer.expect_navigation(url=re.compile(r"/machine/bookings/\d+")):
        await farmer.locator("tr", has_text="10.08.").first.get_by_text("Übergabe / Rückgabe").click()
    await farmer.fill("#meter", "1250,5")
    await farmer.fill("#fuel_percent", "90")
    await _sign(farmer)
    await _fits(farmer)
    async with farmer.expect_navigation():
        await farmer.get_by_role("button", name="Übergabe bestätigen").click()
    await farmer.get_by_role("button", name="Rückgabe bestätigen").wait_for()

    # --- the return: the meter must not go backwards, then 3,5 hours more --------------------------------
    service.set_now(datetime(SEASON, 8, 10, 12, 10, tzinfo=BERLIN))
    await farmer.reload()
    await farmer.fill("#meter", "1200")
    await farmer.fill("#fuel_percent", "40")
    await _sign(farmer)
    async with farmer.expect_navigation():
        await farmer.get_by_role("button", name="Rückgabe bestätigen").click()
    assert "unter dem bei der Übergabe" in await farmer.locator(".error-summary").inner_text()
    assert await farmer.input_value("#fuel_percent") == "40"  # what was typed stays
    await farmer.fill("#meter", "1254")
    await farmer.check("input[name=condition][value=remarks]")
    await farmer.fill("#remarks", "Mulcher gereinigt, Messer stumpf")
    await _sign(farmer)
    await _fits(farmer)
    await screenshot(farmer, "return-phone")
    async with farmer.expect_navigation():
        await farmer.get_by_role("button", name="Rückgabe bestätigen").click()
    summary = await farmer.locator("#return").inner_text()
    assert "3,5" in summary and "Messer stumpf" in summary
    assert await farmer.locator("#return img.signature").count() == 1
    await _fits(farmer)

    # --- the yard head's completion form proposes the meter's hours ---------------------------------------
    booking_url = farmer.url.replace("/machine/bookings/", "/manage/bookings/")
    await yard.goto(booking_url.split(service.url)[-1] if booking_url.startswith(service.url) else booking_url)
    assert await yard.input_value("#quantity") == "3,5"
