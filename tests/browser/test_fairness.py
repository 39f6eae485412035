"""Fair at the harvest peak, in the browser: the yard head marks a machine as contested, a farmer asks
for a repeating booking from the booking panel, two farmers want the same morning, the yard head runs the
draw after the deadline and both farmers read the result."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")
MARIE = "marie.wenzel@landwirt.example"
JONAS = "jonas.eckhardt@landwirt.example"
ITEM = "Böschungsmäher (Auslegemäher)"


def thursday_in_june() -> datetime:
    day = datetime(SEASON, 6, 10, 9, 0, tzinfo=BERLIN)
    return day + timedelta(days=(4 - day.isoweekday()) % 7)


async def test_contested_machine_repeating_booking_and_the_draw(browsing):
    thursday = thursday_in_june()
    monday = (thursday + timedelta(days=4)).date()
    browsing.service.set_now(thursday)

    yard = await browsing.page(YARD_HEAD)
    await yard.goto("/")
    await yard.click(f"text={ITEM}")
    async with yard.expect_navigation():
        await yard.click("text=Verlosung (faire Zuteilung)")
    await yard.fill("#first_day", monday.isoformat())
    await yard.fill("#last_day", (monday + timedelta(days=13)).isoformat())
    await yard.select_option("#deadline_weekday", "4")
    await yard.fill("#deadline_time", "12:00")
    async with yard.expect_navigation():
        await yard.click("form[action$='/contested'] button")
    await yard.locator("text=Der Verlosungszeitraum ist festgelegt.").wait_for()
    assert "Donnerstag 12:00 Uhr für die Folgewoche" in await yard.locator("#seasons").inner_text()

    # Marie asks for every Monday 07:00–11:00 for three weeks from the booking panel.
    marie = await browsing.page(MARIE)
    await marie.goto("/")
    await marie.click(f"text={ITEM}")
    await marie.click("#series summary")
    form = marie.locator("#series form")
    for day in range(1, 8):
        checkbox = form.locator(f"input[name=weekday_{day}]")
        if await checkbox.is_checked() != (day == 1):
            await checkbox.click()
    await form.locator("#series-start_time").fill("07:00")
    await form.locator("#series-end_time").fill("11:00")
    await form.locator("#series-from").fill(monday.isoformat())
    await form.locator("#series-until").fill((monday + timedelta(days=14)).isoformat())
    async with marie.expect_navigation(url=re.compile(r"/booking-series")):
        await form.locator("button[type=submit]").click()
    await marie.locator("text=3 Termine angefragt.").wait_for()
    occurrences = await marie.locator("#occurrences").inner_text()
    assert occurrences.count("wird verlost") == 2, occurrences  # the two contested Mondays
    await screenshot(marie, "repeating-booking")

    # Jonas wants the first Monday morning too.
    jonas = await browsing.page(JONAS)
    await jonas.goto("/")
    await jonas.click(f"text={ITEM}")
    await jonas.locator("#booking-form").wait_for()
    await jonas.fill("#start_date", monday.isoformat())
    await jonas.fill("#start_time", "08:00")
    await jonas.fill("#end_date", monday.isoformat())
    await jonas.fill("#end_time", "10:00")
    async with jonas.expect_navigation(url=re.compile(r"/bookings")):
        await jonas.locator("#booking-form button[type=submit]").click()

    # Before the deadline the yard head is told nothing is due; after it, the draw runs.
    await yard.reload()
    async with yard.expect_navigation():
        await yard.click("text=Fällige Verlosung jetzt durchführen")
    assert "keine Verlosung fällig" in await yard.locator("main").inner_text()
    browsing.service.set_now(thursday.replace(hour=12, minute=5))
    async with yard.expect_navigation(url=re.compile(r"/draws/\d+")):
        await yard.click("text=Fällige Verlosung jetzt durchführen")
    result = await yard.locator("#entries").inner_text()
    assert "Marie Wenzel" in result and "Jonas Eckhardt" in result and "Zuschlag" in result
    assert "dasselbe Ergebnis" in await yard.locator("main").inner_text()
    seed = await yard.locator("#seed").inner_text()
    await screenshot(yard, "draw-result")

    # Jonas reads the result: himself by name, Marie as a number, the same seed.
    await jonas.goto(yard.url.replace(browsing.service.url, ""))
    text = await jonas.locator("main").inner_text()
    assert "Jonas Eckhardt" in text and "Marie Wenzel" not in text and "Betrieb " in text and seed in text
