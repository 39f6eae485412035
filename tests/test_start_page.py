"""The start page of each role (``/start``): what needs attention, from the services that own it; menu
counts for finance and admin; a farmer never sees another farmer's things there."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from machinery_network.bookings import service as bookings
from machinery_network.bookings.schemas import BookingCreate, CompleteInput
from machinery_network.care.models import CareLog, Section
from machinery_network.catalogue.models import Item
from machinery_network.money import format_eur
from tests.test_bookings import make_item
from tests.web_helpers import login

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN)  # a Wednesday
HTML = {"accept": "text/html"}
pytestmark = pytest.mark.usefixtures("frozen")


def t(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN)


def section_of(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return match.group(0)


async def ask(db_session, world, settings, frozen, item, start, end, *, farmer=None, asked_at=None):
    frozen.move(asked_at or start - timedelta(days=3))
    booking = await bookings.request(db_session, (farmer or world.farmer).actor,
                                     BookingCreate(item_id=item.id, start=start, end=end, with_operator=False),
                                     settings)
    frozen.move(NOW)
    return booking


async def scene(db_session, world, settings, frozen):
    """February's completed booking (a charge, not yet settled), a coming approved booking, two competing
    requests, a return due, a care report waiting."""
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    await db_session.execute(update(Item).where(Item.id == mulcher.id).values(name="Mulchgerät"))
    mulcher.name = "Mulchgerät"
    done = await ask(db_session, world, settings, frozen, mulcher, t(2, 2, 8), t(2, 2, 12))
    await bookings.approve(db_session, world.yard_north.actor, done.id, settings)
    frozen.move(t(2, 2, 12))
    await bookings.complete(db_session, world.yard_north.actor, done.id, CompleteInput(quantity=Decimal(4)), settings)
    frozen.move(NOW)
    coming = await ask(db_session, world, settings, frozen, mulcher, t(3, 20, 8), t(3, 20, 12), asked_at=NOW)
    await bookings.approve(db_session, world.yard_north.actor, coming.id, settings)
    due_back = await ask(db_session, world, settings, frozen, mulcher, t(3, 10, 8), t(3, 10, 12))
    await bookings.approve(db_session, world.yard_north.actor, due_back.id, settings)
    first = await ask(db_session, world, settings, frozen, mulcher, t(3, 25, 8), t(3, 25, 12),
                      asked_at=NOW - timedelta(days=5))
    second = await ask(db_session, world, settings, frozen, mulcher, t(3, 25, 10), t(3, 25, 14),
                       farmer=world.farmer2, asked_at=NOW - timedelta(days=1))
    section = Section(municipality_id=world.north.id, name="Feldweg Ost", kind="path", length_m=800,
                      task="verge_mowing", unit="metre", rate_cents=5, planned_passes={"spring": 1})
    db_session.add(section)
    await db_session.flush()
    db_session.add(CareLog(section_id=section.id, farmer_id=world.farmer2.id, performed_on=date(2026, 3, 9),
                           quantity=Decimal(800), status="reported", credit_cents=4_000))
    await db_session.commit()
    return mulcher, first, second


async def test_farmer_start_page(client, db_session, world, settings, frozen):
    mulcher, _first, _second = await scene(db_session, world, settings, frozen)
    await login(client, world.farmer.user.email)
    r = await client.get("/start", headers=HTML)
    assert r.status_code == 200
    # 4 h × 50,00 € in an open settlement: paid by debit 14 days on, a business day (Wednesday 25 March)
    assert f"Sie zahlen {format_eur(20_000, symbol=True)} am 25.03." in section_of(r.text, "start-balance")
    upcoming = section_of(r.text, "start-upcoming")
    assert "20.03.2026 08:00" in upcoming and "25.03.2026 08:00" in upcoming  # approved, and requested
    assert "10.03.2026" not in upcoming and "02.02.2026" not in upcoming  # past ones are not coming
    decisions = section_of(r.text, "start-decisions")
    assert decisions.count("<li>") == 3  # three approvals not read yet
    # the menu: Start first, the catalogue still there
    menu = re.findall(r'<a href="([^"]+)"[^>]*>', r.text.split('id="site-menu"')[1].split("</nav>")[0])
    assert menu[:2] == ["/start", "/"]


async def test_farmer_sees_no_other_farmers_things(client, db_session, world, settings, frozen):
    await scene(db_session, world, settings, frozen)
    await login(client, world.farmer2.user.email)
    r = await client.get("/start", headers=HTML)
    assert r.status_code == 200
    upcoming = section_of(r.text, "start-upcoming")
    assert "25.03.2026 10:00" in upcoming  # his own request
    assert "20.03.2026" not in upcoming and "25.03.2026 08:00" not in upcoming  # Franz Bauer's
    assert "Franz Bauer" not in r.text and "Sie zahlen" not in r.text
    assert "ausgeglichen" in section_of(r.text, "start-balance")
    assert section_of(r.text, "start-decisions").count("<li>") == 0


async def test_yard_head_start_page(client, db_session, world, settings, frozen):
    mulcher, first, second = await scene(db_session, world, settings, frozen)
    await login(client, world.yard_north.user.email)
    r = await client.get("/start", headers=HTML)
    waiting = section_of(r.text, "start-waiting")
    # oldest request first, the conflict named in words
    assert waiting.index(f"/manage/bookings/{first.id}") < waiting.index(f"/manage/bookings/{second.id}")
    assert waiting.count("Andere offene Anfragen für denselben Zeitraum.") == 2
    returns = section_of(r.text, "start-returns")
    assert "gebucht bis 10.03.2026 12:00" in returns and "20.03.2026" not in returns
    assert "Feldweg Ost" in section_of(r.text, "start-reports") and "Gerda Hof" in section_of(r.text, "start-reports")
    assert 'href="/start"' in r.text and 'aria-current="page"' in r.text.split('href="/start"')[1][:40]
    # the other municipality's yard head sees none of it
    client.cookies.clear()
    await login(client, world.yard_south.user.email)
    r = await client.get("/start", headers=HTML)
    assert mulcher.name not in r.text and "Feldweg Ost" not in r.text


async def test_finance_start_page_and_menu_count(client, db_session, world, settings, frozen):
    await scene(db_session, world, settings, frozen)
    await login(client, world.finance_north.user.email)
    r = await client.get("/start", headers=HTML)
    months = section_of(r.text, "start-months")
    assert "Februar 2026" in months and "März 2026" not in months  # March has not ended
    assert "Franz Bauer" in section_of(r.text, "start-mandates")  # a debit, an IBAN, no mandate
    assert "<li>" not in section_of(r.text, "start-exceptions")  # both farmers have an IBAN
    # the menu counts the month waiting at the settlements
    assert re.search(r'href="/finance/settlements"[^>]*>[^<]*<span[^>]*>\s*1\s*<', r.text), r.text[:3000]


async def test_admin_start_page_and_menu_count(client, db_session, world, settings, frozen):
    await login(client, world.admin.user.email)
    r = await client.get("/start", headers=HTML)
    listed = section_of(r.text, "start-municipalities")
    south = listed.split(world.south.name)[1].split("</li>")[0]
    assert "IBAN fehlt" in south and "Gläubiger-ID fehlt" in south and "DATEV-Angaben fehlen" in south
    north = listed.split(world.north.name)[1].split("</li>")[0]
    assert "IBAN fehlt" not in north and "DATEV-Angaben fehlen" in north


async def test_start_needs_login_and_a_role(client, db_session, world):
    r = await client.get("/start", headers=HTML)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    await login(client, world.farmer.user.email)
    r = await client.get("/start", headers=HTML)
    assert r.status_code == 200 and 'aria-current="page">Start' in r.text
