"""The README's phone pictures (360 × 740): the farmer books a machine, reports care work and reads his
account on his phone; the yard head's start page ("Was ansteht") on his. Each page fits the phone (no
sideways scroll) and shows what the picture is for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import FARMER, YARD_HEAD, _screenshot_path, login

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


async def _phone(browsing, email: str):
    context = await browsing.browser.new_context(
        base_url=browsing.service.url, viewport=PHONE, locale="de-DE", timezone_id="Europe/Berlin",
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )
    context.set_default_timeout(15_000)
    browsing.contexts.append(context)
    page = await context.new_page()
    await login(page, email)
    return page


async def _shot(target, name: str) -> None:
    """The page's first screen, or a whole part of it (a form), without a focus ring."""
    page = getattr(target, "page", target)
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    await target.screenshot(path=str(_screenshot_path(name)))


async def _fits(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


async def test_phone_screens_of_the_farmer_and_the_yard_head(browsing):
    # The demo's own time (its bookings lie around today): a booking a week ahead, care work of yesterday.
    browsing.service.reset_clock()
    day = date.today() + timedelta(days=7)
    farmer = await _phone(browsing, FARMER)

    # booking: the form on the item page with the live estimate
    await farmer.goto("/")
    await farmer.click("text=Traktor 120 PS mit Mulcher")
    form = farmer.locator("#booking-form")
    await form.wait_for()
    await farmer.fill("#start_date", day.isoformat())
    await farmer.fill("#start_time", "08:00")
    await farmer.fill("#end_date", day.isoformat())
    await farmer.fill("#end_time", "12:00")
    await farmer.check("input[name=with_operator]")
    await farmer.locator("#estimate").get_by_text("€").first.wait_for()
    await _fits(farmer)
    await _shot(form, "booking-phone")
    async with farmer.expect_navigation():
        await form.locator("button[type=submit]").click()

    # care report: the form on "Meine Abschnitte"
    await farmer.goto("/care")
    report = farmer.locator("form[action='/care/report']")
    await report.wait_for()
    option = farmer.locator("#section_id option", has_text="Feldweg Am Rasdorfer Berg")
    await farmer.select_option("#section_id", value=await option.get_attribute("value"))
    await farmer.fill("#performed_on", (date.today() - timedelta(days=1)).isoformat())
    await farmer.fill("#quantity", "1200")
    await _fits(farmer)
    await _shot(report, "care-phone")

    # account: balance per municipality, entries, statements
    await farmer.goto("/account")
    await farmer.locator("main h1").wait_for()
    await _fits(farmer)
    await _shot(farmer, "account-phone")

    # the farmer's start page
    await farmer.goto("/start")
    await farmer.locator("#start-upcoming li", has_text="Traktor 120 PS mit Mulcher").first.wait_for()
    await _fits(farmer)
    await _shot(farmer, "start-farmer-phone")

    # the yard head's start page: requests waiting, returns, care reports, sections behind, maintenance
    yard = await _phone(browsing, YARD_HEAD)
    await yard.goto("/start")
    await yard.locator("#start-waiting").wait_for()
    await _fits(yard)
    await _shot(yard, "start-yard-phone")
