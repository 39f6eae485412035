"""DSGVO Art. 15 and 20: everything the service holds about the caller, as one ZIP of JSON, CSV and files.

``profil.json`` (the account and the record of its changes), ``buchungen.json``/``.csv`` (machine bookings),
``pflegemeldungen.json``/``.csv`` with the photos in ``fotos/``, ``kontobewegungen.json``/``.csv`` (ledger
entries), ``abrechnungen.json``/``.csv`` (settlement lines), for a farmer ``kontoauszuege.pdf`` (every statement
of a settled month and municipality, each from a new page and in the outline, as each is downloaded alone:
``exports.bundle``; one document, because a PDF each took about 0.3 s for its font), ``mandate.json`` when SEPA
mandates exist, ``zugangsschluessel.json`` (bearer tokens, without the tokens), ``mitteilungen.json`` (notices)
and ``LIESMICH.txt``. CSV files are UTF-8 with BOM and ``;`` for spreadsheets in German locale.
"""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import ApiToken, Municipality, Role, User, UserChange
from machinery_network.accounts.profile import me
from machinery_network.auth import Actor
from machinery_network.bookings.models import Booking
from machinery_network.care.models import CareLog, Section
from machinery_network.care.photos import resolve_photo
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.ledger.models import LedgerEntry
from machinery_network.settlement.models import Settlement, SettlementLine

README = """Ihre Daten aus dem Maschinen- und Pflegenetzwerk (Auskunft nach Art. 15 und Art. 20 DSGVO)
Stand: {now}

profil.json                 Ihr Konto: Name, Anschrift, Telefon, IBAN, USt.-Status, Benachrichtigungen,
                            und die Änderungen daran
buchungen.json/.csv         Ihre Buchungen von Geräten und Leistungen
pflegemeldungen.json/.csv   Ihre Pflegemeldungen; die Fotos im Ordner fotos/
kontobewegungen.json/.csv   Ihre Buchungsposten (Belastungen positiv, Gutschriften negativ, in Cent)
abrechnungen.json/.csv      Ihre Zeilen der Monatsabrechnungen
kontoauszuege.pdf           Ihre Kontoauszüge (falls vorhanden): jede Monatsabrechnung einer Gemeinde ab einer
                            neuen Seite, nach Monat geordnet, im Inhaltsverzeichnis des Dokuments verzeichnet
mandate.json                Ihre SEPA-Lastschriftmandate (falls vorhanden)
zugangsschluessel.json      Ihre Zugangsschlüssel für die Schnittstelle (ohne die Schlüssel selbst)
mitteilungen.json           Ihre Mitteilungen (was Ihnen das Netzwerk mitgeteilt hat)

Beträge sind in Cent angegeben (1234 = 12,34 €). Zeiten in ISO 8601 mit Zeitzone.
"""

_SKIP = {"password_hash", "token_hash", "calendar_token", "session_epoch"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any) -> dict[str, Any]:
    """A table row as a dict of plain values, without secrets."""
    mapper = sa_inspect(type(obj))
    return {c.key: _plain(getattr(obj, c.key)) for c in mapper.column_attrs if c.key not in _SKIP}


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")


