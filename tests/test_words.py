"""No English and no internal word on a German page: every page of every role's menu, one page of each
kind linked from there (details, edit forms, histories), the profile and the accessibility statement,
rendered with the ``world`` and a few bookings, care reports and a settled month, and the pages a refused
form answers with (each kind of form of each role, sent with what a user gets wrong); the visible text (tags,
scripts, styles and attributes stripped) must hold none of ``FORBIDDEN`` and no ISO month ("2026-11")."""

from __future__ import annotations

import html
import re
from datetime import date
from functools import cache

import pytest
from sqlalchemy import select

from machinery_network.bookings.models import Booking
from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.i18n import catalogue
from machinery_network.ledger.models import LedgerEntry
from machinery_network.settlement import service as settlement
from machinery_network.web.nav import menu
from tests.test_start_page import NOW, scene  # noqa: F401  (NOW: the frozen clock's time)
from tests.web_helpers import login, post_form

HTML = {"accept": "text/html"}
pytestmark = pytest.mark.usefixtures("frozen")

FORBIDDEN = ("catch-up", "system", "web", "Invalid", "invalid", "optional", "Request", "Error", "None", "null",
             "True", "False", "taken", "competing", "requested", "approved", "scheduler", "api", "cli", "Dashboard",
             "Settings", "hour", "metre", "piece", "completed", "cancelled", "rejected", "confirmed", "reported",
             "waiting", "offered", "expired", "status")
