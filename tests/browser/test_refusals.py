"""What users see when the service says no: an overlapping request, another municipality's booking,
care work beyond the section, a form post without its CSRF token."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import OTHER_YARD_HEAD, SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")
MARIE = "marie.wenzel@landwirt.example"
JONAS = "jonas.eckhardt@landwirt.example"


async def _request(page, item: str, day: str, start: str, end: str) -> None:
    await page.goto("/")
    await page.click(f"text={item}")
    await page.locator("#booking-form").wait_for()
    await page.fill("#start_date", day)
    await page.fill("#start_time", start)
    await page.fill("#end_date", day)
    await page.fill("#end_time", end)


async def test_overlap_other_municipality_and_csrf_refusals(browsing):
    browsing.service.set_now(datetime(SEASON, 6, 18, 9, 0, tzinfo=BERLIN))

    # Marie books the sweeper, the Gerstungen yard head approves.
    marie = await browsing.page(MARIE)
    await _request(marie, "Kehrmaschine", f"{SEASON}-06-21", "08:00", "12:00")
    async with marie.expect_navigation(url=re.compile(r"/bookings")):
        await marie.locator("#booking-form button[type=submit]").click()
    yard = await browsing.page(YARD_HEAD)
    await yard.goto("/manage/bookings")
    # Her request of this test (other browser tests of the session may have booked for her too).
    row = yard.locator("tr", has_text="Marie Wenzel").filter(has_text="Kehrmaschine").filter(has_text=f"21.06.{SEASON}")
    detail_href = await row.locator("a").first.get_attribute("href")
    async with yard.expect_navigation():
        await row.locator("form[action$='/approve'] button").click()
    await row.locator(".badge.approved").wait_for()

    # Jonas wants 10:00–14:00 the same day: the live hint warns, the post is refused with the reason.
    jonas = await browsing.page(JONAS)
    await _request(jonas, "Kehrmaschine", f"{SEASON}-06-21", "10:00", "14:00")
    hint = jonas.locator("#estimate[aria-live=polite] p.error")  # announced by the live region
    await hint.wait_for()
    await jonas.locator("#booking-form button[type=submit]").click()
    refusal = jonas.locator("#booking-form > .error-summary")  # the re-rendered form, not the live hint
    await refusal.wait_for()
    # The summary takes the focus, so a screen reader reads it (no role="alert" present at load).
    await jonas.wait_for_function("document.activeElement.classList.contains('error-summary')")
    message = await refusal.inner_text()
    assert f"21.06.{SEASON}" in message or "10:00" in message or "08:00" in message, message
    await screenshot(jonas, "booking-conflict")

    # A start in the past (the clock says 18 June) is refused with the field marked, also in the browser.
    await jonas.fill("#start_date", f"{SEASON}-06-17")
    await jonas.fill("#end_date", f"{SEASON}-06-17")
    await jonas.locator("#booking-form button[type=submit]").click()
    await jonas.locator("#booking-form .field.invalid #start_date").wait_for()
    assert await jonas.input_value("#start_date") == f"{SEASON}-06-17"
    await jonas.goto("/bookings")
    assert f"21.06.{SEASON}" not in await jonas.locator("main").inner_text()  # nothing stored for Jonas

    # The Berka/Werra yard head neither sees nor may open the Gerstungen booking.
    other = await browsing.page(OTHER_YARD_HEAD)
    await other.goto("/manage/bookings?status=all")
    assert "Marie Wenzel" not in await other.locator("main").inner_text()
    response = await other.goto(detail_href)
    assert response.status == 403
    assert "Kehrmaschine" not in await other.locator("main").inner_text()

    # A form post without the CSRF token (as a forged cross-site form would send it) is refused.
    forged = await other.evaluate(
        """async (path) => {
             const r = await fetch(path, {method: 'POST', body: new URLSearchParams({reason: 'x'}),
                                          headers: {'accept': 'text/html'}});
             return [r.status, await r.text()];
           }""",
        detail_href + "/reject",
    )
    assert forged[0] == 403


async def test_care_report_beyond_the_section_is_explained_in_german(browsing):
    browsing.service.set_now(datetime(SEASON, 7, 20, 9, 0, tzinfo=BERLIN))
    farmer = await browsing.page(MARIE)  # cares for "K 21 Bankett Richtung Lauchröden", 850 m
    await farmer.goto("/care")
    option = farmer.locator("#section_id option", has_text="K 21 Bankett")
    await farmer.select_option("#section_id", value=await option.get_attribute("value"))
    await farmer.fill("#performed_on", f"{SEASON}-07-19")
    await farmer.fill("#quantity", "5000")
    async with farmer.expect_navigation():
        await farmer.locator("form[action='/care/report'] button[type=submit]").click()
    error = farmer.locator(".field.invalid .msg").first
    await error.wait_for()
    assert "850" in await error.inner_text()
    assert "5000" in await farmer.input_value("#quantity")  # the form keeps what was typed
    logs = await farmer.locator("main").inner_text()
    assert f"19.07.{SEASON}" not in logs  # nothing was stored
