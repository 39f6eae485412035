"""PDF statements with fpdf2 (pure Python, no system libraries).

``render`` writes one document: optionally the month's summary (every farmer's charges, credits and
balance with the totals), then one statement per farmer starting on a new page: the municipality's
letterhead, the farmer's address, the period, each entry (date, text, quantity, rate, net, VAT, gross),
the totals and how the balance is paid.

The core fonts are Latin-1 (fine for German); "€" is written as "EUR" and characters outside Latin-1 as
"?". The document's creation date is the settlement's, so a re-export is byte-identical.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from fpdf import FPDF

from machinery_network.accounts.models import Municipality
from machinery_network.exports.data import Entry, Line
from machinery_network.exports.sepa import due_date, missing_bank_details
from machinery_network.money import format_decimal_de, format_eur
from machinery_network.settlement.models import Settlement

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]
UNITS = {"hour": "Std.", "day": "Tag", "hectare": "ha", "km": "km", "flat": "pauschal", "metre": "m"}
KINDS = {"charge": "Belastung", "credit": "Gutschrift", "reversal": "Storno", "adjustment": "Korrektur"}

# Statement table: (title, width mm, align)
COLUMNS = [("Datum", 18, "L"), ("Text", 56, "L"), ("Menge", 16, "R"), ("Satz", 18, "R"), ("Netto", 20, "R"),
           ("USt", 12, "R"), ("USt-Betrag", 20, "R"), ("Brutto", 20, "R")]
SUMMARY_COLUMNS = [("Nr.", 14, "R"), ("Landwirt", 62, "L"), ("Belastungen", 25, "R"),
                   ("Gutschriften", 25, "R"), ("Saldo", 25, "R"), ("Zahlweg", 35, "L")]


def latin1(text: str) -> str:
    return text.replace("€", "EUR").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")


def eur(cents: int) -> str:
    return format_eur(cents, symbol=True).replace("\u00a0", " ").replace("€", "EUR")


def iban_groups(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def month_label(month: date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, latin1(self.footer_text) + f" - Seite {self.page_no()}", align="C")


def _new_document(municipality: Municipality, settlement: Settlement) -> _Document:
    pdf = _Document(format="A4", unit="mm")
    pdf.footer_text = f"{municipality.name} - Abrechnung Nr. {settlement.id} ({month_label(settlement.month)})"
    pdf.set_creation_date(settlement.created_at)
    pdf.set_title(latin1(f"Abrechnung {month_label(settlement.month)} - {municipality.name}"))
    pdf.set_author(latin1(municipality.name))
    pdf.set_creator("machinery-network")
    pdf.set_producer("machinery-network")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(15, 15, 15)
    return pdf


def _letterhead(pdf: FPDF, municipality: Municipality) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, latin1(municipality.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    for part in (municipality.address or "").splitlines():
        if part.strip():
            pdf.cell(0, 4, latin1(part.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _row(pdf: FPDF, columns, values: Iterable[str], *, bold: bool = False, height: float = 5) -> None:
    """One table row. ``text`` at computed positions instead of ``cell``: with 10,000 statements the
    cell machinery (line breaking, styled fragments) took most of the time."""
    if pdf.will_page_break(height):
        pdf.add_page()
    if bold:
        pdf.set_font("Helvetica", "B", 8)
    x = pdf.l_margin
    baseline = pdf.y + 0.5 * height + 0.3 * pdf.font_size
    for (_, width, align), value in zip(columns, values, strict=True):
        if value:
            if align == "R":
                pdf.text(x + width - pdf.c_margin - pdf.get_string_width(value), baseline, value)
            else:
                pdf.text(x + pdf.c_margin, baseline, value)
        x += width
    pdf.ln(height)
    if bold:
        pdf.set_font("Helvetica", size=8)


def _paragraph(pdf: FPDF, text: str, *, width: int = 120, height: float = 5) -> None:
    """Wrapped text without ``multi_cell``'s per-character line breaking (same reason as ``_row``)."""
    for part in textwrap.wrap(latin1(text), width):
        pdf.cell(0, height, part, new_x="LMARGIN", new_y="NEXT")


