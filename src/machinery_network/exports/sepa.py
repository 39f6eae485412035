"""SEPA payment files with ``sepaxml`` in the formats German banks take since November 2025 (DK
"Anlage 3", GBIC_4): pain.008.001.08 direct debit of what farmers owe, pain.001.001.09 credit transfer
of payouts.

Nobody is dropped silently: a farmer who cannot be paid or debited (no IBAN, an IBAN that fails the
checksum, no active mandate of this municipality for a debit) is returned as an exception next to the
file. A debit uses the farmer's active mandate with this municipality: its reference, date of signature
and account; after an IBAN change the first file carries the amendment (``AmdmntInd`` and the original
debtor account, or ``SMNDA`` when the bank changed), as the SDD Core rulebook asks.

The requested collection date is computed at export time (``collection_date``): the municipality's
pre-notification period after the export day, moved to a TARGET2 business day. The statement PDF prints
the same date as the pre-notification. ``CreDtTm`` is the export time in the network's zone with offset.

sepaxml draws its message id and payment-information ids from a random generator; they are replaced by
ids derived from the settlement and the export time. Every document is validated before it is served
against the ISO 20022 schema of its message and the Deutsche Kreditwirtschaft's technical validation
subsets GBIC_4 (Anlage 3 V3.7) and GBIC_5 (V3.9), all shipped in ``exports/xsd`` (see its README for
their source); libxml2 through lxml, one schema object per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD, SepaTransfer
from text_unidecode import unidecode

from machinery_network import clock, validators
from machinery_network.accounts.models import Municipality
from machinery_network.errors import Invalid
from machinery_network.exports.data import Line
from machinery_network.i18n import month_label, translate
from machinery_network.money import format_eur
from machinery_network.settlement.models import Settlement

DEBIT_SCHEMA = "pain.008.001.08"
CREDIT_SCHEMA = "pain.001.001.09"
# Each message is checked against ISO's schema and the DK's subsets (file names in ``exports/xsd``).
SCHEMA_VARIANTS = ("", "_GBIC_4", "_GBIC_5")
XSD_DIR = Path(__file__).parent / "xsd"
PRENOTIFICATION_DAYS = 14  # the default agreed pre-notification period (calendar days)
# TARGET2 closing days besides weekends: New Year, Good Friday, Easter Monday, 1 May, 25 and 26 December.
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (12, 25), (12, 26)}


@dataclass(frozen=True)
class SepaException:
    farmer_id: int
    name: str
    net_cents: int
    reason: str  # no_iban | invalid_iban | no_mandate

    @property
    def code(self) -> str:
        return f"{self.farmer_id}:{self.reason}"


@dataclass
class SepaResult:
    content: bytes
    transactions: int
    total_cents: int
    exceptions: list[SepaException]


def missing_bank_details(municipality: Municipality) -> list[str]:
    return [
        label
        for label, value in (("iban", municipality.iban), ("bic", municipality.bic),
                             ("creditor_id", municipality.creditor_id))
        if not value
    ]


_LABELS_DE = {"iban": "IBAN", "bic": "BIC", "creditor_id": "Gläubiger-Identifikationsnummer"}


def missing_error(municipality: Municipality, missing: list[str]) -> Invalid:
    return Invalid(
        "exports.sepa_missing", field="municipality_id", extra={"missing": missing}, name=municipality.name,
        missing=", ".join(missing), missing_de=", ".join(_LABELS_DE[m] for m in missing),
    )


def _easter(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    day = (h + l_ - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def is_target2_business_day(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in _FIXED_HOLIDAYS:
        return False
    easter = _easter(day.year)
    return day not in (easter - timedelta(days=2), easter + timedelta(days=1))


def next_business_day(day: date) -> date:
    """``day`` itself when it is a TARGET2 business day, else the next one."""
    while not is_target2_business_day(day):
        day += timedelta(days=1)
    return day


def prenotification_days(municipality: Municipality) -> int:
    days = getattr(municipality, "prenotification_days", None)
    return int(days) if days else PRENOTIFICATION_DAYS


def collection_date(municipality: Municipality, tz: ZoneInfo, export_day: date | None = None) -> date:
    """The requested collection date of a debit exported on ``export_day`` (default: today in ``tz``):
    at least the municipality's pre-notification period later, on a TARGET2 business day. The statement
    PDF names this date as the pre-notification (Vorabankündigung)."""
    day = export_day or clock.today(tz)
    return next_business_day(day + timedelta(days=prenotification_days(municipality)))


def announced_collection_date(municipality: Municipality, settlement: Settlement, tz: ZoneInfo) -> date:
    """The collection date a settlement's statement and notice announce: as if its debit were exported
    on the day it was frozen (when its farmers are told), so that a statement downloaded months later
    names the same date as the notice did and a re-export stays byte-identical."""
    return collection_date(municipality, tz, settlement.created_at.astimezone(tz).date())


def execution_date(tz: ZoneInfo, export_day: date | None = None) -> date:
    """The requested execution date of a transfer: the export day, or the next TARGET2 business day."""
    return next_business_day(export_day or clock.today(tz))


def message_id(settlement: Settlement, kind: str, created: datetime) -> str:
    """Unique per settlement, file type and export (Max35Text): a bank refuses a second file with the
    same id, and each export asks for its own collection date."""
    return f"MN{settlement.municipality_id}-S{settlement.id}-{kind}-{created:%Y%m%d%H%M%S}"


def _valid_iban(value: str | None) -> str | None:
    try:
        return IBAN(value).compact if value else None
    except SchwiftyException:
        return None


_NOT_SEPA = re.compile(r"[^A-Za-z0-9/?:().,'+ -]")


def sepa_text(value: str, limit: int) -> str:
    """The EPC's Latin character set: umlauts transliterated (ü → u), anything else a blank."""
    return _NOT_SEPA.sub(" ", unidecode(value)).strip()[:limit] or "-"


