"""The winter-service proof: the query of confirmed winter-service passes and its files, CSV (UTF-8 with
BOM, ``;``, German dates and decimal comma) and PDF, both through ``render(proof, fmt, tz)``.

The municipality keeps it as the record that its road-safety duty (Verkehrssicherungspflicht) was met
on the sections a farmer cleared and gritted for it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from fpdf import FPDF
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from machinery_network import clock
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.care.models import CareLog, CareLogStatus, CareTask, Section
from machinery_network.care.seasons import de_date
from machinery_network.care.sections import get_section
from machinery_network.errors import Invalid, NotFound
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de, format_eur

PROOF_MAX_DAYS = 3 * 366
FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}

@dataclass
class ProofRow:
    performed_on: date
    section_name: str
    section_kind: str
    length_m: int
    farmer_name: str
    quantity: Decimal
    unit: str
    note: str | None
    credit_cents: int
    confirmed_by: str | None
    confirmed_at: datetime | None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    activity: str | None = None
    material: str | None = None
    amount_kg: Decimal | None = None


@dataclass
class WinterProof:
    municipality: Municipality
    start: date
    end: date
    section: Section | None
    rows: list[ProofRow]


async def winter_proof(
    session: AsyncSession,
    actor: Actor,
    municipality_id: int,
    start: date,
    end: date,
    *,
    section_id: int | None = None,
) -> WinterProof:
    """Confirmed winter-service work of a municipality (or one of its sections) in [start, end]."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    municipality = await get_municipality(session, municipality_id)
    if end < start:
        raise Invalid("care.period_invalid", field="to")
    if (end - start).days > PROOF_MAX_DAYS:
        raise Invalid("care.period_too_long", field="to", days=PROOF_MAX_DAYS)
    section = None
    if section_id is not None:
        section = await get_section(session, section_id)
        if section.municipality_id != municipality_id:
            raise NotFound("care.section_not_found", id=section_id)
    farmer = aliased(User)
    decider = aliased(User)
    stmt = (
        select(CareLog, Section, farmer.name, decider.name)
        .join(Section, Section.id == CareLog.section_id)
        .join(farmer, farmer.id == CareLog.farmer_id)
        .outerjoin(decider, decider.id == CareLog.decided_by)
        .where(
            and_(
                Section.municipality_id == municipality_id,
                Section.task == CareTask.winter_service,
                CareLog.status == CareLogStatus.confirmed,
                CareLog.performed_on.between(start, end),
            )
        )
        .order_by(CareLog.performed_on, Section.name, CareLog.id)
    )
    if section_id is not None:
        stmt = stmt.where(CareLog.section_id == section_id)
    rows = [
        ProofRow(
            performed_on=log.performed_on, section_name=sec.name, section_kind=sec.kind, length_m=sec.length_m,
            farmer_name=farmer_name, quantity=log.quantity, unit=sec.unit, note=log.note,
            credit_cents=log.credit_cents, confirmed_by=decider_name, confirmed_at=log.decided_at,
            started_at=log.started_at, ended_at=log.ended_at, activity=log.activity, material=log.material,
            amount_kg=log.amount_kg,
        )
        for log, sec, farmer_name, decider_name in await session.execute(stmt)
    ]
    return WinterProof(municipality=municipality, start=start, end=end, section=section, rows=rows)


CSV_HEADER = [
    "Gemeinde", "Abschnitt", "Art", "Länge (m)", "Datum", "Landwirt", "Menge", "Einheit", "Bemerkung",
    "Gutschrift", "Bestätigt von", "Bestätigt am", "Beginn", "Ende", "Tätigkeit", "Streugut", "Streumenge (kg)",
]


def filename(proof: WinterProof, ext: str) -> str:
    scope = f"-abschnitt-{proof.section.id}" if proof.section else ""
    return (
        f"winterdienst-nachweis-{proof.municipality.id}{scope}-{proof.start.isoformat()}-{proof.end.isoformat()}.{ext}"
    )


