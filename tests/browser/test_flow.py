"""The season as the users see it, in one browser session per person:

farmer Karl Hartung books the Gerstungen tractor with operator through the web form → yard head Uwe
Brandt approves it in his inbox → after the job he completes it with the actual hours → Karl reports his
verge mowing → Uwe confirms it → treasurer Claudia Vogt settles the month and downloads the CSV.

Before June the treasurer settles May, which takes the demo's older entries (months are settled in
order); June then holds exactly the two entries of this flow.

The service's clock (tests/browser/serve_with_clock.py) is set to June of next year (SEASON): the booking has to start
in the future, be completed after it started, and the month settled after it ended.

Hand-computed figures (demo rates, VAT 19 %, half-up once per line):
  estimate: 4 h × 48,00 € + 4 h × 39,00 € operator = 348,00 € net + 66,12 € VAT = 414,12 €
  charge:   4 h × 48,00 € + 3,5 h × 39,00 € = 328,50 € net; VAT 62,415 → 62,42 € → 390,92 €
  credit:   1 200 m × 0,12 € = 144,00 €
  net:      390,92 € − 144,00 € = 246,92 € (Karl pays)
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import FARMER, FINANCE, SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")


async def test_book_approve_complete_care_confirm_settle_and_download(browsing):
    service = browsing.service
    service.set_now(datetime(SEASON, 6, 14, 9, 0, tzinfo=BERLIN))

    # --- the farmer books through the form on the item page -------------------------------------------
    farmer = await browsing.page(FARMER)
    estimate_urls: list[str] = []
    farmer.on("request", lambda r: estimate_urls.append(r.url) if "booking-estimate" in r.url else None)
    await farmer.click("text=Traktor 120 PS mit Mulcher")
    form = farmer.locator("#booking-form")
    await form.wait_for()
    await farmer.fill("#start_date", f"{SEASON}-06-15")
    await farmer.fill("#start_time", "08:00")
    await farmer.fill("#end_date", f"{SEASON}-06-15")
    await farmer.fill("#end_time", "12:00")
    await farmer.check("input[name=with_operator]")
    await farmer.fill("#note", "Bankette am Rasdorfer Berg, Zufahrt über den Feldweg")
    await farmer.locator("#estimate").get_by_text("414,12").wait_for()
    assert estimate_urls and not any("_csrf_token" in url for url in estimate_urls)  # no token in GET URLs/logs
    await screenshot(farmer, "booking-form")
    async with farmer.expect_navigation(url=re.compile(r"/bookings")):
        await form.locator("button[type=submit]").click()
    await farmer.get_by_text("Traktor 120 PS mit Mulcher").first.wait_for()
    assert "414,12" in await farmer.locator("main").inner_text()
    await screenshot(farmer, "my-bookings")

    # --- the yard head approves in his inbox -----------------------------------------------------------------
    yard = await browsing.page(YARD_HEAD)
    await yard.goto("/manage/bookings")
    row = yard.locator("tr", has_text="Karl Hartung")
    await row.wait_for()
    assert "414,12" in await row.inner_text()
    await screenshot(yard, "inbox")
    async with yard.expect_navigation():
        await row.locator("form[action$='/approve'] button").click()
    row = yard.locator("tr", has_text="Karl Hartung")
    await row.locator(".badge.approved").wait_for()

    # --- after the job (the clock moves on) he completes it with the actual hours --------------------------
    service.set_now(datetime(SEASON, 6, 15, 13, 0, tzinfo=BERLIN))
    await yard.reload()
    async with yard.expect_navigation():
        await yard.locator("tr", has_text="Karl Hartung").locator("a.btn").click()
    await yard.fill("#quantity", "4")
    await yard.fill("#operator_hours", "3,5")
    await screenshot(yard, "complete")
    async with yard.expect_navigation():
        await yard.locator("form[action$='/complete'] button").click()
    await yard.locator(".badge.completed").wait_for()
    assert "390,92" in await yard.locator(".card").first.inner_text()

    # --- the farmer reports his verge mowing --------------------------------------------------------------
    await farmer.goto("/care")
    option = farmer.locator("#section_id option", has_text="Feldweg Am Rasdorfer Berg")
    await farmer.select_option("#section_id", value=await option.get_attribute("value"))
    await farmer.fill("#performed_on", f"{SEASON}-06-14")
    await farmer.fill("#quantity", "1200")
    await farmer.fill("#note", "Beide Seiten gemäht")
    async with farmer.expect_navigation():
        await farmer.locator("form[action='/care/report'] button[type=submit]").click()
    logged = farmer.locator("tr", has_text="Beide Seiten gemäht")
    await logged.wait_for()
    assert "144,00" in await logged.inner_text()
    await screenshot(farmer, "care")

    # --- the yard head confirms it -------------------------------------------------------------------------
    await yard.goto("/manage/care-logs")
    log_row = yard.locator("tr", has_text="Karl Hartung").filter(has_text="Feldweg Am Rasdorfer Berg")
    await log_row.first.wait_for()
    await screenshot(yard, "care-inbox")
    async with yard.expect_navigation():
        await log_row.first.locator("form[action$='/confirm'] button").click()
    await yard.locator(".badge.confirmed").first.wait_for()

    # --- July: the treasurer settles June and downloads the CSV -----------------------------------------------
    service.set_now(datetime(SEASON, 7, 2, 9, 0, tzinfo=BERLIN))
    finance = await browsing.page(FINANCE)
    await settle_and_download(finance)
    await finance.goto("/finance/settlements")
    await screenshot(finance, "settlements")

    # --- Karl sees both entries of June on his account --------------------------------------------------
    await farmer.goto("/account")
    june = farmer.locator("tr", has_text=str(SEASON)).filter(has_text="390,92")
    await june.first.wait_for()
    assert await farmer.locator("tr", has_text="144,00").count() >= 1
    await screenshot(farmer, "account")


async def settle_and_download(page) -> None:
    """Run June on the finance page and check the CSV row of Karl Hartung."""
    # Months are settled in order: May first takes everything older (the demo's past bookings), so
    # June holds exactly this flow's two entries.
    for month in (f"{SEASON}-05", f"{SEASON}-06"):
        await page.goto("/finance/settlements")
        await page.locator("[name=month]").first.fill(month)
        async with page.expect_navigation():
            await page.locator("form[action*='/finance/settlements'] button[type=submit]").first.click()
        assert f"{month[5:]}/{month[:4]}" in await page.locator("h1").inner_text()
    karl = page.locator("tr", has_text="Karl Hartung")
    await karl.wait_for()
    text = await karl.inner_text()
    assert "390,92" in text and "144,00" in text and "246,92" in text, text
    await screenshot(page, "settlement")
    async with page.expect_download() as info:
        await page.locator("a[href*='format=csv']").first.click()
    download = await info.value
    content = (await download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Gemeinde;Monat;Landwirt;IBAN;Belastungen;Gutschriften;Saldo")
    rows = [line.split(";") for line in lines[1:] if "Karl Hartung" in line]
    assert len(rows) == 1
    assert rows[0][:7] == ["Gerstungen", f"{SEASON}-06", "Karl Hartung", "DE02500105170137075030",
                           "390,92", "144,00", "246,92"]
