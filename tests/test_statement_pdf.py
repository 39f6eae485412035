"""Statement PDFs: an embedded Unicode font, every character back out, big amounts, wrapping, metadata."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.exports import pdf as pdf_module
from machinery_network.exports import sepa, service
from machinery_network.exports.data import Entry
from machinery_network.settlement import service as settlement_service
from tests.conftest import make_person
from tests.test_exports import MONTH, _charge

NAME = "Łódź Ærø „Test“ — Σωκράτης ‚ş‘ Øresund – Ĳsselmeer"


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def _statement(db_session, world, farmer, **kwargs) -> bytes:
    await settlement_service.settle(db_session, SYSTEM, MONTH, world.north.id, settings=get_settings())
    export = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "pdf", **kwargs)
    return export.content


async def test_unicode_names_and_big_amounts_print_as_themselves(db_session, world):
    farmer = await make_person(db_session, Role.farmer, NAME, iban="DE62370400440532013001")
    # 12.345.678,90 € gross at 0 %: quantity 1 × 1.234.567.890 cents.
    await _charge(db_session, farmer, world.north.id, date(2025, 10, 14), "1", 1_234_567_890, 0, "Łódź Ærø „Test“ —")
    content = await _statement(db_session, world, farmer, farmer_id=farmer.id)
    text = _text(content)
    assert "Łódź Ærø „Test“ —" in text
    for word in NAME.split():
        assert word in text, word
    assert "12.345.678,90 €" in text
    assert "14.10.2025" in text  # the date column holds a whole date
    assert "?" not in text
    # The font is embedded (TrueType font file) and subset (tagged "ABCDEF+").
    reader = PdfReader(io.BytesIO(content))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            fonts.append((str(font["/BaseFont"]), "/FontFile2" in descriptor.get_object()))
    assert fonts and all(embedded for _, embedded in fonts)
    assert all("+" in name and "DejaVu" in name for name, _ in fonts)
    assert b"/Helvetica" not in content


async def test_amounts_up_to_99_999_999_99_fit_their_column(db_session, world):
    pdf = pdf_module._new_document(world.north, type("S", (), {"id": 1, "month": MONTH,
                                                                "created_at": world.north.created_at})())
    pdf.add_page()
    for bold in ("", "B"):
        pdf.set_font(pdf_module.FONT, bold, pdf_module.TABLE_SIZE)
        widest = pdf.get_string_width(pdf_module.eur(-9_999_999_999))
        for title, width, _align in pdf_module.COLUMNS:
            if title in ("Netto", "USt-Betrag", "Brutto"):
                assert widest <= width - 2 * pdf.c_margin, (title, bold)
        for title, width, _align in pdf_module.SUMMARY_COLUMNS:
            if title in ("Belastungen", "Gutschriften", "Saldo"):
                assert widest <= width - 2 * pdf.c_margin, (title, bold)


async def test_long_texts_wrap_and_prefixes_do_not_double(db_session, world):
    farmer = await make_person(db_session, Role.farmer, "Berta Lang", iban="DE62370400440532013001")
    long_item = ("Schlepper mit Frontlader und Kehrbesen für die Reinigung der Ortsdurchfahrt nach dem "
                 "Erntedankfest einschließlich Anfahrt Rückfahrt Endwort")
    await _charge(db_session, farmer, world.north.id, date(2025, 10, 14), "1", 1000, 19, long_item)
    text = _text(await _statement(db_session, world, farmer, farmer_id=farmer.id))
    flat = " ".join(text.split())
    for word in long_item.split():
        assert word in flat, word
    assert "Endwort" in flat
    entry = Entry(id=1, farmer_id=1, value_date=date(2025, 10, 1), kind="adjustment", amount_cents=100,
                  net_cents=100, vat_cents=0, vat_percent=0, quantity=None, unit=None, rate_cents=None,
                  text="Korrektur: Korrektur: Nachberechnung", reversed_kind=None)
    assert pdf_module.entry_text(entry) == "Korrektur: Nachberechnung"


async def test_language_title_and_xmp_metadata(db_session, world):
    await _charge(db_session, world.farmer, world.north.id, date(2025, 10, 14), "1", 1000, 19, "Traktor")
    content = await _statement(db_session, world, world.farmer, farmer_id=world.farmer.id)
    reader = PdfReader(io.BytesIO(content))
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    assert reader.metadata.title.startswith("Abrechnung Oktober 2025")
    xmp = reader.xmp_metadata
    assert xmp is not None and "Abrechnung Oktober 2025" in (xmp.dc_title or {}).get("de-DE", "")
    assert b"de-DE" in content


async def test_a_statement_names_the_collection_date_of_its_settlement_day(db_session, world, monkeypatch):
    """The payment note's date follows from the day the settlement was frozen (when its farmers were told),
    not from the day of the download: the October statement read in March names October's date, and a
    re-export is byte-identical."""
    farmer = await make_person(db_session, Role.farmer, "Carla Zahl")
    await _charge(db_session, farmer, world.north.id, date(2025, 10, 14), "1", 5000, 19, "Mulcher")
    first = await _statement(db_session, world, farmer, farmer_id=farmer.id)
    settlement = await settlement_service.find_settlement(db_session, world.north.id, MONTH)
    berlin = get_settings().tz
    announced = sepa.collection_date(world.north, berlin, settlement.created_at.astimezone(berlin).date())
    assert f"bis zum {announced:%d.%m.%Y}" in " ".join(_text(first).split())
    later = clock.now() + timedelta(days=140)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert sepa.collection_date(world.north, berlin) != announced  # what the download day would give
    again = await service.export(db_session, world.finance_north.actor, MONTH, world.north.id, "pdf",
                                 farmer_id=farmer.id)
    assert again.content == first
