"""Every page of every role, on a phone (360 × 740) and a desktop (1280 × 800): the page never scrolls
sideways, and axe-core (tests/browser/vendor, WCAG 2.x A/AA and best practices) finds nothing, a form
in its error state included. Also a 320 px reflow check and the collapsed menu on the phone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import DEMO_PASSWORD, FARMER, FINANCE, YARD_HEAD, login

pytestmark = pytest.mark.browser

ADMIN = "admin@werratal.example"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
# Pages each role reaches besides its menu: the profile, the accessibility statement, an item page.
EXTRA_PAGES = ["/profile", "/profile/password", "/profile/tokens", "/barrierefreiheit"]


async def _context(browsing, viewport):
    # bypass_csp: axe is injected as a script of the test (the app's CSP allows only its own scripts).
    context = await browsing.browser.new_context(
        base_url=browsing.service.url, viewport=viewport, locale="de-DE", timezone_id="Europe/Berlin",
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    browsing.contexts.append(context)
    return await context.new_page()


async def _fits(page) -> str | None:
    width, inner = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return None if width <= inner else f"{page.url}: {width} px wide at {inner} px"


async def _axe(page) -> list[str]:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text())
    result = await page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }",
        AXE_TAGS,
    )
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['help']} at {json.dumps(v['nodes'])}" for v in result]


async def _menu(page) -> list[str]:
    return await page.eval_on_selector_all("#site-menu nav a", "links => links.map(a => a.getAttribute('href'))")


SUB_PAGE_LINKS = r"""(prefixes) => {
  const seen = new Set(); const out = [];
  for (const a of document.querySelectorAll('main a[href^="/"]')) {
    const href = a.getAttribute('href').split('#')[0];
    // files, not pages (a statement link answers its PDF: there is one once a test has settled a month)
    if (/\.(csv|pdf|ics|zip|png|jpg)$|\/export|\/photo|\/signature|download|\/statements\/\d/.test(href) || seen.has(href)) continue;
    if (!prefixes.some(p => href.startsWith(p))) continue;
    const kind = href.replace(/\d+/g, 'N').replace(/\?.*$/, '');
    if (seen.has(kind)) continue;
    seen.add(kind); seen.add(href); out.push(href);
  }
  return out;
}"""


async def _sub_pages(page, menu: list[str]) -> list[str]:
    """One page of each kind linked from the menu pages (details, edit forms, histories)."""
    found: list[str] = []
    for path in menu:
        await page.goto(path)
        for href in await page.evaluate(SUB_PAGE_LINKS, ["/items/", "/manage/", "/finance/", "/admin/",
                                                          "/municipalities/", "/machine/", "/account",
                                                          "/bookings/", "/care"]):
            if href not in found and href not in menu and href.split("?")[0] not in menu:
                found.append(href)
    return found


async def _walk(page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = await page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        await page.wait_for_load_state("networkidle")
        if (wide := await _fits(page)) is not None:
            problems.append(wide)
        problems.extend(await _axe(page))
    return problems


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("email", [FARMER, YARD_HEAD, FINANCE, ADMIN], ids=["farmer", "yard_head", "finance", "admin"])
async def test_every_page_of_the_role_fits_and_passes_axe(browsing, email, size):
    page = await _context(browsing, SIZES[size])
    await login(page, email, DEMO_PASSWORD)
    menu = await _menu(page)
    assert menu[:2] == ["/start", "/"]  # the start page, then the catalogue
    # The pages the menu pages link to: one of each kind (an item, a booking, an account, a month …).
    sub_pages = await _sub_pages(page, menu)
    assert any(href.startswith("/items/") for href in sub_pages)
    problems = await _walk(page, [*menu, *sub_pages, *EXTRA_PAGES])
    assert not problems, "\n".join(problems)


async def test_the_phone_menu_collapses_and_opens(browsing):
    page = await _context(browsing, SIZES["phone"])
    await login(page, YARD_HEAD, DEMO_PASSWORD)
    toggle = page.get_by_role("button", name="Menü")
    assert await toggle.is_visible()
    assert not await page.locator("#site-menu").is_visible()
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    await page.get_by_role("link", name="Buchungsanfragen").click()
    await page.wait_for_url("**/manage/bookings")
    current = page.locator("#site-menu a[aria-current=page]")
    assert await current.get_attribute("href") == "/manage/bookings"
    desktop = await _context(browsing, SIZES["desktop"])
    await login(desktop, YARD_HEAD, DEMO_PASSWORD)
    assert not await desktop.get_by_role("button", name="Menü").is_visible()
    assert await desktop.locator("#site-menu").is_visible()


async def test_pages_reflow_at_320_px(browsing):
    page = await _context(browsing, {"width": 320, "height": 640})
    await login(page, FARMER, DEMO_PASSWORD)
    paths = [*await _menu(page), "/profile", "/barrierefreiheit"]
    problems = []
    for path in paths:
        await page.goto(path)
        if (wide := await _fits(page)) is not None:
            problems.append(wide)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", list(SIZES))
async def test_a_refused_form_is_announced_and_passes_axe(browsing, size):
    """The booking form sent with its end before its start: the error summary at the top has the
    focus and links to the field, the field is marked invalid, the address bar shows the item page."""
    page = await _context(browsing, SIZES[size])
    await login(page, FARMER, DEMO_PASSWORD)
    await page.goto("/")
    await page.locator("main a[href^='/items/']").first.click()
    await page.locator("#booking-form").wait_for()
    item_url = page.url
    await page.fill("#start_time", "12:00")
    await page.fill("#end_time", "08:00")
    await page.locator("#booking-form button[type=submit]").click()
    summary = page.locator(".error-summary")
    await summary.wait_for()
    await page.wait_for_function("document.activeElement && document.activeElement.classList.contains('error-summary')")
    assert await page.get_attribute("#end_time", "aria-invalid") == "true"
    assert page.url == item_url
    problems = await _axe(page)
    if (wide := await _fits(page)) is not None:
        problems.append(wide)
    assert not problems, "\n".join(problems)
    # Without JavaScript's htmx the same refusal is a whole page in the layout.
    admin = await _context(browsing, SIZES[size])
    await login(admin, ADMIN, DEMO_PASSWORD)
    await admin.goto("/admin")
    await admin.fill("#u-name", "Neue Person")
    await admin.fill("#u-email", "neu@example.org")
    await admin.fill("#u-password", "lang-genug-1")
    await admin.fill("#u-iban", "DE00 0000")
    async with admin.expect_navigation():
        await admin.locator("form[action='/admin/users'] button[type=submit]").click()
    await admin.locator(".error-summary").wait_for()
    assert admin.url.endswith("/admin")
    assert await admin.get_attribute("#u-iban", "aria-invalid") == "true"
    problems = await _axe(admin)
    if (wide := await _fits(admin)) is not None:
        problems.append(wide)
    assert not problems, "\n".join(problems)


async def _refuse_item_edit(page) -> str:
    """The yard head's item form with a rate that is no amount."""
    await page.goto("/manage/items")
    await page.locator("main a[href$='/edit']").first.click()
    await page.fill("#rate", "viel")
    async with page.expect_navigation():
        await page.locator("main form.card button[type=submit]").click()
    return "#rate"


