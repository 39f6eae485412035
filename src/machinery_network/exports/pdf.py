"""PDF statements with fpdf2 (pure Python, no system libraries).

``render`` writes one document: optionally the month's summary (every farmer's charges, credits and
balance with the totals), then one statement per farmer starting on a new page: the municipality's
letterhead, the farmer's address, the period, each entry (date, text, quantity, rate, net, VAT, gross),
the totals and how the balance is paid (for a debit, the pre-notification: date, amount, mandate).
``new_document`` and ``statement`` also make the one document of all a farmer's statements (``bundle``).

Text is set by ``typeset`` (DejaVu Sans, embedded as the subset of glyphs used).
Long texts wrap inside their column; an amount that is wider than its column (beyond 99,999,999.99 €)
is set smaller instead of overlapping the next. The document says it is German (``de-DE``) and carries
title, author and XMP metadata. The creation date is the settlement's, so a re-export is byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from machinery_network.accounts.models import Municipality
from machinery_network.exports.data import Entry, Line
from machinery_network.exports.sepa import announced_collection_date, missing_bank_details
from machinery_network.exports.typeset import FONT, Document, add_unicode_font, wrap
from machinery_network.money import format_decimal_de, format_eur
from machinery_network.settlement.models import Settlement

TABLE_SIZE = 7.0
LINE_HEIGHT = 3.6

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]
UNITS = {"hour": "Std.", "day": "Tag", "hectare": "ha", "km": "km", "flat": "pauschal", "metre": "m"}
KINDS = {"charge": "Belastung", "credit": "Gutschrift", "reversal": "Storno", "adjustment": "Korrektur"}

Column = tuple[str, float, str]  # (title, width mm, align)
# Statement table (180 mm between the margins): the amount columns fit -99.999.999,99 € in bold.
COLUMNS: list[Column] = [("Datum", 18, "L"), ("Text", 41, "L"), ("Menge", 14, "R"), ("Satz", 19, "R"),
                         ("Netto", 26, "R"), ("USt", 10, "R"), ("USt-Betrag", 26, "R"), ("Brutto", 26, "R")]
SUMMARY_COLUMNS: list[Column] = [("Nr.", 12, "R"), ("Landwirt", 50, "L"), ("Belastungen", 27, "R"),
                                 ("Gutschriften", 27, "R"), ("Saldo", 27, "R"), ("Zahlweg", 37, "L")]


def eur(cents: int) -> str:
    return format_eur(cents, symbol=True).replace("\u00a0", " ")


def iban_groups(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def month_label(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def entry_text(entry: Entry) -> str:
    """"Kind: text", without doubling a prefix the text already has ("Korrektur: Korrektur: …")."""
    label = KINDS.get(entry.kind, entry.kind)
    body = entry.text.strip()
    while body.casefold().startswith(f"{label.casefold()}:"):
        body = body[len(label) + 1:].lstrip()
    return f"{label}: {body}" if body else label


def xmp_metadata(title: str, author: str, created: str) -> str:
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="de-DE">{escape(title)}</rdf:li></rdf:Alt></dc:title>'
        f'<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>'
        '<dc:language><rdf:Bag><rdf:li>de-DE</rdf:li></rdf:Bag></dc:language>'
        '<dc:format>application/pdf</dc:format>'
        f'<xmp:CreateDate>{created}</xmp:CreateDate>'
        '<xmp:CreatorTool>machinery-network</xmp:CreatorTool>'
        '<pdf:Producer>machinery-network</pdf:Producer>'
        '</rdf:Description></rdf:RDF>'
    )


def footer_text(municipality: Municipality, settlement: Settlement) -> str:
    return f"{municipality.name} – Abrechnung Nr. {settlement.id} ({month_label(settlement.month)})"


def _new_document(municipality: Municipality, settlement: Settlement) -> Document:
    return new_document(f"Abrechnung {month_label(settlement.month)} – {municipality.name}",
                        f"Monatsabrechnung Nr. {settlement.id}", municipality.name, settlement.created_at,
                        footer_text(municipality, settlement))


def new_document(title: str, subject: str, author: str, created: datetime, footer: str) -> Document:
    """An empty A4 document in DejaVu Sans with its metadata (``created``: a date of the data, so that
    a re-export is byte-identical)."""
    pdf = Document()
    add_unicode_font(pdf)
    pdf.footer_text = footer
    pdf.set_creation_date(created)
    pdf.set_lang("de-DE")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author(author)
    pdf.set_creator("machinery-network")
    pdf.set_producer("machinery-network")
    pdf.set_xmp_metadata(xmp_metadata(title, author, created.isoformat()))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(15, 15, 15)
    pdf.set_font(FONT, size=TABLE_SIZE)
    return pdf


def _line(pdf: Document, text: str, height: float = 5) -> None:
    """One line of running text, wrapped at the right margin (never cut)."""
    for part in wrap(pdf, text, pdf.epw):
        if pdf.will_page_break(height):
            pdf.add_page()
        if part:
            pdf.place([(pdf.l_margin, pdf.y + 0.5 * height + 0.3 * pdf.font_size, part)])
        pdf.ln(height)


def _letterhead(pdf: Document, municipality: Municipality) -> None:
    pdf.set_font(FONT, "B", 13)
    _line(pdf, municipality.name, 7)
    pdf.set_font(FONT, size=8)
    for part in (municipality.address or "").splitlines():
        if part.strip():
            _line(pdf, part.strip(), 4)
    pdf.ln(4)


def _row(pdf: Document, columns: Sequence[Column], values: Sequence[str], *, bold: bool = False) -> None:
    """One table row: left-aligned columns wrap; right-aligned ones (numbers) stay on one line and are
    set smaller when they would not fit. The row's texts are set in one text object (``Document.place``):
    with 10,000 statements fpdf2's cell machinery took most of the time."""
    style = "B" if bold else ""
    pdf.set_font(FONT, style, TABLE_SIZE)
    cells = [
        wrap(pdf, value, width - 2 * pdf.c_margin) if align == "L" else [value]
        for (_, width, align), value in zip(columns, values, strict=True)
    ]
    height = LINE_HEIGHT * max(len(lines) for lines in cells) + 1.2
    if pdf.will_page_break(height):
        pdf.add_page()
        pdf.set_font(FONT, style, TABLE_SIZE)
    x = pdf.l_margin
    top = pdf.y + 0.6 + 0.5 * LINE_HEIGHT + 0.3 * pdf.font_size
    placed: list[tuple[float, float, str]] = []
    squeezed: list[tuple[float, float, float, str]] = []  # numbers too wide for their column, set smaller
    for (_, width, align), lines in zip(columns, cells, strict=True):
        room = width - 2 * pdf.c_margin
        for number, line in enumerate(lines):
            if not line:
                continue
            baseline = top + number * LINE_HEIGHT
            if align != "R":
                placed.append((x + pdf.c_margin, baseline, line))
            elif (used := pdf.width(line)) <= room:
                placed.append((x + width - pdf.c_margin - used, baseline, line))
            else:
                squeezed.append((x + width - pdf.c_margin, room, baseline, line))
        x += width
    pdf.place(placed)
    for right, room, baseline, line in squeezed:
        size = TABLE_SIZE
        while pdf.width(line) > room and size > 4:
            size -= 0.5
            pdf.set_font(FONT, style, size)
        pdf.place([(right - pdf.width(line), baseline, line)])
    if squeezed:
        pdf.set_font(FONT, style, TABLE_SIZE)
    pdf.ln(height)
    if bold:
        pdf.set_font(FONT, size=TABLE_SIZE)