def _remittance(municipality: Municipality, settlement: Settlement, line: Line) -> str:
    return sepa_text(
        f"Abrechnung {settlement.month:%m/%Y} Nr. {settlement.id} Landwirt {line.farmer_id} {municipality.name}",
        140,
    )


def partition(lines: list[Line], kind: str) -> tuple[list[tuple[Line, str]], list[SepaException]]:
    """The lines that belong into the ``debit`` (net > 0) or ``credit`` (net < 0) file: those that can be
    paid (with the checked IBAN: the mandate's for a debit, the farmer's for a transfer) and the
    exceptions. A debit needs an active mandate of the settlement's municipality."""
    debit = kind == "debit"
    payable: list[tuple[Line, str]] = []
    exceptions: list[SepaException] = []
    for line in lines:
        if line.net_cents == 0 or (line.net_cents > 0) != debit:
            continue
        account = line.mandate_iban if debit else line.iban
        iban = _valid_iban(account)
        if debit and not (line.mandate_reference and line.mandate_date):
            reason = "no_mandate"
        elif not account:
            reason = "no_iban"
        elif iban is None:
            reason = "invalid_iban"
        else:
            payable.append((line, iban))
            continue
        exceptions.append(SepaException(line.farmer_id, line.name, line.net_cents, reason))
    return payable, exceptions


def carries_amendment(line: Line, settlement: Settlement) -> bool:
    """The mandate's account changed and no earlier settlement's file told the bank yet."""
    return bool(line.mandate_original_iban) and line.mandate_amendment_settlement_id in (None, settlement.id)


def render(
    municipality: Municipality, settlement: Settlement, lines: list[Line], kind: str, tz: ZoneInfo,
    created: datetime | None = None,
) -> SepaResult:
    """``kind``: ``debit`` (farmers whose net is positive) or ``credit`` (net negative). ``created``: the
    export time (default now), which also fixes the collection or execution date."""
    missing = missing_bank_details(municipality)
    if missing:
        raise missing_error(municipality, missing)
    validators.creditor_id(municipality.creditor_id)  # 422 naming creditor_id: the bank would refuse it
    created = (created or clock.now()).astimezone(tz).replace(microsecond=0)
    debit = kind == "debit"
    payable, exceptions = partition(lines, kind)
    if not payable:
        raise Invalid(
            "exports.sepa_empty_debit" if debit else "exports.sepa_empty_credit",
            field="format", extra={"exceptions": [e.code for e in exceptions]}, month=month_label(settlement.month),
            exceptions=len(exceptions),
        )
    config = {
        "name": sepa_text(municipality.name, 70), "IBAN": municipality.iban, "BIC": municipality.bic, "batch": True,
        "creditor_id": municipality.creditor_id, "currency": "EUR",
    }
    document = SepaDD(config, schema=DEBIT_SCHEMA) if debit else SepaTransfer(config, schema=CREDIT_SCHEMA)
    due = collection_date(municipality, tz, created.date()) if debit else execution_date(tz, created.date())
    total = 0
    amendments: dict[str, str] = {}  # end-to-end id → the <AmdmntInd> and details to insert
    for line, iban in payable:
        cents = abs(line.net_cents)
        end_to_end = f"MN-S{settlement.id}-F{line.farmer_id}"
        payment = {
            "name": sepa_text(line.name, 70), "IBAN": iban, "amount": cents,
            "description": _remittance(municipality, settlement, line), "endtoend_id": end_to_end,
        }
        if line.bic:
            payment["BIC"] = line.bic
        if debit:
            assert line.mandate_date is not None and line.mandate_reference is not None
            payment.update(
                type="RCUR", collection_date=due, mandate_id=line.mandate_reference, mandate_date=line.mandate_date,
            )
            if carries_amendment(line, settlement):
                amendments[end_to_end] = _amendment(line.mandate_original_iban or "", iban)
        else:
            payment["execution_date"] = due
        document.add_payment(payment)
        total += cents
    xml = document.export(validate=False)
    xml = _fill_ids(xml, message_id(settlement, "DD" if debit else "CT", created), created)
    if amendments:
        xml = _insert_amendments(xml, amendments)
    validate(xml, DEBIT_SCHEMA if debit else CREDIT_SCHEMA)
    return SepaResult(content=xml, transactions=len(payable), total_cents=total, exceptions=exceptions)