def _payment_way(line: Line, municipality: Municipality) -> str:
    if line.net_cents > 0:
        return "SEPA-Lastschrift" if line.iban and line.mandate_reference else "Überweisung an Gemeinde"
    if line.net_cents < 0:
        return "Überweisung" if line.iban else "keine IBAN"
    return "-"


def payment_note(line: Line, municipality: Municipality, settlement: Settlement, tz: ZoneInfo) -> str:
    due = f"{due_date(settlement, tz):%d.%m.%Y}"
    amount = eur(abs(line.net_cents))
    if line.net_cents > 0:
        if line.iban and line.mandate_reference and not missing_bank_details(municipality):
            return (f"Der Betrag von {amount} wird am {due} per SEPA-Lastschrift von Ihrem Konto "
                    f"{iban_groups(line.iban)} eingezogen (Mandat {line.mandate_reference}, "
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


def _summary(pdf: _Document, municipality: Municipality, settlement: Settlement, lines: list[Line]) -> None:
    pdf.add_page()
    _letterhead(pdf, municipality)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin1(f"Monatsabrechnung {month_label(settlement.month)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, latin1(
        f"Abrechnung Nr. {settlement.id}, Zeitraum bis {settlement.cutoff:%d.%m.%Y}, "
        f"{settlement.farmer_count} Landwirte, {settlement.entry_count} Buchungen"
    ), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _row(pdf, SUMMARY_COLUMNS, [title for title, _, _ in SUMMARY_COLUMNS], bold=True)
    for line in lines:
        _row(pdf, SUMMARY_COLUMNS, [
            str(line.farmer_id), latin1(line.name[:40]), eur(line.charges_cents), eur(line.credits_cents),
            eur(line.net_cents), latin1(_payment_way(line, municipality)),
        ])
    _row(pdf, SUMMARY_COLUMNS, [
        "", "Summe", eur(settlement.total_charges_cents), eur(settlement.total_credits_cents),
        eur(settlement.total_net_cents), "",
    ], bold=True)


def _statement(pdf: _Document, municipality: Municipality, settlement: Settlement, line: Line,
               entries: list[Entry], tz: ZoneInfo) -> None:
    pdf.add_page()
    _letterhead(pdf, municipality)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, latin1(line.name), new_x="LMARGIN", new_y="NEXT")
    for part in (line.address or "").splitlines():
        if part.strip():
            pdf.cell(0, 5, latin1(part.strip()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, latin1(f"Abrechnung {month_label(settlement.month)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    # Entries of earlier months that were posted late are settled now (contract); say so.
    late = " (mit zuvor nicht abgerechneten Buchungen)" if any(e.value_date < settlement.month for e in entries) else ""
    pdf.cell(0, 5, latin1(
        f"Zeitraum: {settlement.month:%d.%m.%Y} bis {settlement.cutoff:%d.%m.%Y}{late} - "
        f"Abrechnung Nr. {settlement.id} - Landwirt-Nr. {line.farmer_id}"
    ), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _row(pdf, COLUMNS, [title for title, _, _ in COLUMNS], bold=True)
    net = vat = 0
    for entry in entries:
        quantity = ""
        if entry.quantity is not None:
            quantity = f"{format_decimal_de(entry.quantity)} {UNITS.get(entry.unit or '', entry.unit or '')}".strip()
        _row(pdf, COLUMNS, [
            f"{entry.value_date:%d.%m.%Y}",
            latin1(f"{KINDS.get(entry.kind, entry.kind)}: {entry.text}"[:42]),
            latin1(quantity),
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
    pdf.cell(0, 5, latin1(f"Belastungen: {eur(line.charges_cents)}   Gutschriften: {eur(line.credits_cents)}   "
                          f"Saldo: {eur(line.net_cents)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _paragraph(pdf, payment_note(line, municipality, settlement, tz))


def render(municipality: Municipality, settlement: Settlement, lines: list[Line], entries: list[Entry],
           tz: ZoneInfo, *, summary: bool = True) -> bytes:
    pdf = _new_document(municipality, settlement)
    if summary:
        _summary(pdf, municipality, settlement, lines)
    by_farmer = {farmer_id: list(group) for farmer_id, group in groupby(entries, key=lambda e: e.farmer_id)}
    for line in lines:
        _statement(pdf, municipality, settlement, line, by_farmer.get(line.farmer_id, []), tz)
    return bytes(pdf.output())