async def collect(session: AsyncSession, actor: Actor, settings: Settings) -> dict[str, bytes]:
    """The files of the export, by name."""
    user: User = await me(session, actor)
    files: dict[str, bytes] = {}
    profile = _row(user)
    profile["changes"] = [
        _row(c) for c in await session.scalars(
            select(UserChange).where(col(UserChange.user_id) == user.id).order_by(col(UserChange.id)))
    ]
    files["profil.json"] = _json(profile)

    bookings = [
        {**_row(b), "item": name, "municipality": municipality}
        for b, name, municipality in (await session.execute(
            select(Booking, col(Item.name), col(Municipality.name)).join(Item, col(Item.id) == col(Booking.item_id))
            .join(Municipality, col(Municipality.id) == col(Item.municipality_id))
            .where(col(Booking.farmer_id) == user.id).order_by(col(Booking.start_at), col(Booking.id))
        )).all()
    ]
    files["buchungen.json"], files["buchungen.csv"] = _json(bookings), _csv(bookings)

    logs: list[dict[str, Any]] = []
    for log, section, municipality in (await session.execute(
        select(CareLog, col(Section.name), col(Municipality.name))
        .join(Section, col(Section.id) == col(CareLog.section_id))
        .join(Municipality, col(Municipality.id) == col(Section.municipality_id))
        .where(col(CareLog.farmer_id) == user.id).order_by(col(CareLog.performed_on), col(CareLog.id))
    )).all():
        row = {**_row(log), "section": section, "municipality": municipality}
        row.pop("photo_path", None)
        if log.photo_path:
            try:
                path = resolve_photo(settings, log.photo_path)
                content = await asyncio.to_thread(path.read_bytes)
            except Exception:  # a photo missing on disk is listed, not fatal to the export
                row["photo"] = None
            else:
                name = f"fotos/pflegemeldung-{log.id}{path.suffix}"
                files[name] = content
                row["photo"] = name
        logs.append(row)
    files["pflegemeldungen.json"], files["pflegemeldungen.csv"] = _json(logs), _csv(logs)

    entries = [
        {**_row(e), "municipality": municipality}
        for e, municipality in (await session.execute(
            select(LedgerEntry, col(Municipality.name))
            .join(Municipality, col(Municipality.id) == col(LedgerEntry.municipality_id))
            .where(col(LedgerEntry.farmer_id) == user.id).order_by(col(LedgerEntry.value_date), col(LedgerEntry.id))
        )).all()
    ]
    files["kontobewegungen.json"], files["kontobewegungen.csv"] = _json(entries), _csv(entries)

    statements: list[dict[str, Any]] = []
    settled = (await session.execute(
        select(SettlementLine, Settlement, Municipality)
        .join(Settlement, col(Settlement.id) == col(SettlementLine.settlement_id))
        .join(Municipality, col(Municipality.id) == col(Settlement.municipality_id))
        .where(col(SettlementLine.farmer_id) == user.id, col(Settlement.frozen))
        .order_by(col(Settlement.month), col(Municipality.name), col(Municipality.id))
    )).all()
    for line, settlement, place in settled:
        statements.append({
            "month": f"{settlement.month:%Y-%m}", "municipality": place.name,
            "charges_cents": line.charges_cents, "credits_cents": line.credits_cents, "net_cents": line.net_cents,
            "entry_count": line.entry_count,
        })
    files["abrechnungen.json"], files["abrechnungen.csv"] = _json(statements), _csv(statements)
    if user.role == Role.farmer and settled:
        from machinery_network.exports.bundle import statements_pdf

        bundled = await statements_pdf(session, row_id(user), user.name, [(s, m) for _, s, m in settled])
        if bundled is not None:
            files["kontoauszuege.pdf"] = bundled

    if await session.scalar(text("SELECT to_regclass('mandates') IS NOT NULL")):
        rows = (await session.execute(
            text("SELECT * FROM mandates WHERE farmer_id = :id ORDER BY id"), {"id": user.id}
        )).mappings().all()
        if rows:
            files["mandate.json"] = _json([{k: _plain(v) for k, v in row.items()} for row in rows])

    files["zugangsschluessel.json"] = _json([
        _row(t) for t in await session.scalars(
            select(ApiToken).where(col(ApiToken.user_id) == user.id).order_by(col(ApiToken.id)))
    ])
    from machinery_network.notifications.models import Notice

    files["mitteilungen.json"] = _json([
        {"id": n.id, "kind": n.kind, "text": n.text, "link": n.link, "created_at": n.created_at,
         "read_at": n.read_at}
        for n in await session.scalars(select(Notice).where(col(Notice.user_id) == user.id).order_by(col(Notice.id)))
    ])
    files["LIESMICH.txt"] = README.format(now=clock.now().isoformat(timespec="seconds")).encode("utf-8")
    return files


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def export_zip(session: AsyncSession, actor: Actor, settings: Settings) -> tuple[bytes, str]:
    """The ZIP and its file name."""
    files = await collect(session, actor, settings)
    content = await asyncio.to_thread(functools.partial(_zip, files))
    return content, f"meine-daten-{clock.now():%Y-%m-%d}.zip"
