"""Each role's dashboard renders in the browser: its SVG charts, tables and CSV links, on a desk and
on a 360 px phone (no sideways scrolling of the page); the cost-price page of an item too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import FINANCE, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser
ADMIN = "admin@werratal.example"


@pytest.mark.parametrize(("email", "title", "panels", "shot"), [
    (YARD_HEAD, "Übersicht Bauhof", 5, "dashboard-yard"),
    (FINANCE, "Übersicht Kämmerei", 3, "dashboard-finance"),
    (ADMIN, "Übersicht Netzwerk", 4, "dashboard-council"),
])
async def test_each_dashboard_renders(browsing, email, title, panels, shot):
    page = await browsing.page(email)
    await page.goto("/dashboard")
    assert title in await page.locator("h1").inner_text()
    charts = page.locator("section.dash-panel svg.chart")
    assert await charts.count() == panels
    assert await page.locator("section.dash-panel a[href^='/dashboard.csv']").count() == panels
    box = await charts.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 10
    await screenshot(page, shot)
    await page.set_viewport_size({"width": 360, "height": 740})
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 362, f"page is {overflow} px wide at 360 px"


async def test_cost_page_renders_for_the_yard_head(browsing):
    page = await browsing.page(YARD_HEAD)
    await page.goto("/manage/items")
    href = await page.locator("a[href^='/items/']").first.get_attribute("href")
    item_id = href.split("/")[2]
    await page.goto(f"/items/{item_id}/cost")
    await page.fill("#purchase_price", "120.000")
    await page.fill("#residual_value", "24.000")
    await page.fill("#life_years", "12")
    await page.fill("#life_units", "10.000")
    await page.fill("#annual_units", "600")
    await page.fill("#interest_percent", "3")
    await page.fill("#insurance", "800")
    await page.fill("#housing", "400")
    await page.fill("#repair_percent_of_price", "80")
    await page.fill("#fuel_litres_per_unit", "9,5")
    await page.fill("#fuel_price", "1,50")
    async with page.expect_navigation():
        await page.click("button[value=calculate]")
    assert "11.360,00 €" in await page.locator("#result").inner_text()
    await page.set_viewport_size({"width": 360, "height": 740})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 362
    await screenshot(page, "cost-price")