async def _refuse_mandate(page) -> str:
    """The finance office's mandate form for a farmer nobody is called."""
    await page.goto("/finance/mandates")
    await page.fill("#farmer_q", "Niemand Unbekannt")
    await page.fill("#reference", "TEST-ABGELEHNT-1")
    await page.fill("#signed_on", "2025-01-02")
    async with page.expect_navigation():
        await page.locator("#mandate-form button[type=submit]").click()
    return "#farmer_q"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(("email", "refuse"), [(YARD_HEAD, _refuse_item_edit), (FINANCE, _refuse_mandate)],
                         ids=["yard_head", "finance"])
async def test_a_refused_form_of_the_yard_head_and_the_finance_office_passes_axe(browsing, size, email, refuse):
    """The refused form's page: in the layout, its error summary focused, the field marked invalid and
    described by its message, the page no wider than the screen, axe at 0."""
    page = await _context(browsing, SIZES[size])
    await login(page, email, DEMO_PASSWORD)
    field = await refuse(page)
    await page.locator(".error-summary").wait_for()
    await page.wait_for_function("document.activeElement && document.activeElement.classList.contains('error-summary')")
    assert await page.get_attribute(field, "aria-invalid") == "true"
    described = await page.get_attribute(field, "aria-describedby")
    assert described and await page.locator(f"#{described}").inner_text()
    problems = await _axe(page)
    if (wide := await _fits(page)) is not None:
        problems.append(wide)
    assert not problems, "\n".join(problems)


async def test_the_installed_app_opens_without_a_connection(browsing):
    """The service worker keeps the app shell: offline, a page shows the German offline page, styled."""
    page = await _context(browsing, SIZES["phone"])
    await login(page, FARMER, DEMO_PASSWORD)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()  # now controlled by the worker
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    await page.context.set_offline(True)
    try:
        await page.goto("/bookings")
        await page.get_by_role("heading", name="Keine Verbindung").wait_for()
        color = await page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
        assert color == "rgb(47, 107, 59)"  # the cached stylesheet applies
    finally:
        await page.context.set_offline(False)
