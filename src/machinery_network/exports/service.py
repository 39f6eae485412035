"""Finance exports of a settled month: one entry point for the API, the web pages and the CLI.

``export`` checks who asks, finds the frozen settlement and hands its rows to the module of the format
(``settlement_csv``, ``datev``, ``pdf``, ``sepa``). The only writes: a debit file marks the mandate amendments it
carried (``_amendments_told``), and DATEV hands out debtor numbers to farmers of the municipality that have none
yet (stable from then on). The rendering
of the larger formats runs in a worker thread, so a 10,000-page PDF does not stall the event loop (the
rows are plain tuples and the two ORM rows are fully loaded, so nothing touches the session there).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network._sa import row_id
from machinery_network.accounts.models import Municipality, Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import DEFAULT_TZ
from machinery_network.errors import Invalid, NotAllowed, NotFound
from machinery_network.exports import data, datev, pdf, sepa, settlement_csv
from machinery_network.i18n import month_label
from machinery_network.mandates.models import Mandate
from machinery_network.settlement.models import Settlement
from machinery_network.settlement.service import find_settlement

FORMATS = ("csv", "datev", "pdf", "sepa-debit", "sepa-credit")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "datev": "text/csv; charset=windows-1252",
    "pdf": "application/pdf",
    "sepa-debit": "application/xml",
    "sepa-credit": "application/xml",
}


@dataclass
class ExportFile:
    content: bytes
    filename: str
    media_type: str
    # SEPA only: farmers who could not be put into the file (never dropped silently).
    exceptions: list[sepa.SepaException] = field(default_factory=list)
    transactions: int | None = None
    total_cents: int | None = None


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Invalid("exports.unknown_format", field="format", format=fmt[:40], formats=", ".join(FORMATS))
    return fmt


async def export(
    session: AsyncSession,
    actor: Actor,
    month: date,
    municipality_id: int,
    fmt: str,
    *,
    farmer_id: int | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> ExportFile:
    """The file of ``fmt`` for the settlement of ``month`` (finance of that municipality, or admin).

    ``farmer_id`` (PDF only): that farmer's statement alone.
    """
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    check_format(fmt)
    if farmer_id is not None and fmt != "pdf":
        raise Invalid("exports.farmer_only_pdf", field="farmer_id")
    municipality = await get_municipality(session, municipality_id)
    month = month.replace(day=1)
    settlement = await find_settlement(session, municipality_id, month)
    if settlement is None:
        raise NotFound("settlement.not_found", month=month_label(month))
    stem = f"abrechnung-{month:%Y-%m}-gemeinde-{municipality_id}"
    settlement_id = row_id(settlement)

    if fmt == "csv":
        lines = await data.load_lines(session, settlement_id)
        return ExportFile(settlement_csv.render(municipality, settlement, lines), f"{stem}.csv", MEDIA_TYPES[fmt])
    if fmt == "datev":
        entries = await data.load_entries(session, settlement_id)
        debtors = await datev.debtor_accounts(session, municipality, (e.farmer_id for e in entries))
        names = {line.farmer_id: line.name for line in await data.load_lines(session, settlement_id)}
        content = await asyncio.to_thread(datev.render, municipality, settlement, entries, debtors, names, tz)
        return ExportFile(content, f"EXTF_Buchungsstapel_{month:%Y-%m}_gemeinde-{municipality_id}.csv",
                          MEDIA_TYPES[fmt])
    if fmt == "pdf":
        return await _pdf(session, municipality, settlement, stem, tz, farmer_id)
    kind = "debit" if fmt == "sepa-debit" else "credit"
    lines = await data.load_lines(session, settlement_id)
    result = await asyncio.to_thread(sepa.render, municipality, settlement, lines, kind, tz)
    if kind == "debit":
        await _amendments_told(session, settlement, lines)
    suffix = "lastschrift-pain008" if kind == "debit" else "ueberweisung-pain001"
    return ExportFile(result.content, f"{stem}-{suffix}.xml", MEDIA_TYPES[fmt], exceptions=result.exceptions,
                      transactions=result.transactions, total_cents=result.total_cents)


async def _amendments_told(session: AsyncSession, settlement: Settlement, lines: list[data.Line]) -> None:
    """The file carries the amendments of changed debtor accounts: later settlements' files need not
    (a re-export of this settlement carries them again)."""
    told = [line.mandate_id for line in lines if line.mandate_id and sepa.carries_amendment(line, settlement)
            and line.mandate_amendment_settlement_id is None]
    if told:
        await session.execute(
            update(Mandate).where(col(Mandate.id).in_(told), col(Mandate.amendment_settlement_id).is_(None))
            .values(amendment_settlement_id=settlement.id)
        )


async def _pdf(session: AsyncSession, municipality: Municipality, settlement: Settlement, stem: str, tz: ZoneInfo,
               farmer_id: int | None) -> ExportFile:
    lines = await data.load_lines(session, row_id(settlement), farmer_id)
    if farmer_id is not None and not lines:
        raise NotFound("exports.farmer_not_settled", farmer_id=farmer_id, month=month_label(settlement.month))
    entries = await data.load_entries(session, row_id(settlement), farmer_id)
    content = await asyncio.to_thread(
        functools.partial(pdf.render, municipality, settlement, lines, entries, tz, summary=farmer_id is None)
    )
    filename = f"{stem}-landwirt-{farmer_id}.pdf" if farmer_id is not None else f"{stem}.pdf"
    return ExportFile(content, filename, MEDIA_TYPES["pdf"])


async def statement(session: AsyncSession, actor: Actor, month: date, municipality_id: int,
                    farmer_id: int | None = None, *, tz: ZoneInfo = DEFAULT_TZ) -> ExportFile:
    """A farmer's own statement PDF (a farmer may only ask for himself; finance/admin as ``export``)."""
    if actor.role == Role.farmer:
        if farmer_id is not None and farmer_id != actor.id:
            raise NotAllowed()
        municipality = await get_municipality(session, municipality_id)
        month = month.replace(day=1)
        settlement = await find_settlement(session, municipality_id, month)
        if settlement is None:
            raise NotFound("settlement.not_found", month=month_label(month))
        stem = f"abrechnung-{month:%Y-%m}-gemeinde-{municipality_id}"
        return await _pdf(session, municipality, settlement, stem, tz, actor.id)
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    if farmer_id is None:
        raise Invalid("field.required", field="farmer_id")
    return await export(session, actor, month, municipality_id, "pdf", farmer_id=farmer_id, tz=tz)


async def sepa_exceptions(session: AsyncSession, actor: Actor, month: date, municipality_id: int,
                          fmt: str) -> list[sepa.SepaException]:
    """Who cannot go into the SEPA file of ``fmt`` (for the finance page's exception listing)."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    if check_format(fmt) not in ("sepa-debit", "sepa-credit"):
        raise Invalid("exports.unknown_format", field="format", format=fmt, formats="sepa-debit, sepa-credit")
    await get_municipality(session, municipality_id)
    settlement = await find_settlement(session, municipality_id, month.replace(day=1))
    if settlement is None:
        raise NotFound("settlement.not_found", month=month_label(month))
    lines = await data.load_lines(session, row_id(settlement))
    return sepa.partition(lines, "debit" if fmt == "sepa-debit" else "credit")[1]
