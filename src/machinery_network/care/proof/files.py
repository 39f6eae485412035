"""The winter-service proof as files: CSV (UTF-8 with BOM, ``;``, German dates and decimal comma) and PDF
(DejaVu Sans embedded), both through ``render(proof, fmt, tz)``.

The municipality keeps it as the record that its road-safety duty (Verkehrssicherungspflicht) was met on
the sections a farmer or its building yard cleared and gritted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from machinery_network import clock
from machinery_network.care.proof.query import Gap, ProofRow, WinterProof
from machinery_network.care.seasons import de_date
from machinery_network.errors import Invalid
from machinery_network.exports.typeset import FONT, FONT_DIR
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de, format_eur

FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")

# The first 17 columns are those of the proof before duty times and hashes (spreadsheets built on them
# keep working); "Eintrag" tells passes (Einsatz), corrections (Korrektur) and gaps (Lücke) apart.
CSV_HEADER = [
    "Gemeinde", "Abschnitt", "Art", "Länge (m)", "Datum", "Landwirt", "Menge", "Einheit", "Bemerkung",
    "Gutschrift", "Bestätigt von", "Bestätigt am", "Beginn", "Ende", "Tätigkeit", "Streugut", "Streumenge (kg)",
    "Eintrag", "Nr.", "Pflicht bis", "Verweis", "SHA-256", "GPS-Abdeckung (%)", "GPS-Spur SHA-256",
    "Wetter", "Straßenzustand",
]


def filename(proof: WinterProof, ext: str) -> str:
    scope = f"-abschnitt-{proof.section.id}" if proof.section else ""
    return (
        f"winterdienst-nachweis-{proof.municipality.id}{scope}-{proof.start.isoformat()}-{proof.end.isoformat()}.{ext}"
    )


def _when(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d.%m.%Y %H:%M") if value else ""


def _reference(row: ProofRow) -> str:
    parts = []
    if row.corrects_id is not None:
        parts.append(gettext_de("care.proof.corrects", id=row.corrects_id))
    if row.corrected_by_id is not None:
        parts.append(gettext_de("care.proof.corrected_by", id=row.corrected_by_id))
    return "; ".join(parts)


def _hash_text(row: ProofRow) -> str:
    if row.hash_matches:
        return row.record_hash
    return gettext_de("care.proof.hash_differs", hash=row.record_hash, stored=row.stored_hash)


def _entries(proof: WinterProof) -> list[tuple[date, str, int, ProofRow | Gap]]:
    """Passes and gaps in one order: by day, section, passes before the day's gap."""
    entries: list[tuple[date, str, int, ProofRow | Gap]] = [
        (r.performed_on, r.section_name, 0, r) for r in proof.rows
    ]
    entries += [(g.day, g.section_name, 1, g) for g in proof.gaps]
    entries.sort(key=lambda e: (e[0], e[1], e[2], e[3].log_id if isinstance(e[3], ProofRow) else 0))
    return entries


def _rows(proof: WinterProof, tz: ZoneInfo) -> list[list[str]]:
    out = []
    for _, _, _, entry in _entries(proof):
        if isinstance(entry, Gap):
            out.append([
                proof.municipality.name, entry.section_name, "", "", de_date(entry.day), "", "", "",
                entry.text(tz), "", "", "", "", "", "", "", "",
                gettext_de("care.proof.entry_gap"), "", entry.deadline.strftime("%d.%m.%Y %H:%M"), "", "", "", "", "", "",
            ])
            continue
        row = entry
        out.append([
            proof.municipality.name,
            row.section_name,
            gettext_de(f"care.kind.{row.section_kind}"),
            str(row.length_m),
            de_date(row.performed_on),
            row.farmer_name,
            format_decimal_de(row.quantity),
            gettext_de(f"care.unit.{row.unit}"),
            (row.note or "").replace("\r", " ").replace("\n", " "),
            format_eur(row.credit_cents),
            row.confirmed_by or "",
            _when(row.confirmed_at, tz),
            _when(row.started_at, tz),
            _when(row.ended_at, tz),
            gettext_de(f"care.activity.{row.activity}") if row.activity else "",
            row.material or "",
            format_decimal_de(row.amount_kg) if row.amount_kg is not None else "",
            gettext_de("care.proof.entry_correction" if row.corrects_id else "care.proof.entry_pass"),
            str(row.log_id),
            "",
            _reference(row),
            _hash_text(row),
            format_decimal_de(row.track_covered_percent) if row.track_covered_percent is not None else "",
            row.track_sha256 or "",
            (row.weather or "").replace("\r", " ").replace("\n", " "),
            gettext_de(f"care.road.{row.road_condition}") if row.road_condition else "",
        ])
    return out


def _safe_cell(value: str) -> str:
    # Spreadsheets execute cells starting with these characters as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value.replace(".", "").replace(",", "."))
    except ValueError:
        return False
    return True


