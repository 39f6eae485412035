"""DATEV-Format "EXTF" version 700, category 21 (Buchungsstapel), format version 13.

Layout per the published format description (developer.datev.de, "DATEV-Format" → Header and
Buchungsstapel): record 1 is the header (31 fields), record 2 the column names (125 fields), then one
booking record per ledger entry. Fields are separated by ``;``, records end with CR LF, text fields
are quoted, numbers use a decimal comma, the encoding is Windows-1252.

Each municipality keeps its own books: header fields 11 and 12 carry its consultant (Berater) and
client (Mandant) numbers, field 13 the start of its fiscal year, field 14 its account length and field
27 its chart of accounts (SKR03 or SKR04). See ``datev_settings`` for the defaults per chart.

Bookings: ``Konto`` is the farmer's debtor account *within that municipality* (``datev_debtors``: a
stable number per farmer, handed out in order from the municipality's configured start, never derived
from the global user id). ``Gegenkonto`` is the revenue account for the VAT rate, or the expense
account for care credits (and reversals of care credits). A rate with its own account and BU key
(``datev_vat_accounts``, e.g. 10.7 %) fills ``BU-Schlüssel`` and ``Steuersatz`` as well, so DATEV
computes that rate's VAT from the gross; a rate without an account is refused (422). ``Umsatz`` is the positive gross amount with
``S`` when the farmer owes and ``H`` when he is credited, so the sum of S minus H is the settlement's
total. The revenue accounts are automatic VAT accounts, so DATEV extracts the VAT from each record's
gross; one record per ledger entry makes that equal, to the cent, the VAT that ``money.line_amounts``
computed for the line (and that the statement and CSV show) — see ``money.vat_in_gross``.
``Belegdatum`` (DDMM) is the settlement's cut-off day, ``Belegfeld 1`` the settlement id, and
``Erzeugt am`` the settlement's creation time, so a re-export is byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts import datev_settings
from machinery_network.accounts.models import Municipality
from machinery_network.errors import Invalid
from machinery_network.exports.data import Entry
from machinery_network.ledger.models import EntryKind
from machinery_network.settlement.models import Settlement
from machinery_network.text import one_line

HEADER_FIELDS = 31
COLUMNS: list[str] = [
    "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs", "Basis-Umsatz",
    "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)", "BU-Schlüssel", "Belegdatum",
    "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext", "Postensperre", "Diverse Adressnummer",
    "Geschäftspartnerbank", "Sachverhalt", "Zinssperre", "Beleglink",
    *[f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")],
    "KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge", "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)", "Abw. Versteuerungsart", "Sachverhalt L+L", "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp", "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung",
    *[name for n in range(1, 21) for name in (f"Zusatzinformation - Art {n}", f"Zusatzinformation- Inhalt {n}")],
    "Stück", "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr", "Zugeordnete Fälligkeit",
    "Skontotyp", "Auftragsnummer", "Buchungstyp", "USt-Schlüssel (Anzahlungen)", "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)", "EU-Steuersatz (Anzahlungen)", "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz", "Buchungs GUID", "KOST-Datum", "SEPA-Mandatsreferenz", "Skontosperre",
    "Gesellschaftername", "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer",
    "Postensperre bis", "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung", "Festschreibung",
    "Leistungsdatum", "Datum Zuord. Steuerperiode", "Fälligkeit", "Generalumkehr (GU)", "Steuersatz",
    "Land", "Abrechnungsreferenz", "BVV-Position", "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)", "Abw. Skontokonto",
]
assert len(COLUMNS) == 125

# 0-based positions of the fields a booking record fills.
UMSATZ, SOLL_HABEN, WKZ, KONTO, GEGENKONTO, BU_KEY, BELEGDATUM, BELEGFELD1, BUCHUNGSTEXT = 0, 1, 2, 6, 7, 8, 9, 10, 13
STEUERSATZ = COLUMNS.index("Steuersatz")
BUCHUNGSTEXT_MAX = 60

KIND_LABEL: dict[str, str] = {
    EntryKind.charge: "Maschinen/Dienste",
    EntryKind.credit: "Pflegegutschrift",
    EntryKind.reversal: "Storno",
    EntryKind.adjustment: "Korrektur",
}


def quote(value: str) -> str:
    """A DATEV text field: quoted, inner quotes doubled, no control characters."""
    return '"' + one_line(value).replace('"', '""') + '"'


def amount(cents: int) -> str:
    euros, rest = divmod(abs(cents), 100)
    return f"{euros},{rest:02d}"


# --- debtor accounts per municipality ----------------------------------------------------------

_DEBTOR_LOCK = 0x44415445  # "DATE": advisory lock class for handing out debtor numbers


async def debtor_accounts(
    session: AsyncSession, municipality: Municipality, farmer_ids: Iterable[int]
) -> dict[int, int]:
    """The farmers' debtor accounts in ``municipality``, handing out the next numbers to new ones.

    A number, once given, stays with the farmer (the tax advisor's open items hang on it). New farmers
    get consecutive numbers after the highest one given so far, starting at the municipality's
    ``datev_debtor_start``; numbers past ``datev_debtor_end`` are refused (422 with advice).
    """
    ids = sorted(set(farmer_ids))
    if not ids:
        return {}
    assert municipality.id is not None
    settings = datev_settings.effective(municipality)
    await session.execute(text("SELECT pg_advisory_xact_lock(:cls, :mid)"),
                          {"cls": _DEBTOR_LOCK, "mid": municipality.id})
    await session.execute(
        text(
            "INSERT INTO datev_debtors (municipality_id, farmer_id, number)"
            " SELECT :mid, f.id, GREATEST(:start - 1,"
            "   COALESCE((SELECT max(number) FROM datev_debtors WHERE municipality_id = :mid), 0))"
            "   + row_number() OVER (ORDER BY f.id)"
            " FROM unnest(CAST(:ids AS bigint[])) AS f(id)"
            " WHERE NOT EXISTS (SELECT 1 FROM datev_debtors d WHERE d.municipality_id = :mid AND d.farmer_id = f.id)"
        ),
        {"mid": municipality.id, "start": settings.debtor_start, "ids": ids},
    )
    rows = await session.execute(
        text("SELECT farmer_id, number FROM datev_debtors"
             " WHERE municipality_id = :mid AND farmer_id = ANY(CAST(:ids AS bigint[]))"),
        {"mid": municipality.id, "ids": ids},
    )
    accounts = {int(farmer): int(number) for farmer, number in rows}
    for number in accounts.values():
        if not settings.debtor_start <= number <= settings.debtor_end:
            raise Invalid("exports.datev_debtor_range", account=number, low=settings.debtor_start,
                          high=settings.debtor_end)
    return accounts


# --- rendering ---------------------------------------------------------------------------------


def contra_account(settings: datev_settings.DatevSettings, entry: Entry) -> datev_settings.VatAccount:
    """The expense account for care credits, else the revenue account (and BU key) of the entry's rate."""
    if entry.kind == EntryKind.credit or entry.reversed_kind == EntryKind.credit:
        return datev_settings.VatAccount(settings.expense_account)
    found = settings.revenue_for(entry.vat_percent)
    if found is None:
        rate = datev_settings.rate_key(entry.vat_percent)
        raise Invalid("exports.datev_vat_rate", field="datev_vat_accounts", rate=rate, extra={"rate": rate})
    return found


def percent(rate: Decimal) -> str:
    """A tax rate for the ``Steuersatz`` field: two decimals with a comma ("10,70")."""
    return f"{rate:.2f}".replace(".", ",")


def fiscal_year_start(month: date, start_month: int) -> date:
    """The first day of the fiscal year that contains ``month``."""
    year = month.year if month.month >= start_month else month.year - 1
    return date(year, start_month, 1)


def header(municipality: Municipality, settlement: Settlement, tz: ZoneInfo) -> list[str]:
    settings = datev_settings.effective(municipality)
    created = settlement.created_at.astimezone(tz)
    first: date = settlement.month
    fields = [
        quote("EXTF"), "700", "21", quote("Buchungsstapel"), "13",
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",  # 6 Erzeugt am
        "",  # 7 Importiert
        quote("RE"),  # 8 Herkunft
        quote("machinery-network"),  # 9 Exportiert von
        quote(""),  # 10 Importiert von
        str(settings.consultant_number),  # 11 Berater
        str(settings.client_number),  # 12 Mandant
        f"{fiscal_year_start(first, settings.fiscal_year_start_month):%Y%m%d}",  # 13 WJ-Beginn
        str(settings.account_length),  # 14 Sachkontenlänge
        f"{first:%Y%m%d}",  # 15 Datum vom
        f"{settlement.cutoff:%Y%m%d}",  # 16 Datum bis
        quote(f"Abrechnung {first:%m/%Y}"),  # 17 Bezeichnung (max. 30)
        quote(""),  # 18 Diktatkürzel
        "1",  # 19 Buchungstyp: Finanzbuchführung
        "0",  # 20 Rechnungslegungszweck: unabhängig
        "0",  # 21 Festschreibung: left to the tax advisor
        quote("EUR"),  # 22 WKZ
        "", quote(""), "", "",  # 23 reserviert, 24 Derivatskennzeichen, 25/26 reserviert
        quote(settings.chart[-2:]),  # 27 Sachkontenrahmen: "03" or "04"
        "",  # 28 Branchenlösungs-ID
        "", quote(""),  # 29/30 reserviert
        quote(""),  # 31 Anwendungsinformation
    ]
    assert len(fields) == HEADER_FIELDS
    return fields


def _text(entry: Entry, name: str) -> str:
    label = KIND_LABEL.get(entry.kind, entry.kind)
    body = entry.text.strip()
    if body.casefold().startswith(label.casefold()):
        body = body[len(label):].lstrip(" :")
    rate = f" {entry.vat_percent.normalize():f} %" if entry.vat_percent else ""
    return f"{label}{rate} {name}: {body}".strip(" :")[:BUCHUNGSTEXT_MAX]


def render(
    municipality: Municipality, settlement: Settlement, entries: list[Entry], debtors: Mapping[int, int],
    names: Mapping[int, str], tz: ZoneInfo,
) -> bytes:
    settings = datev_settings.effective(municipality)
    records = [";".join(header(municipality, settlement, tz)), ";".join(COLUMNS)]
    belegdatum = f"{settlement.cutoff:%d%m}"
    belegfeld = quote(str(settlement.id))
    empty = [""] * len(COLUMNS)
    for entry in entries:
        if entry.amount_cents == 0:
            continue  # DATEV refuses zero amounts
        row = list(empty)
        row[UMSATZ] = amount(entry.amount_cents)
        row[SOLL_HABEN] = quote("S" if entry.amount_cents > 0 else "H")
        row[WKZ] = quote("EUR")
        row[KONTO] = str(debtors[entry.farmer_id])
        contra = contra_account(settings, entry)
        row[GEGENKONTO] = str(contra.account)
        if contra.tax_key is not None:
            row[BU_KEY] = quote(str(contra.tax_key))
            row[STEUERSATZ] = percent(entry.vat_percent)
        row[BELEGDATUM] = belegdatum
        row[BELEGFELD1] = belegfeld
        row[BUCHUNGSTEXT] = quote(_text(entry, names.get(entry.farmer_id, "")))
        records.append(";".join(row))
    text_ = "\r\n".join(records) + "\r\n"
    # Windows-1252 per the format; characters it lacks (rare in names) become "?".
    return text_.encode("cp1252", errors="replace")
