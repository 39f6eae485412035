"""No English and no internal word on a German page: every page of every role's menu, one page of each
kind linked from there (details, edit forms, histories), the profile and the accessibility statement,
rendered with the ``world`` and a few bookings, care reports and a settled month; the visible text (tags,
scripts, styles and attributes stripped) must hold none of ``FORBIDDEN`` and no ISO month ("2026-11")."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from machinery_network.settlement import service as settlement
from machinery_network.web.nav import menu
from tests.test_start_page import NOW, scene  # noqa: F401  (NOW: the frozen clock's time)
from tests.web_helpers import login

HTML = {"accept": "text/html"}
pytestmark = pytest.mark.usefixtures("frozen")

FORBIDDEN = ("catch-up", "system", "web", "Invalid", "invalid", "optional", "Request", "Error", "None", "null",
             "True", "False", "taken", "competing", "requested", "approved", "scheduler", "api", "cli", "Dashboard",
             "Settings", "hour", "metre", "piece")
"""Whole words (case as written) that must not appear in the visible German text."""

ISO_MONTH = re.compile(r"(?<![\d-])\d{4}-(0[1-9]|1[0-2])(?![\d])")
EXTRA = ["/profile", "/profile/password", "/profile/tokens", "/barrierefreiheit", "/notices"]
LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
SKIP = re.compile(r"\.(csv|pdf|ics|zip|png|jpg|gpx|json|xml)(\?|$)|/export|/photo|/signature|download|/logout|/scan")
SUB_PREFIXES = ("/items/", "/manage/", "/finance/", "/admin/", "/municipalities/", "/machine/", "/account",
                "/bookings/", "/care", "/dashboard")


def visible_text(page: str) -> str:
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]*>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def problems_of(path: str, page: str) -> list[str]:
    text = visible_text(page)
    found = []
    for word in FORBIDDEN:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            found.append(f"{path}: {word!r} in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    for match in ISO_MONTH.finditer(text):
        found.append(f"{path}: ISO month in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    return found


async def walk(client, role: str) -> list[str]:
    problems: list[str] = []
    pages = [entry.href for entry in menu(role)]
    seen_kinds: set[str] = set()
    queue = list(pages)
    for path in pages:
        r = await client.get(path, headers=HTML)
        assert r.status_code == 200, (role, path, r.status_code)
        problems += problems_of(path, r.text)
        for href in LINK.findall(r.text):
            href = html.unescape(href)
            kind = re.sub(r"\d+", "N", href.split("?")[0])
            if (SKIP.search(href) or not href.startswith(SUB_PREFIXES) or kind in seen_kinds
                    or href in queue or href.split("?")[0] in pages):
                continue
            seen_kinds.add(kind)
            queue.append(href)
    for path in [*queue[len(pages):], *EXTRA]:
        r = await client.get(path, headers=HTML)
        assert r.status_code == 200, (role, path, r.status_code)
        if r.headers.get("content-type", "").startswith("text/html"):  # not a statement's PDF
            problems += problems_of(path, r.text)
    return problems


@pytest.fixture
async def settled(db_session, world, settings, frozen):
    """The scene, with February settled (a month on the settlement pages)."""
    await scene(db_session, world, settings, frozen)
    await settlement.settle(db_session, world.finance_north.actor, date(2026, 2, 1), world.north.id,
                            settings=settings)
    await db_session.commit()
    return world


@pytest.mark.parametrize("who", ["farmer", "yard_north", "finance_north", "admin"])
async def test_no_english_and_no_iso_month_on_any_page(client, settled, who):
    person = getattr(settled, who)
    await login(client, person.user.email)
    problems = await walk(client, person.user.role)
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_it_must():
    page = ('<p title="Invalid">Der Monat 2026-11 wurde von <b>system</b> abgerechnet</p>'
            '<script>var Error = null;</script><input value="2026-11">')
    found = problems_of("/x", page)
    assert len(found) == 2 and "'system'" in found[0] and "ISO month" in found[1]
    assert problems_of("/x", "<p>Am 11.03.2026 um 10:00, IBAN DE89 3704 0044 0532 0130 00</p>") == []
