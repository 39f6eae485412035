"""DATEV-Format "EXTF" version 700, category 21 (Buchungsstapel), format version 13.

Layout per the published format description (developer.datev.de, "DATEV-Format" → Header and
Buchungsstapel): record 1 is the header (31 fields), record 2 the column names (125 fields), then one
booking record per farmer × entry kind × VAT rate. Fields are separated by ``;``, records end with
CR LF, text fields are quoted, numbers use a decimal comma, the encoding is Windows-1252.

Bookings: ``Konto`` is the farmer's debtor account (the municipality's receivable account + farmer id),
``Gegenkonto`` the revenue account for the VAT rate, or the expense account for care credits (and for
reversals of care credits). ``Umsatz`` is the positive gross amount with ``S`` when the farmer owes and
``H`` when he is credited, so the sum of S minus H is the settlement's total. The revenue accounts are
expected to be automatic VAT accounts (SKR03 8400/8300), hence no BU-Schlüssel.
``Belegdatum`` (DDMM) is the settlement's cut-off day, ``Belegfeld 1`` the settlement id, and
``Erzeugt am`` the settlement's creation time, so a re-export is byte-identical.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from machinery_network.accounts.models import Municipality
from machinery_network.errors import Invalid
from machinery_network.exports.data import Booking
from machinery_network.ledger.models import EntryKind
from machinery_network.settlement.models import Settlement

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
UMSATZ, SOLL_HABEN, WKZ, KONTO, GEGENKONTO, BELEGDATUM, BELEGFELD1, BUCHUNGSTEXT = 0, 1, 2, 6, 7, 9, 10, 13
ACCOUNT_LENGTH = 4  # Sachkontenlänge; debtor accounts have one digit more

KIND_LABEL = {
    EntryKind.charge: "Maschinen/Dienste",
    EntryKind.credit: "Pflegegutschrift",
    EntryKind.reversal: "Storno",
    EntryKind.adjustment: "Korrektur",
}


def quote(value: str) -> str:
    """A DATEV text field: quoted, inner quotes doubled, no control characters."""
    cleaned = "".join(" " if ch in "\r\n\t" else ch for ch in value)
    return '"' + cleaned.replace('"', '""') + '"'


def amount(cents: int) -> str:
    euros, rest = divmod(abs(cents), 100)
    return f"{euros},{rest:02d}"


def debtor_account(municipality: Municipality, farmer_id: int) -> int:
    return municipality.datev_receivable_account + farmer_id


def contra_account(municipality: Municipality, booking: Booking) -> int:
    if booking.kind == EntryKind.credit or booking.reverses_credit:
        return municipality.datev_expense_account
    rate = booking.vat_percent
    if rate == 19:
        return municipality.datev_revenue_account
    if rate == 7:
        return municipality.datev_revenue_account_reduced
    if rate == 0:
        return municipality.datev_revenue_account_exempt
    raise Invalid("exports.datev_vat_rate", rate=f"{rate.normalize()}")


def _check_accounts(municipality: Municipality, bookings: list[Booking]) -> None:
    low, high = 10**ACCOUNT_LENGTH, 7 * 10**ACCOUNT_LENGTH  # debtors: 10000–69999 at length 4
    for booking in bookings:
        account = debtor_account(municipality, booking.farmer_id)
        if not low <= account < high:
            raise Invalid("exports.datev_debtor_range", account=account, low=low, high=high - 1)
    for account in (
        municipality.datev_revenue_account, municipality.datev_revenue_account_reduced,
        municipality.datev_revenue_account_exempt, municipality.datev_expense_account,
    ):
        if not 0 < account < 10**ACCOUNT_LENGTH:
            raise Invalid("exports.datev_account_length", account=account, length=ACCOUNT_LENGTH)


def header(municipality: Municipality, settlement: Settlement, tz: ZoneInfo) -> list[str]:
    created = settlement.created_at.astimezone(tz)
    first: date = settlement.month
    fields = [
        quote("EXTF"), "700", "21", quote("Buchungsstapel"), "13",
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",  # 6 Erzeugt am
        "",  # 7 Importiert
        quote("RE"),  # 8 Herkunft
        quote("machinery-network"),  # 9 Exportiert von
        quote(""),  # 10 Importiert von
        str(municipality.datev_consultant_number),  # 11 Berater
        str(municipality.datev_client_number),  # 12 Mandant
        f"{first.year}0101",  # 13 WJ-Beginn: municipalities keep calendar-year books
        str(ACCOUNT_LENGTH),  # 14 Sachkontenlänge
        f"{first:%Y%m%d}",  # 15 Datum vom
        f"{settlement.cutoff:%Y%m%d}",  # 16 Datum bis
        quote(f"Abrechnung {first:%m/%Y}"),  # 17 Bezeichnung (max. 30)
        quote(""),  # 18 Diktatkürzel
        "1",  # 19 Buchungstyp: Finanzbuchführung
        "0",  # 20 Rechnungslegungszweck: unabhängig
        "0",  # 21 Festschreibung: left to the tax advisor
        quote("EUR"),  # 22 WKZ
        "", quote(""), "", "",  # 23 reserviert, 24 Derivatskennzeichen, 25/26 reserviert
        quote(""),  # 27 Sachkontenrahmen (configured by the advisor)
        "",  # 28 Branchenlösungs-ID
        "", quote(""),  # 29/30 reserviert
        quote(""),  # 31 Anwendungsinformation
    ]
    assert len(fields) == HEADER_FIELDS
    return fields


def render(municipality: Municipality, settlement: Settlement, bookings: list[Booking], tz: ZoneInfo) -> bytes:
    _check_accounts(municipality, bookings)
    records = [";".join(header(municipality, settlement, tz)), ";".join(COLUMNS)]
    belegdatum = f"{settlement.cutoff:%d%m}"
    belegfeld = quote(str(settlement.id))
    empty = [""] * len(COLUMNS)
    for booking in bookings:
        if booking.amount_cents == 0:
            continue  # DATEV refuses zero amounts; a charge and its reversal cancel out
        row = list(empty)
        row[UMSATZ] = amount(booking.amount_cents)
        row[SOLL_HABEN] = quote("S" if booking.amount_cents > 0 else "H")
        row[WKZ] = quote("EUR")
        row[KONTO] = str(debtor_account(municipality, booking.farmer_id))
        row[GEGENKONTO] = str(contra_account(municipality, booking))
        row[BELEGDATUM] = belegdatum
        row[BELEGFELD1] = belegfeld
        label = KIND_LABEL.get(booking.kind, booking.kind)
        rate = f" {booking.vat_percent.normalize():f} %" if booking.vat_percent else ""
        row[BUCHUNGSTEXT] = quote(f"{label}{rate} {booking.name}"[:60])
        records.append(";".join(row))
    text = "\r\n".join(records) + "\r\n"
    # Windows-1252 per the format; characters it lacks (rare in names) become "?".
    return text.encode("cp1252", errors="replace")