def _payment_way(line: Line, municipality: Municipality) -> str:
    if line.net_cents > 0:
        return "SEPA-Lastschrift" if line.iban and line.mandate_reference else "Überweisung an Gemeinde"
    if line.net_cents < 0:
        return "Überweisung" if line.iban else "keine IBAN"
    return "–"


def payment_note(line: Line, municipality: Municipality, settlement: Settlement, tz: ZoneInfo) -> str:
    due = f"{announced_collection_date(municipality, settlement, tz):%d.%m.%Y}"
    amount = eur(abs(line.net_cents))
    if line.net_cents > 0:
        if line.iban and line.mandate_reference and not missing_bank_details(municipality):
            return (f"Vorabankündigung: Der Betrag von {amount} wird am {due} per SEPA-Lastschrift von Ihrem "
                    f"Konto {iban_groups(line.iban)} eingezogen (Mandatsreferenz {line.mandate_reference}, "
                    f"Gläubiger-ID {municipality.creditor_id}).")
        account = f" auf das Konto {iban_groups(municipality.iban)}" if municipality.iban else ""
        return (f"Bitte überweisen Sie den Betrag von {amount} bis zum {due}{account} "
                f"(Verwendungszweck: Abrechnung {settlement.id} / {line.farmer_id}).")
    if line.net_cents < 0:
        if line.iban:
            return f"Der Betrag von {amount} wird am {due} auf Ihr Konto {iban_groups(line.iban)} überwiesen."
        return (f"Der Betrag von {amount} wird Ihnen überwiesen, sobald Sie der Gemeinde Ihre Bankverbindung "
                "(IBAN) mitgeteilt haben.")
    return "Belastungen und Gutschriften gleichen sich aus; es ist nichts zu zahlen."