def proof_csv(proof: WinterProof, tz: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for row in _rows(proof, tz):
        writer.writerow([_safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _pass_text(row: ProofRow, tz: ZoneInfo) -> str:
    """"05:10–06:40 Räumen und Streuen, Splitt 350,5 kg" for a winter pass with details, else empty."""
    gps = ("\n" + gettext_de("care.proof.track", percent=format_decimal_de(row.track_covered_percent))
           if row.track_covered_percent is not None else "")
    if row.started_at is None or row.ended_at is None:
        return gps.strip()
    conditions = "; ".join(part for part in (
        gettext_de(f"care.road.{row.road_condition}") if row.road_condition else "", row.weather or "") if part)
    return _times_text(row, tz) + (f"\n{conditions}" if conditions else "") + gps


def _times_text(row: ProofRow, tz: ZoneInfo) -> str:
    assert row.started_at is not None and row.ended_at is not None
    text = f"{row.started_at.astimezone(tz):%H:%M}–{row.ended_at.astimezone(tz):%H:%M}"
    if row.activity:
        text += " " + gettext_de(f"care.activity.{row.activity}")
    grit = " ".join(
        part for part in (row.material or "", f"{format_decimal_de(row.amount_kg)} kg" if row.amount_kg else "") if part
    )
    return f"{text}, {grit}" if grit else text


def duty_text(proof: WinterProof) -> str:
    """The duty times the gaps were checked against (one section's, or "per section")."""
    if proof.section is None:
        return gettext_de("care.duty.per_section")
    text = gettext_de("care.duty.text", workday=proof.duty["workday_by"], holiday=proof.duty["holiday_by"])
    days = gettext_de(f"care.duty.days.{proof.duty['days']}")
    state = gettext_de("care.duty.state", state=proof.holiday_state) if proof.holiday_state else ""
    return f"{text}; {days}{state}"


class _ProofPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.cell(0, 6, f"{self.footer_text} · Seite {self.page_no()}/{{nb}}", align="C")


PDF_HEADINGS = ["Nr.", "Datum", "Abschnitt", "Landwirt", "Einsatz", "Menge", "Bemerkung", "Bestätigt", "Verweis"]
PDF_WIDTHS = (11, 18, 42, 32, 56, 16, 40, 34, 28)


def proof_pdf(proof: WinterProof, tz: ZoneInfo) -> bytes:
    pdf = _ProofPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    title = gettext_de("care.proof.title")
    pdf.footer_text = f"{proof.municipality.name} · {title}"
    pdf.set_lang("de-DE")
    pdf.set_title(title)
    pdf.set_author(proof.municipality.name)
    pdf.set_creator("machinery-network")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    lines = [proof.municipality.name]
    if proof.municipality.address:
        lines.append(proof.municipality.address)
    if proof.section is not None:
        lines.append(f"{gettext_de('care.section')}: {proof.section.name} "
                     f"({gettext_de(f'care.kind.{proof.section.kind}')}, {proof.section.length_m} m)")
    lines.append(gettext_de("care.proof.period", start=de_date(proof.start), end=de_date(proof.end)))
    lines.append(duty_text(proof))
    lines.append(gettext_de("care.proof.generated", when=clock.now().astimezone(tz).strftime("%d.%m.%Y %H:%M")))
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    if not proof.rows:
        pdf.cell(0, 6, gettext_de("care.proof.none"), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font(FONT, size=7.5)
        with pdf.table(col_widths=PDF_WIDTHS, text_align="LEFT", line_height=3.8,
                       first_row_as_headings=True) as table:
            header = table.row()
            for heading in PDF_HEADINGS:
                header.cell(heading)
            for row in proof.rows:
                cells = table.row()
                kind = gettext_de("care.proof.entry_correction") if row.corrects_id else ""
                for value in (
                    str(row.log_id),
                    de_date(row.performed_on),
                    f"{row.section_name}" + (f"\n{kind}" if kind else ""),
                    row.farmer_name,
                    _pass_text(row, tz),
                    f"{format_decimal_de(row.quantity)} {gettext_de(f'care.unit_short.{row.unit}')}",
                    row.note or "",
                    f"{row.confirmed_by or ''}\n{_when(row.confirmed_at, tz)}",
                    _reference(row),
                ):
                    cells.cell(value)
                digest = table.row()
                digest.cell(f"SHA-256: {_hash_text(row)}", colspan=len(PDF_HEADINGS))
        pdf.ln(2)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(0, 6, gettext_de("care.proof.total", count=len(proof.rows)), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 7, gettext_de("care.proof.gaps_title", count=len(proof.gaps)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    if not proof.gaps:
        pdf.cell(0, 5, gettext_de("care.proof.no_gaps"), new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(col_widths=(28, 70, 30, 149), text_align="LEFT", line_height=4,
                       first_row_as_headings=True) as table:
            header = table.row()
            for heading in ("Datum", "Abschnitt", "Pflicht bis", "Befund"):
                header.cell(heading)
            for gap in proof.gaps:
                cells = table.row()
                for value in (f"{WEEKDAYS[gap.day.weekday()]} {de_date(gap.day)}", gap.section_name,
                              gap.deadline.strftime("%H:%M"), gap.text(tz)):
                    cells.cell(value)
    pdf.ln(3)
    pdf.set_font(FONT, size=7)
    pdf.multi_cell(0, 3.5, gettext_de("care.proof.hash_note"), new_x="LMARGIN", new_y="NEXT")
    # Room for the yard head's signature: the municipality files the printout as its record.
    pdf.ln(12)
    pdf.set_font(FONT, size=9)
    pdf.cell(90, 5, "_" * 45, new_x="RIGHT", new_y="TOP")
    pdf.ln(5)
    pdf.cell(90, 5, gettext_de("care.proof.signature"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass(frozen=True)
class ProofFile:
    content: bytes
    media_type: str
    filename: str


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Invalid("care.format_unknown", field="format", format=fmt)


def render(proof: WinterProof, fmt: str, tz: ZoneInfo) -> ProofFile:
    """The proof as a file of format ``csv`` or ``pdf`` (anything else: Invalid naming ``format``)."""
    check_format(fmt)
    content = proof_csv(proof, tz) if fmt == "csv" else proof_pdf(proof, tz)
    return ProofFile(content=content, media_type=FORMATS[fmt], filename=filename(proof, fmt))