def _amendment(original_iban: str, new_iban: str) -> str:
    """The amendment details of a changed debtor account: the original IBAN when the account moved within
    the same bank, else ``SMNDA`` (same mandate, new debtor agent) as the rulebook asks."""
    try:
        same_bank = IBAN(original_iban).bank_code == IBAN(new_iban).bank_code
    except SchwiftyException:
        same_bank = False
    if same_bank:
        details = f"<OrgnlDbtrAcct><Id><IBAN>{IBAN(original_iban).compact}</IBAN></Id></OrgnlDbtrAcct>"
    else:
        details = "<OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt>"
    return f"<AmdmntInd>true</AmdmntInd><AmdmntInfDtls>{details}</AmdmntInfDtls>"


def _insert_amendments(xml: bytes, amendments: dict[str, str]) -> bytes:
    """After ``DtOfSgntr`` of each amended transaction (sepaxml writes no amendment fields)."""
    def one(match: re.Match[bytes]) -> bytes:
        block = match.group(0)
        e2e = re.search(rb"<EndToEndId>([^<]*)</EndToEndId>", block)
        extra = amendments.get(e2e.group(1).decode()) if e2e else None
        if extra is None:
            return block
        return re.sub(rb"(</DtOfSgntr>)", lambda m: m.group(1) + extra.encode(), block, count=1)

    return re.sub(rb"<DrctDbtTxInf>.*?</DrctDbtTxInf>", one, xml, flags=re.S)


def _fill_ids(xml: bytes, msg_id: str, created: datetime) -> bytes:
    stamp = created.isoformat()  # local time with its offset, e.g. 2026-11-05T12:00:00+01:00
    xml = re.sub(rb"<MsgId>[^<]*</MsgId>", f"<MsgId>{msg_id}</MsgId>".encode(), xml, count=1)
    xml = re.sub(rb"<CreDtTm>[^<]*</CreDtTm>", f"<CreDtTm>{stamp}</CreDtTm>".encode(), xml, count=1)
    counter = iter(range(1, 10**6))
    return re.sub(
        rb"<PmtInfId>[^<]*</PmtInfId>", lambda _: f"<PmtInfId>{msg_id}-{next(counter)}</PmtInfId>".encode(), xml
    )


@lru_cache(maxsize=8)
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd")))


def validate(xml: bytes, schema: str) -> None:
    """Refuse to serve a file that ISO's schema or a DK subset of it refuses (``exports/xsd``: see the
    README there); the reason names the schema."""
    document = etree.fromstring(xml)
    for variant in SCHEMA_VARIANTS:
        validator = _schema(schema + variant)
        if not validator.validate(document):
            reason = f"{schema}{variant}.xsd: {validator.error_log.last_error}"
            raise Invalid("exports.sepa_invalid", reason=reason[:300])


def exceptions_header(exceptions: list[SepaException]) -> str:
    """ASCII for an HTTP header: ``farmer_id:reason`` comma separated."""
    return ",".join(e.code for e in exceptions)


def describe(exception: SepaException, lang: str = "de") -> str:
    reason = translate(f"exports.sepa_reason.{exception.reason}", lang)
    return f"{exception.name} (Nr. {exception.farmer_id}, {format_eur(exception.net_cents)} EUR): {reason}"