def _summary(pdf: Document, municipality: Municipality, settlement: Settlement, lines: list[Line]) -> None:
    pdf.add_page()
    _letterhead(pdf, municipality)
    pdf.set_font(FONT, "B", 12)
    _line(pdf, f"Monatsabrechnung {month_label(settlement.month)}", 7)
    pdf.set_font(FONT, size=8)
    _line(pdf, f"Abrechnung Nr. {settlement.id}, Zeitraum bis {settlement.cutoff:%d.%m.%Y}, "
               f"{settlement.farmer_count} Landwirte, {settlement.entry_count} Buchungen")
    pdf.ln(3)
    _row(pdf, SUMMARY_COLUMNS, [title for title, _, _ in SUMMARY_COLUMNS], bold=True)
    for line in lines:
        _row(pdf, SUMMARY_COLUMNS, [
            str(line.farmer_id), line.name, eur(line.charges_cents), eur(line.credits_cents),
            eur(line.net_cents), _payment_way(line, municipality),
        ])
    _row(pdf, SUMMARY_COLUMNS, [
        "", "Summe", eur(settlement.total_charges_cents), eur(settlement.total_credits_cents),
        eur(settlement.total_net_cents), "",
    ], bold=True)


def statement(pdf: Document, municipality: Municipality, settlement: Settlement, line: Line,
              entries: list[Entry], tz: ZoneInfo, *, section: str | None = None) -> None:
    """One farmer's statement, from a new page (``section``: its entry in the document outline)."""
    pdf.add_page()
    if section:
        pdf.start_section(section)
    _letterhead(pdf, municipality)
    pdf.set_font(FONT, size=9)
    _line(pdf, line.name)
    for part in (line.address or "").splitlines():
        if part.strip():
            _line(pdf, part.strip())
    pdf.ln(5)
    pdf.set_font(FONT, "B", 12)
    _line(pdf, f"Abrechnung {month_label(settlement.month)}", 7)
    pdf.set_font(FONT, size=8)
    # Entries of earlier months that were posted late are settled now (contract); say so.
    late = " (mit zuvor nicht abgerechneten Buchungen)" if any(e.value_date < settlement.month for e in entries) else ""
    _line(pdf, f"Zeitraum: {settlement.month:%d.%m.%Y} bis {settlement.cutoff:%d.%m.%Y}{late} – "
               f"Abrechnung Nr. {settlement.id} – Landwirt-Nr. {line.farmer_id}")
    pdf.ln(3)
    _row(pdf, COLUMNS, [title for title, _, _ in COLUMNS], bold=True)
    net = vat = 0
    for entry in entries:
        quantity = ""
        if entry.quantity is not None:
            quantity = f"{format_decimal_de(entry.quantity)} {UNITS.get(entry.unit or '', entry.unit or '')}".strip()
        _row(pdf, COLUMNS, [
            f"{entry.value_date:%d.%m.%Y}",
            entry_text(entry),
            quantity,
            eur(entry.rate_cents) if entry.rate_cents is not None else "",
            eur(entry.net_cents),
            f"{format_decimal_de(Decimal(entry.vat_percent))} %",
            eur(entry.vat_cents),
            eur(entry.amount_cents),
        ])
        net += entry.net_cents
        vat += entry.vat_cents
    _row(pdf, COLUMNS, ["", "Summe", "", "", eur(net), "", eur(vat), eur(line.net_cents)], bold=True)
    pdf.ln(3)
    pdf.set_font(FONT, size=8)
    _line(pdf, f"Belastungen: {eur(line.charges_cents)}   Gutschriften: {eur(line.credits_cents)}   "
               f"Saldo: {eur(line.net_cents)}")
    pdf.ln(2)
    _line(pdf, payment_note(line, municipality, settlement, tz))


def render(municipality: Municipality, settlement: Settlement, lines: list[Line], entries: list[Entry],
           tz: ZoneInfo, *, summary: bool = True) -> bytes:
    pdf = _new_document(municipality, settlement)
    if summary:
        _summary(pdf, municipality, settlement, lines)
    by_farmer = {farmer_id: list(group) for farmer_id, group in groupby(entries, key=lambda e: e.farmer_id)}
    for line in lines:
        statement(pdf, municipality, settlement, line, by_farmer.get(line.farmer_id, []), tz)
    return bytes(pdf.output())
