"""Dashboards: each panel's numbers against hand-computed ones, the CSV, and who may see what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from machinery_network.bookings import service as bookings
from machinery_network.bookings.models import Block
from machinery_network.bookings.schemas import BookingCreate, CompleteInput
from machinery_network.care.models import CareLog, Section
from machinery_network.dashboards import service
from machinery_network.ledger.models import LedgerEntry
from tests.test_bookings import make_item
from tests.web_helpers import login

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN)  # a Wednesday; the week runs Mon 9 to Sun 15 March
pytestmark = pytest.mark.usefixtures("frozen")


def t(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN)


async def request(db_session, world, settings, frozen, item, start, end, *, asked_at):
    frozen.move(asked_at)
    booking = await bookings.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=start, end=end, with_operator=False), settings)
    frozen.move(NOW)
    return booking


async def completed(db_session, world, settings, frozen, item, start, end, quantity):
    booking = await request(db_session, world, settings, frozen, item, start, end, asked_at=start - timedelta(days=1))
    await bookings.approve(db_session, world.yard_north.actor, booking.id, settings)
    frozen.move(end)
    await bookings.complete(db_session, world.yard_north.actor, booking.id, CompleteInput(quantity=quantity), settings)
    frozen.move(NOW)


def panel(panels, key):
    return next(p for p in panels if p.key == key)


async def test_yard_head_dashboard_by_hand(db_session, world, settings, frozen):
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    # waiting requests asked 2 hours, 2 days, 5 days and 10 days ago
    for n, ago in enumerate((timedelta(hours=2), timedelta(days=2), timedelta(days=5), timedelta(days=10))):
        await request(db_session, world, settings, frozen, mulcher, t(4, 1 + n, 8), t(4, 1 + n, 12), asked_at=NOW - ago)
    # used 10 h in February and 4 h in March
    await completed(db_session, world, settings, frozen, mulcher, t(2, 2, 8), t(2, 2, 18), Decimal(10))
    await completed(db_session, world, settings, frozen, mulcher, t(3, 10, 8), t(3, 10, 12), Decimal(4))
    # maintenance next Monday (not this week, but due within 14 days)
    db_session.add(Block(item_id=mulcher.id, start_at=t(3, 16, 7), end_at=t(3, 16, 17), reason="UVV-Prüfung"))
    section = Section(municipality_id=world.north.id, name="Feldweg Ost", kind="path", length_m=800,
                      task="verge_mowing", unit="metre", rate_cents=5, planned_passes={"summer": 2, "autumn": 1})
    db_session.add(section)
    await db_session.flush()
    db_session.add_all([
        CareLog(section_id=section.id, farmer_id=world.farmer.id, performed_on=date(2026, 3, 2),
                quantity=Decimal(800), status="confirmed", credit_cents=4_000),
        CareLog(section_id=section.id, farmer_id=world.farmer.id, performed_on=date(2026, 3, 3),
                quantity=Decimal(800), status="reported", credit_cents=4_000),
    ])
    await db_session.flush()

    panels = await service.yard_head(db_session, world.yard_north.actor, world.north.id, settings)
    # one request in each age bucket
    assert panel(panels, "waiting").rows == [["unter 1 Tag", 1], ["1 bis 3 Tage", 1], ["3 bis 7 Tage", 1],
                                             ["über 7 Tage", 1]]
    # this week: the completed booking of Tuesday 10 March
    week = panel(panels, "week")
    assert week.rows == [[mulcher.name, "10.03.2026 08:00", "10.03.2026 12:00", "Franz Bauer"]]
    assert "<svg" in week.chart and "<rect" in week.chart
    # use: 10 h in February, 4 h in March, 14 h in 12 months (April 2025 … March 2026)
    use = panel(panels, "use")
    assert use.columns[2] == "April 2025" and use.columns[13] == "März 2026"
    (row,) = use.rows
    assert (row[0], row[1], row[12], row[13], row[14]) == (mulcher.name, "Stunde", Decimal(10), Decimal(4), Decimal(14))
    assert sum(row[2:12]) == 0
    # care: 1 confirmed pass of 3 planned (the reported one does not count yet)
    assert panel(panels, "care").rows == [["Feldweg Ost", 1, Decimal(3)]]
    # maintenance due: the UVV check
    assert panel(panels, "maintenance").rows == [[mulcher.name, "16.03.2026 07:00", "16.03.2026 17:00", "UVV-Prüfung"]]
    # every chart is an SVG with its title and its numbers as text (readable without colour)
    for p in panels:
        assert p.chart.startswith("<svg") and "<title" in p.chart
    assert ">1<" in panel(panels, "waiting").chart


def entry(world, farmer, day, cents, kind="adjustment"):
    return LedgerEntry(farmer_id=farmer.id, municipality_id=world.north.id, value_date=day, kind=kind,
                       amount_cents=cents, net_cents=cents, vat_cents=0, vat_percent=Decimal(0), text="Test",
                       reason="Test")


async def test_finance_dashboard_by_hand(db_session, world, settings):
    # Franz has no mandate with the north (none was recorded)
    world.farmer2.user.iban = None  # Gerda gave no bank account
    db_session.add_all([
        entry(world, world.farmer, date(2026, 1, 15), 10_000),
        entry(world, world.farmer, date(2026, 2, 10), 5_000),
        entry(world, world.farmer, date(2026, 3, 5), 2_000),
        entry(world, world.farmer2, date(2026, 2, 20), -3_000),
        entry(world, world.farmer2, date(2024, 1, 20), 99_900),  # before the 24 months: only in the balance
    ])
    await db_session.flush()
    panels = await service.finance(db_session, world.finance_north.actor, world.north.id, settings)
    balances = panel(panels, "balances")
    assert len(balances.rows) == 24
    assert balances.rows[0][0] == "April 2024" and balances.rows[-1][0] == "März 2026"
    # January: 100.00 charged; February: 50.00 charged, 30.00 credited, net 20.00; March: 20.00
    assert balances.rows[-3:] == [["Januar 2026", 10_000, 0, 10_000], ["Februar 2026", 5_000, 3_000, 2_000],
                                  ["März 2026", 2_000, 0, 2_000]]
    assert sum(row[3] for row in balances.rows) == 14_000
    # Franz owes 170.00 and has no mandate; Gerda's 969.00 (999.00 − 30.00) cannot be collected without an IBAN
    mandates = panel(panels, "mandates")
    assert mandates.rows == [["Franz Bauer", 17_000, "ohne Mandat"], ["Gerda Hof", 96_900, "ohne IBAN"]]
    assert "mit Mandat" in mandates.chart and "ohne IBAN" in mandates.chart
    # growing: Franz 100.00 (end of January) → 150.00 (end of February) → 170.00; Gerda's fell
    assert panel(panels, "debt").rows == [["Franz Bauer", 10_000, 15_000, 17_000]]
    assert "1.234" not in balances.chart and "170,00 €" in panel(panels, "debt").chart


async def test_council_dashboard_by_hand(db_session, world, settings, frozen):
    mulcher = await make_item(db_session, world, unit="hour", rate=5_000, vat=0)
    await completed(db_session, world, settings, frozen, mulcher, t(2, 2, 8), t(2, 2, 18), Decimal(10))
    await completed(db_session, world, settings, frozen, mulcher, t(3, 2, 8), t(3, 2, 12), Decimal(4))
    db_session.add(entry(world, world.farmer2, date(2026, 2, 20), -3_000, kind="credit"))
    section = Section(municipality_id=world.north.id, name="Graben", kind="path", length_m=500,
                      task="ditch_clearing", unit="hour", rate_cents=2_000)
    db_session.add(section)
    await db_session.flush()
    db_session.add(CareLog(section_id=section.id, farmer_id=world.farmer2.id, performed_on=date(2026, 2, 20),
                           quantity=Decimal("1.5"), status="confirmed", credit_cents=3_000))
    await db_session.flush()
    panels = await service.council(db_session, world.admin.actor, 2026, settings)
    north, south = world.north.name, world.south.name
    by_name = lambda key: {row[0]: row[1:] for row in panel(panels, key).rows}  # noqa: E731
    # 2 bookings, 14 hours lent in the north, nothing in the south
    assert by_name("lent") == {north: [2, Decimal(14)], south: [0, Decimal(0)]}
    assert by_name("care_done") == {north: [Decimal(0), Decimal("1.5")], south: [Decimal(0), Decimal(0)]}
    # charges 14 h × 50.00 = 700.00; credits 30.00; net 670.00
    assert by_name("flows") == {north: [70_000, 3_000, 67_000], south: [0, 0, 0]}
    # the mulcher has no calculation yet
    assert by_name("coverage") == {north: [0, 0, 0, 1], south: [0, 0, 0, 0]}
    # another year is empty
    other = await service.council(db_session, world.admin.actor, 2025, settings)
    assert all(row[1:] == [0, Decimal(0)] for row in panel(other, "lent").rows)


@pytest.mark.parametrize(("fn", "who"), [
    ("yard_head", "farmer"), ("yard_head", "yard_south"), ("yard_head", "finance_north"),
    ("finance", "farmer"), ("finance", "yard_north"), ("finance", "finance_south"),
])
async def test_dashboard_refusals(db_session, world, settings, fn, who):
    from machinery_network.errors import NotAllowed

    with pytest.raises(NotAllowed):
        await getattr(service, fn)(db_session, getattr(world, who).actor, world.north.id, settings)


@pytest.mark.parametrize("who", ["farmer", "yard_north", "finance_north"])
async def test_council_is_the_administrators(db_session, world, settings, who):
    from machinery_network.errors import NotAllowed

    with pytest.raises(NotAllowed):
        await service.council(db_session, getattr(world, who).actor, 2026, settings)


@pytest.mark.parametrize(("who", "title", "panels"), [
    ("yard_north", "Übersicht Bauhof", ["waiting", "week", "use", "care", "maintenance"]),
    ("finance_north", "Übersicht Kämmerei", ["balances", "mandates", "debt"]),
    ("admin", "Übersicht Netzwerk 2026", ["lent", "care_done", "flows", "coverage"]),
])
async def test_each_role_opens_its_dashboard_page_and_csv(client, world, db_session, who, title, panels):
    await login(client, getattr(world, who).user.email)
    page = await client.get("/dashboard")
    assert page.status_code == 200, page.text
    assert title in page.text
    for key in panels:
        assert f'id="panel-{key}"' in page.text
        csv = await client.get(f"/dashboard.csv?panel={key}")
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        assert ";" in csv.text.splitlines()[0]
    assert "cdn" not in page.text.lower()
    assert (await client.get("/dashboard.csv?panel=nonsense")).status_code == 404


async def test_farmer_has_no_dashboard(client, world):
    await login(client, world.farmer.user.email)
    assert (await client.get("/dashboard")).status_code == 403
    assert (await client.get("/dashboard.csv?panel=balances")).status_code == 403
    client.cookies.clear()
    response = await client.get("/dashboard", headers={"accept": "text/html"})
    assert response.status_code in (302, 303, 401)


async def test_yearly_report_pdf_for_the_administrator(client, world, db_session):
    await login(client, world.admin.user.email)
    response = await client.get("/dashboard/report.pdf?year=2026")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/Type /Page" in response.content or b"/Type/Page" in response.content
    assert 'filename="jahresbericht-2026.pdf"' in response.headers["content-disposition"]
    for who in ("yard_north", "finance_north", "farmer"):
        client.cookies.clear()
        await login(client, getattr(world, who).user.email)
        assert (await client.get("/dashboard/report.pdf?year=2026")).status_code == 403


def test_printable_svg_has_no_patterns_and_keeps_the_numbers():
    from machinery_network.dashboards import svg
    from machinery_network.dashboards.report import printable_svg

    chart = svg.bars("k", "Titel", ["Nordheim"], [svg.Series("Belastungen", [1200]), svg.Series("Gutschriften", [300])],
                     lambda v: f"{v} €")
    printed = printable_svg(chart)
    assert "url(#" not in printed and "<pattern" not in printed
    assert "1200 €" in printed and "300 €" in printed and "#333333" in printed and "#8c8c8c" in printed
    assert 'font-family="DejaVu"' in printed and "sans-serif" not in printed


async def test_yearly_report_prints_every_character_in_the_embedded_font(db_session, world, settings):
    import io

    from pypdf import PdfReader

    from machinery_network.dashboards.report import yearly_report

    world.north.name = "Łódź-Ørsted Kırşehir „Nord“"
    db_session.add(entry(world, world.farmer, date(2026, 2, 10), 1_234_567_890))
    await db_session.flush()
    content = await yearly_report(db_session, world.admin.actor, 2026, settings)
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Łódź-Ørsted Kırşehir „Nord“", "Jahresbericht 2026 – Maschinen- und Pflegenetzwerk",
                     "12.345.678,90 €", "Seite 1"):
        assert expected in text, expected
    assert "?" not in text
    # the font is embedded (a subset of DejaVu Sans), no core font is left
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in name for name in fonts), fonts
    assert b"Helvetica" not in content  # the charts' text, too
    assert reader.metadata.title == "Jahresbericht 2026 – Maschinen- und Pflegenetzwerk"
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