def _when(proof_value: datetime | None, tz: ZoneInfo) -> str:
    return proof_value.astimezone(tz).strftime("%d.%m.%Y %H:%M") if proof_value else ""


def _rows(proof: WinterProof, tz: ZoneInfo) -> list[list[str]]:
    return [
        [
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
        ]
        for row in proof.rows
    ]


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


# The PDF core fonts speak Latin-1 (German umlauts and ß included); a few typographic signs are mapped.
_LATIN1_MAP = str.maketrans({"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'",
                             "€": "EUR", "…": "..."})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_MAP).encode("latin-1", "replace").decode("latin-1")


def _pass_text(row: ProofRow, tz: ZoneInfo) -> str:
    """"05:10-06:40 Räumen und Streuen, Splitt 350,5 kg" for a winter pass with details, else empty."""
    if row.started_at is None or row.ended_at is None:
        return ""
    text = f"{row.started_at.astimezone(tz):%H:%M}-{row.ended_at.astimezone(tz):%H:%M}"
    if row.activity:
        text += " " + gettext_de(f"care.activity.{row.activity}")
    grit = " ".join(
        part for part in (row.material or "", f"{format_decimal_de(row.amount_kg)} kg" if row.amount_kg else "") if part
    )
    return f"{text}, {grit}" if grit else text


class _ProofPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, _latin1(f"{self.footer_text} · Seite {self.page_no()}/{{nb}}"), align="C")


def proof_pdf(proof: WinterProof, tz: ZoneInfo) -> bytes:
    pdf = _ProofPDF(orientation="L", unit="mm", format="A4")
    pdf.footer_text = f"{proof.municipality.name} · {gettext_de('care.proof.title')}"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(gettext_de("care.proof.title")))
    pdf.set_author(_latin1(proof.municipality.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(gettext_de("care.proof.title")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    lines = [proof.municipality.name]
    if proof.municipality.address:
        lines.append(proof.municipality.address)
    if proof.section is not None:
        lines.append(f"{gettext_de('care.section')}: {proof.section.name}")
    lines.append(gettext_de("care.proof.period", start=de_date(proof.start), end=de_date(proof.end)))
    lines.append(gettext_de("care.proof.generated", when=clock.now().astimezone(tz).strftime("%d.%m.%Y %H:%M")))
    for line in lines:
        pdf.cell(0, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    if not proof.rows:
        pdf.cell(0, 6, _latin1(gettext_de("care.proof.none")), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    headings = ["Datum", "Abschnitt", "Landwirt", "Menge", "Einsatz", "Bemerkung", "Bestätigt von", "Bestätigt am"]
    widths = (21, 52, 38, 22, 40, 40, 36, 28)
    pdf.set_font("Helvetica", size=8.5)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.6, first_row_as_headings=True) as table:
        header = table.row()
        for heading in headings:
            header.cell(_latin1(heading))
        for row in proof.rows:
            cells = table.row()
            unit = gettext_de(f"care.unit_short.{row.unit}")
            for value in (
                de_date(row.performed_on),
                f"{row.section_name} ({gettext_de(f'care.kind.{row.section_kind}')}, {row.length_m} m)",
                row.farmer_name,
                f"{format_decimal_de(row.quantity)} {unit}",
                _pass_text(row, tz),
                row.note or "",
                row.confirmed_by or "",
                _when(row.confirmed_at, tz),
            ):
                cells.cell(_latin1(value))
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(gettext_de("care.proof.total", count=len(proof.rows))), new_x="LMARGIN", new_y="NEXT")
    # Room for the yard head's signature: the municipality files the printout as its record.
    pdf.ln(14)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(90, 5, "_" * 45, new_x="RIGHT", new_y="TOP")
    pdf.ln(5)
    pdf.cell(90, 5, _latin1(gettext_de("care.proof.signature")), new_x="LMARGIN", new_y="NEXT")
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
