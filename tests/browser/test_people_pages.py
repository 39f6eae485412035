"""The people pages on a phone (360 px): profile, password change, tokens, forgotten password; the data
download; the administrator's user page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import FARMER, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


async def _fits(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


async def test_people_pages_fit_a_phone(browsing):
    farmer = await browsing.page(FARMER)
    await farmer.set_viewport_size(PHONE)
    for path in ("/profile", "/profile/password", "/profile/tokens"):
        await farmer.goto(path)
        await _fits(farmer)
    await farmer.goto("/profile")
    await screenshot(farmer, "profile-phone")
    await farmer.fill("#p-phone", "036922 1234")
    async with farmer.expect_navigation():
        await farmer.locator("form[action='/profile'] button[type=submit]").click()
    assert "Gespeichert" in await farmer.locator("[role=status]").inner_text()
    async with farmer.expect_download() as download:
        await farmer.click("text=Meine Daten herunterladen")
    assert (await download.value).suggested_filename.endswith(".zip")

    stranger = await browsing.page()
    await stranger.set_viewport_size(PHONE)
    await stranger.goto("/login")
    await stranger.click("text=Passwort vergessen?")
    await stranger.fill("#email", FARMER)
    await stranger.locator("form button[type=submit]").click()
    await stranger.locator("[role=status]").wait_for()
    await _fits(stranger)
