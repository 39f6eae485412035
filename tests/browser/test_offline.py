"""The care report without a connection (issue #16): Karl Hartung fills his report in the field with no
signal, is told it is saved and waits, and once the phone is online again the report is sent — once, even
when the outbox holds it twice (the idempotency key)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, FARMER, SEASON, YARD_HEAD, login

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")
PHONE = {"width": 360, "height": 740}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# The outbox as the page keeps it (IndexedDB "mn-outbox"), read and copied in the page.
ENTRIES = """() => mnOutbox.all().then((entries) => entries.map((e) => ({
    key: e.key, state: e.state, url: e.url,
    fields: e.fields.filter((p) => typeof p[1] === "string").map((p) => p[0] + "=" + p[1])})))"""
DUPLICATE = """() => mnOutbox.all().then((entries) => new Promise((resolve, reject) => {
    const open = indexedDB.open("mn-outbox");
    open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction("posts", "readwrite");
        const copy = Object.assign({}, entries[0]);
        delete copy.id;
        tx.objectStore("posts").add(copy);
        tx.oncomplete = () => { db.close(); resolve(true); };
        tx.onerror = () => reject(tx.error);
    };
}))"""


async def _poll(page, script: str, want, tries: int = 150):
    """``page.evaluate(script)`` until it gives ``want`` (wait_for_function needs eval, which the CSP forbids)."""
    value = None
    for _ in range(tries):
        value = await page.evaluate(script)
        if value == want:
            return value
        await page.wait_for_timeout(100)
    raise AssertionError(f"{script} is {value!r}, not {want!r}")


async def _care_logs_with_note(base_url: str, note: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        token = (await http.post("/api/v1/auth/token", json={"email": FARMER, "password": DEMO_PASSWORD})).json()
        r = await http.get("/api/v1/care-logs", params={"limit": 1000},
                           headers={"Authorization": f"Bearer {token['token']}"})
        assert r.status_code == 200, r.text
        return [log for log in r.json() if log.get("note") == note]


async def test_a_care_report_filled_offline_is_sent_once_when_online(browsing):
    service = browsing.service
    service.set_now(datetime(SEASON, 9, 24, 9, 0, tzinfo=BERLIN))
    page = await browsing.page(FARMER)
    await page.set_viewport_size(PHONE)
    context = page.context
    await page.goto("/care")
    report = page.locator("form[action='/care/report']")
    await report.wait_for()
    key = await page.input_value("input[name=idempotency_key]")
    assert UUID.match(key), key  # made in the browser when the form is shown

    note = f"Ohne Netz gemäht {uuid.uuid4().hex[:6]}"
    option = page.locator("#section_id option", has_text="Feldweg Am Rasdorfer Berg")
    await page.select_option("#section_id", value=await option.get_attribute("value"))
    await page.fill("#quantity", "300")
    await page.fill("#note", note)

    # --- no signal: the report is kept on the phone ------------------------------------------------------
    await context.set_offline(True)
    await _poll(page, "navigator.onLine", False)
    await report.get_by_role("button", name="Meldung absenden").click()
    status = page.locator("[data-outbox-status]")
    await status.get_by_text("Gespeichert – wird gesendet, sobald Sie wieder online sind.").wait_for()
    await status.get_by_text("1 Meldung wartet auf das Senden.").wait_for()
    assert page.url.endswith("/care")  # nothing was posted: the page stayed
    entries = await page.evaluate(ENTRIES)
    assert len(entries) == 1 and entries[0]["key"] == key and entries[0]["state"] == "waiting"
    assert f"note={note}" in entries[0]["fields"] and "quantity=300" in entries[0]["fields"]
    # The form is empty for the next report, with a new key.
    assert await page.input_value("#note") == ""
    new_key = await page.input_value("input[name=idempotency_key]")
    assert UUID.match(new_key) and new_key != key
    assert await _care_logs_with_note(service.url, note) == []  # the server has nothing yet

    # The outbox holds the report twice (as after a replay whose answer was lost): still one report.
    await page.evaluate(DUPLICATE)
    assert [e["key"] for e in await page.evaluate(ENTRIES)] == [key, key]

    # --- online again: sent at once (the page's "online" event), recorded once ---------------------------
    await context.set_offline(False)
    await status.get_by_text("2 gespeicherte Meldungen wurden gesendet.").wait_for()
    assert await page.evaluate(ENTRIES) == []
    assert await status.locator("[data-outbox-waiting]").count() == 0
    logs = await _care_logs_with_note(service.url, note)
    assert len(logs) == 1, logs
    assert (logs[0]["status"], float(logs[0]["quantity"])) == ("reported", 300.0)
    await page.goto("/care")
    assert await page.locator("tr", has_text=note).count() == 1

    # --- online, the service worker in between: a report goes straight to the server -------------------
    await _poll(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)", True)
    online_note = f"Mit Netz gemäht {uuid.uuid4().hex[:6]}"
    await page.select_option("#section_id", value=await option.get_attribute("value"))
    await page.fill("#performed_on", f"{SEASON}-09-23")
    await page.fill("#quantity", "250")
    await page.fill("#note", online_note)
    async with page.expect_navigation(url=re.compile(r"/care\?reported=1$")):
        await report.get_by_role("button", name="Meldung absenden").click()
    await page.get_by_text("Danke, die Meldung ist eingegangen.").wait_for()
    assert len(await _care_logs_with_note(service.url, online_note)) == 1
    assert await page.evaluate(ENTRIES) == []


async def test_a_report_whose_post_fails_on_the_way_is_kept_by_the_service_worker(browsing):
    """The phone believes it is online but the post does not get through (a connection that drops): the
    service worker keeps the post, answers with the care page it kept from the last visit and the report
    is sent later.

    ``context.set_offline`` does not reach a service worker's own requests (Playwright issue 2311), so this
    test runs its own Playwright with service-worker network events (an experimental switch read when the
    driver starts) and cuts the connection with a route that aborts them."""
    from playwright.async_api import async_playwright

    service = browsing.service
    service.set_now(datetime(SEASON, 9, 26, 9, 0, tzinfo=BERLIN))
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    try:
        playwright = await async_playwright().start()
    finally:
        del os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"]
    try:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(base_url=service.url, viewport=PHONE, locale="de-DE",
                                            timezone_id="Europe/Berlin", service_workers="allow")
        context.set_default_timeout(15_000)
        page = await context.new_page()
        await login(page, FARMER)
        await page.goto("/care")
        await _poll(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)", True)
        await page.goto("/care")  # a plain visit with the worker in between: the page is kept
        assert await page.evaluate(
            "caches.open('mn-pages').then((c) => c.keys()).then((k) => k.map((r) => new URL(r.url).pathname))"
        ) == ["/care"]

        async def no_connection(route):
            if route.request.service_worker is not None or route.request.method == "POST":
                await route.abort("internetdisconnected")
            else:
                await route.continue_()

        await context.route("**/*", no_connection)
        note = f"Funkloch {uuid.uuid4().hex[:6]}"
        option = page.locator("#section_id option", has_text="Feldweg Am Rasdorfer Berg")
        await page.select_option("#section_id", value=await option.get_attribute("value"))
        await page.fill("#quantity", "200")
        await page.fill("#note", note)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Meldung absenden").click()
        status = page.locator("[data-outbox-status]")
        await status.get_by_text("Gespeichert – wird gesendet, sobald Sie wieder online sind.").wait_for()
        await status.get_by_text("1 Meldung wartet auf das Senden.").wait_for()
        assert page.url.endswith("/care")  # the kept page, "?queued=1" taken off the address
        entries = await page.evaluate(ENTRIES)
        assert len(entries) == 1 and f"note={note}" in entries[0]["fields"] and UUID.match(entries[0]["key"])
        assert await _care_logs_with_note(service.url, note) == []

        await context.unroute("**/*", no_connection)
        await status.get_by_role("button", name="Jetzt senden").click()
        await status.get_by_text("1 gespeicherte Meldung wurde gesendet.").wait_for()
        assert await page.evaluate(ENTRIES) == []
        assert len(await _care_logs_with_note(service.url, note)) == 1
    finally:
        await playwright.stop()


async def test_a_kept_report_the_server_refuses_comes_back_into_the_form(browsing):
    """Sent later, a report may be refused (here: more metres than the section has): the farmer reads
    the German reason and gets everything he typed back into the form, to correct and send."""
    service = browsing.service
    service.set_now(datetime(SEASON, 9, 27, 9, 0, tzinfo=BERLIN))
    page = await browsing.page(FARMER)
    await page.set_viewport_size(PHONE)
    await page.goto("/care")
    report = page.locator("form[action='/care/report']")
    note = f"Zu lang {uuid.uuid4().hex[:6]}"
    option = page.locator("#section_id option", has_text="Feldweg Am Rasdorfer Berg")
    section_id = await option.get_attribute("value")
    await page.select_option("#section_id", value=section_id)
    await page.fill("#quantity", "99999")
    await page.fill("#note", note)
    await page.context.set_offline(True)
    await _poll(page, "navigator.onLine", False)
    await report.get_by_role("button", name="Meldung absenden").click()
    status = page.locator("[data-outbox-status]")
    await status.get_by_text("1 Meldung wartet auf das Senden.").wait_for()
    assert await page.input_value("#note") == ""

    await page.context.set_offline(False)
    refused = status.get_by_text(re.compile(r"Eine gespeicherte Meldung wurde nicht angenommen: Höchstens \d+ m je"))
    await refused.wait_for()
    assert [e["state"] for e in await page.evaluate(ENTRIES)] == ["refused"]  # kept until the farmer decides
    await status.get_by_role("button", name="Im Formular öffnen").click()
    assert await page.input_value("#note") == note and await page.input_value("#quantity") == "99999"
    assert await page.input_value("#section_id") == section_id
    await _poll(page, ENTRIES, [])  # the outbox lets go of it (IndexedDB: asynchronously)
    await page.fill("#quantity", "1000")
    async with page.expect_navigation(url=re.compile(r"/care\?reported=1$")):
        await report.get_by_role("button", name="Meldung absenden").click()
    logs = await _care_logs_with_note(service.url, note)
    assert len(logs) == 1 and float(logs[0]["quantity"]) == 1000.0


async def _api(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    r = await http.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_a_machine_return_made_offline_is_sent_once_when_online(browsing):
    """The return at the machine, with no signal: kept with its signature, not offered a second time,
    recorded once when the phone is online again."""
    from tests.browser.test_machine_phone import _sign

    service = browsing.service
    service.set_now(datetime(SEASON, 10, 6, 7, 45, tzinfo=BERLIN))
    start = datetime(SEASON, 10, 6, 8, 0, tzinfo=BERLIN)
    async with httpx.AsyncClient(base_url=service.url) as http:
        farmer, yard = await _api(http, FARMER), await _api(http, YARD_HEAD)
        items = (await http.get("/api/v1/items", params={"limit": 1000}, headers=farmer)).json()
        item = next(i for i in items if i["name"] == "Traktor 120 PS mit Mulcher")
        r = await http.post("/api/v1/bookings", headers=farmer, json={
            "item_id": item["id"], "start": start.isoformat(), "end": start.replace(hour=12).isoformat(),
            "with_operator": False})
        assert r.status_code == 201, r.text
        booking_id = r.json()["id"]
        assert (await http.post(f"/api/v1/bookings/{booking_id}/approve", headers=yard)).status_code == 200
        r = await http.post(f"/api/v1/bookings/{booking_id}/checkout", headers=farmer,
                            json={"meter": 4000, "fuel_percent": 90, "condition": "ok"})
        assert r.status_code == 201, r.text

    service.set_now(datetime(SEASON, 10, 6, 12, 5, tzinfo=BERLIN))
    page = await browsing.page(FARMER)
    await page.set_viewport_size(PHONE)
    await page.goto(f"/machine/bookings/{booking_id}")
    form = page.locator(f"form[action='/machine/bookings/{booking_id}/checkin']")
    await form.wait_for()
    await page.fill("#meter", "4003,5")
    await page.fill("#fuel_percent", "60")
    await page.fill("#remarks", "Ohne Netz zurückgegeben")
    await _sign(page)

    await page.context.set_offline(True)
    await _poll(page, "navigator.onLine", False)
    await form.get_by_role("button", name="Rückgabe bestätigen").click()
    status = page.locator("[data-outbox-status]")
    await status.get_by_text("Gespeichert – wird gesendet, sobald Sie wieder online sind.").wait_for()
    await status.get_by_text("1 Meldung wartet auf das Senden.").wait_for()
    assert await form.is_hidden()  # the return waits: it is not offered again
    entries = await page.evaluate(ENTRIES)
    assert len(entries) == 1 and entries[0]["url"].endswith(f"/machine/bookings/{booking_id}/checkin")
    assert any(f.startswith("signature=data:image/png;base64,") for f in entries[0]["fields"])

    await page.context.set_offline(False)
    await status.get_by_text("1 gespeicherte Meldung wurde gesendet.").wait_for()
    async with httpx.AsyncClient(base_url=service.url) as http:
        farmer = await _api(http, FARMER)
        # The return is recorded: a second one (without the key) is refused as the second it would be.
        again = await http.post(f"/api/v1/bookings/{booking_id}/checkin", headers=farmer,
                                json={"meter": 4003.5, "fuel_percent": 60, "condition": "ok"})
        assert again.status_code == 409, again.text
    await page.goto(f"/machine/bookings/{booking_id}")
    await page.locator("#return").get_by_text("Ohne Netz zurückgegeben").wait_for()
    assert await page.locator(f"form[action='/machine/bookings/{booking_id}/checkin']").count() == 0
