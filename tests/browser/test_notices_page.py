"""The notices in the browser: a farmer's request shows up in the yard head's menu as an unread count
(loaded by htmx), on the page "Mitteilungen", and is marked read with one click."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.browser.conftest import DEMO_PASSWORD, FARMER, SEASON, YARD_HEAD, screenshot

pytestmark = pytest.mark.browser


async def test_yard_head_sees_the_request_as_an_unread_notice(browsing):
    service = browsing.service
    service.set_now(datetime(SEASON, 7, 27, 9, 0, tzinfo=timezone(timedelta(hours=2))))
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as http:
        token = (await http.post("/api/v1/auth/token", json={"email": FARMER, "password": DEMO_PASSWORD})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        yard = await browsing.page(YARD_HEAD)
        items = (await http.get("/api/v1/items", headers=headers, params={"kind": "machine"})).json()
        start = datetime(SEASON, 8, 3, 7, 0, tzinfo=timezone(timedelta(hours=2)))
        refusals = []
        for item in items:
            r = await http.post("/api/v1/bookings", headers=headers, json={
                "item_id": item["id"], "start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()})
            if r.status_code == 201:
                break
            refusals.append(r.text)
        else:
            pytest.fail(f"no item of the demo could be requested: {refusals[:3]}")
    await yard.goto("/profile")
    badge = yard.locator("#nav-notices #notices-unread")
    await badge.wait_for()
    assert int(await badge.inner_text()) >= 1
    await yard.click("#nav-notices")
    await yard.wait_for_url("**/notices")
    assert "fragt" in await yard.locator("#notices").inner_text()
    await screenshot(yard, "notices")
    async with yard.expect_navigation():
        await yard.click("text=Alle als gelesen markieren")
    await yard.locator("#nav-notices").wait_for()
    await yard.wait_for_timeout(300)  # the badge's htmx request
    assert await yard.locator("#notices-unread").count() == 0