"""Whole words (case as written) that must not appear in the visible German text."""
GERMAN = {"null": re.compile(r"als null\b")}
"""Where a forbidden word is German: "größer als null" (the numeral, not an empty value)."""

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
            if word in GERMAN and GERMAN[word].match(text, max(0, match.start() - 4)):
                continue
            found.append(f"{path}: {word!r} in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    for match in ISO_MONTH.finditer(text):
        found.append(f"{path}: ISO month in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    for match in MESSAGE_KEY.finditer(text):
        if match.group(1).split(".")[0] in namespaces():
            found.append(f"{path}: message key {match.group(1)!r} in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    return found


MESSAGE_KEY = re.compile(r"(?<![\w@.-])([a-z_]+(?:\.[a-z0-9_]+)+)(?![\w@.-])")
"""A word like "status.waiting": a message key shown instead of its text (a key missing in the catalogue)."""


@cache
def namespaces() -> frozenset[str]:
    return frozenset(key.split(".")[0] for key in catalogue())


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
    world.extra["scene"] = await scene(db_session, world, settings, frozen)
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
    assert problems_of("/x", "<p>Muss größer als null sein.</p>") == []
    assert any("message key" in p for p in problems_of("/x", "<option>status.waiting</option>"))
    assert problems_of("/x", "<p>franz.bauer@landwirt.example, Feldweg 3.</p>") == []
    assert len(problems_of("/x", "<p>Betrag: null</p>")) == 1


# --- the pages of refused forms ----------------------------------------------------------------------


async def refused_forms(db_session, world, who: str) -> list[tuple[str, dict[str, str]]]:
    """Each kind of form the role sends, filled in as a user gets it wrong (a refusal, never a change)."""
    mulcher, first, _second = world.extra["scene"]
    bookings = {b.start_at.astimezone(NOW.tzinfo).strftime("%m-%d"): b for b in await db_session.scalars(
        select(Booking).where(Booking.item_id == mulcher.id))}
    coming, due_back, done = bookings["03-20"], bookings["03-10"], bookings["02-02"]
    section = await db_session.scalar(select(Section).where(Section.name == "Feldweg Ost"))
    if who == "farmer":  # his section, so that the report is refused for what he typed
        db_session.add(Assignment(section_id=section.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
        await db_session.commit()
    log = await db_session.scalar(select(CareLog).where(CareLog.section_id == section.id))
    charge = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == done.id))
    farmer = world.farmer.id
    period = {"start_date": "2026-03-30", "start_time": "12:00", "end_date": "2026-03-30", "end_time": "08:00"}
    if who == "farmer":
        return [
            (f"/items/{mulcher.id}/bookings", period),  # the end before the start
            (f"/items/{mulcher.id}/bookings", {**period, "start_date": "2026-01-05", "end_date": "2026-01-05",
                                               "end_time": "16:00"}),  # in the past
            (f"/items/{mulcher.id}/bookings", {"start_date": "2026-03-20", "start_time": "09:00",
                                               "end_date": "2026-03-20", "end_time": "11:00"}),  # taken
            (f"/items/{mulcher.id}/bookings", {**period, "start_date": "31.02.", "expected_quantity": "viel"}),
            (f"/items/{mulcher.id}/bookings", {**period, "start_date": "2099-03-30", "end_date": "2099-03-30",
                                               "end_time": "16:00"}),  # beyond the horizon
            (f"/bookings/{done.id}/cancel", {}),  # completed: no longer cancellable
            (f"/items/{mulcher.id}/booking-series", {"start_time": "07:00", "end_time": "06:00",
                                                     "first_day": "2026-04-01", "last_day": "2026-03-01"}),
            ("/care/report", {"section_id": str(section.id), "performed_on": "2026-03-10", "quantity": "viel"}),
            ("/care/report", {"section_id": str(section.id), "performed_on": "2026-04-10", "quantity": "90000"}),
            ("/profile", {"name": "Franz Bauer", "iban": "DE00 1234 5678", "postcode": "123"}),
            ("/profile/password", {"current_password": "falsch", "new_password": "kurz", "repeat": "kurz"}),
            (f"/machine/bookings/{coming.id}/checkout", {"meter": "viel", "fuel_percent": "150"}),
        ]
    if who == "yard_north":
        return [
            (f"/manage/items/{mulcher.id}/edit", {"name": "", "kind": "machine", "unit": "hour", "rate": "abc",
                                                  "vat_percent": "5"}),
            ("/manage/items/new", {"name": "Egge\x07", "kind": "gerät", "unit": "stunde", "rate": "-1",
                                   "operator_rate": "2.400,5,5"}),
            (f"/manage/items/{mulcher.id}/blocks", {**period, "reason": "Wartung"}),  # the end before the start
            (f"/manage/items/{mulcher.id}/blocks", {"start_date": "2026-03-20", "start_time": "07:00",
                                                    "end_date": "2026-03-20", "end_time": "13:00",
                                                    "reason": "Wartung"}),  # over an approved booking
            (f"/manage/bookings/{first.id}/reject", {"reason": ""}),
            (f"/manage/bookings/{coming.id}/complete", {"quantity": "2"}),  # before its start
            (f"/manage/bookings/{due_back.id}/complete", {"quantity": "900", "operator_hours": "x"}),
            (f"/manage/accounts/{farmer}/adjustments", {"value_date": "2020-01-01", "amount": "0", "reason": ""}),
            (f"/manage/accounts/{farmer}/adjustments", {"value_date": "2027-11-01", "amount": "12,50",
                                                        "reason": "Diesel"}),
            (f"/manage/accounts/{farmer}/entries/{charge.id}/reverse", {"value_date": "2020-01-01", "reason": ""}),
            ("/manage/sections/new", {"name": "", "kind": "weg", "length_m": "-5", "task": "", "unit": "",
                                      "rate": "x", "geometry": "kaputt", "passes_spring": "oft"}),
            (f"/manage/sections/{section.id}/assign", {"farmer_q": "Niemand Unbekannt", "valid_from": "gestern"}),
            (f"/manage/care-logs/{log.id}/reject", {"reason": "x" * 2001}),
            (f"/manage/items/{mulcher.id}/contested", {"first_day": "2026-09-01", "last_day": "2026-08-01"}),
            (f"/items/{mulcher.id}/cost", {"purchase_price": "viel", "life_years": "0"}),
        ]
    if who == "finance_north":
        return [
            ("/finance/settlements", {"month": "2026-13"}),
            ("/finance/settlements", {"month": "2026-11"}),  # not ended yet
            ("/finance/mandates", {"farmer_q": "", "reference": "", "signed_on": "gestern", "iban": "DE00"}),
            ("/finance/mandates", {"farmer_id": str(farmer), "reference": "M-1", "signed_on": "2030-01-01",
                                   "iban": "DE00 1234"}),
            (f"/municipalities/{world.north.id}/settings", {"iban": "DE00 1234", "bic": "XYZ", "creditor_id": "DE00",
                                                            "datev_consultant_number": "5",
                                                            "fiscal_year_start_month": "13"}),
            (f"/manage/accounts/{farmer}/adjustments", {"value_date": "gestern", "amount": "viel", "reason": ""}),
        ]
    return [
        ("/admin/users", {"name": "", "email": "kein-name", "password": "kurz", "role": "farmer",
                          "municipality_id": "", "iban": "DE00 0000"}),
        ("/admin/users", {"name": "Neu", "email": world.farmer.user.email, "password": "lang-genug-123",
                          "role": "yard_head", "municipality_id": ""}),  # taken, and no municipality
        ("/admin/municipalities", {"name": "", "iban": "DE00", "bic": "X", "creditor_id": "DE00ZZZ"}),
        (f"/admin/users/{farmer}", {"name": "", "role": "kaiser", "municipality_id": "x", "active": "1"}),
        (f"/municipalities/{world.north.id}/settings", {"datev_client_number": "0", "datev_chart": "SKR99",
                                                        "prenotification_days": "99"}),
    ]


@pytest.mark.parametrize("who", ["farmer", "yard_north", "finance_north", "admin"])
async def test_no_english_and_no_iso_month_where_a_form_is_refused(client, db_session, settled, who):
    person = getattr(settled, who)
    await login(client, person.user.email)
    problems: list[str] = []
    for path, data in await refused_forms(db_session, settled, who):
        response = await post_form(client, path, data, headers=HTML)
        assert response.status_code in (400, 409, 413, 422), (path, response.status_code, response.text[:500])
        assert response.headers["content-type"].startswith("text/html"), path
        assert 'id="site-menu"' in response.text, path  # the whole page in the layout
        problems += problems_of(f"POST {path} {sorted(data)}", response.text)
    assert not problems, "\n".join(problems)
