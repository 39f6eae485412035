"""SEPA payment files with ``sepaxml``: pain.008.001.02 direct debit of what farmers owe, pain.001.001.03
credit transfer of payouts.

Nobody is dropped silently: a farmer who cannot be paid or debited (no IBAN, an IBAN that fails the
checksum, no mandate for a debit) is returned as an exception next to the file.

sepaxml draws its message id, payment-information id and creation time from the clock and a random
generator; they are replaced by values derived from the settlement (id, creation time), so a re-export
is byte-identical. The finished document is validated once against the XSD shipped with sepaxml
(one schema object per process, libxml2 through lxml: sepaxml's own per-export validation with the
pure-Python ``xmlschema`` would take seconds for 10,000 farmers).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD, SepaTransfer
from text_unidecode import unidecode

from machinery_network.accounts.models import Municipality
from machinery_network.errors import Invalid
from machinery_network.exports.data import Line
from machinery_network.i18n import translate
from machinery_network.money import format_eur
from machinery_network.settlement.models import Settlement

DEBIT_SCHEMA = "pain.008.001.02"
CREDIT_SCHEMA = "pain.001.001.03"
# TARGET2 closing days with a fixed date (Easter is moved to the next business day by the banks anyway).
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


def _business_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def due_date(settlement: Settlement, tz: ZoneInfo) -> date:
    """Collection / execution date: the 15th of the month after the settled month, but at least five
    business days after the settlement was made (the lead time for CORE debits); always a business day."""
    following = (settlement.cutoff + timedelta(days=1)).replace(day=15)
    day, added = settlement.created_at.astimezone(tz).date(), 0
    while added < 5:
        day += timedelta(days=1)
        added += _business_day(day)
    due = max(following, day)
    while not _business_day(due):
        due += timedelta(days=1)
    return due


def message_id(settlement: Settlement, kind: str) -> str:
    """Unique per settlement and file type (Max35Text), the same on every re-export."""
    return f"MN-{settlement.municipality_id}-{settlement.month:%Y%m}-S{settlement.id}-{kind}"


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
    paid (with the checked IBAN) and the exceptions."""
    debit = kind == "debit"
    payable: list[tuple[Line, str]] = []
    exceptions: list[SepaException] = []
    for line in lines:
        if line.net_cents == 0 or (line.net_cents > 0) != debit:
            continue
        iban = _valid_iban(line.iban)
        if not line.iban:
            reason = "no_iban"
        elif iban is None:
            reason = "invalid_iban"
        elif debit and not (line.mandate_reference and line.mandate_date):
            reason = "no_mandate"
        else:
            payable.append((line, iban))
            continue
        exceptions.append(SepaException(line.farmer_id, line.name, line.net_cents, reason))
    return payable, exceptions


def render(
    municipality: Municipality, settlement: Settlement, lines: list[Line], kind: str, tz: ZoneInfo
) -> SepaResult:
    """``kind``: ``debit`` (farmers whose net is positive) or ``credit`` (net negative)."""
    missing = missing_bank_details(municipality)
    if missing:
        raise missing_error(municipality, missing)
    debit = kind == "debit"
    payable, exceptions = partition(lines, kind)
    if not payable:
        raise Invalid(
            "exports.sepa_empty_debit" if debit else "exports.sepa_empty_credit",
            field="format", extra={"exceptions": [e.code for e in exceptions]}, month=f"{settlement.month:%Y-%m}",
            exceptions=len(exceptions),
        )
    config = {
        "name": sepa_text(municipality.name, 70), "IBAN": municipality.iban, "BIC": municipality.bic, "batch": True,
        "creditor_id": municipality.creditor_id, "currency": "EUR",
    }
    document = SepaDD(config, schema=DEBIT_SCHEMA) if debit else SepaTransfer(config, schema=CREDIT_SCHEMA)
    due = due_date(settlement, tz)
    total = 0
    for line, iban in payable:
        cents = abs(line.net_cents)
        payment = {
            "name": sepa_text(line.name, 70), "IBAN": iban, "amount": cents,
            "description": _remittance(municipality, settlement, line),
            "endtoend_id": f"MN-S{settlement.id}-F{line.farmer_id}",
        }
        if line.bic:
            payment["BIC"] = line.bic
        if debit:
            payment.update(
                type="RCUR", collection_date=due, mandate_id=line.mandate_reference,
                mandate_date=line.mandate_date.astimezone(tz).date(),
            )
        else:
            payment["execution_date"] = due
        document.add_payment(payment)
        total += cents
    xml = document.export(validate=False)
    xml = _deterministic(xml, message_id(settlement, "DD" if debit else "CT"), settlement)
    _validate(xml, DEBIT_SCHEMA if debit else CREDIT_SCHEMA)
    return SepaResult(content=xml, transactions=len(payable), total_cents=total, exceptions=exceptions)


def _deterministic(xml: bytes, msg_id: str, settlement: Settlement) -> bytes:
    created = settlement.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    xml = re.sub(rb"<MsgId>[^<]*</MsgId>", f"<MsgId>{msg_id}</MsgId>".encode(), xml, count=1)
    xml = re.sub(rb"<CreDtTm>[^<]*</CreDtTm>", f"<CreDtTm>{created}</CreDtTm>".encode(), xml, count=1)
    counter = iter(range(1, 10**6))
    return re.sub(
        rb"<PmtInfId>[^<]*</PmtInfId>", lambda _: f"<PmtInfId>{msg_id}-{next(counter)}</PmtInfId>".encode(), xml
    )


@lru_cache(maxsize=2)
def _schema(name: str):
    """lxml's (libxml2) validator when installed: about twenty times faster than the pure-Python
    ``xmlschema`` that sepaxml itself uses, which remains the fallback."""
    import sepaxml

    path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{name}.xsd")
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency, but the fallback stays correct
        import xmlschema  # imported late: it patches ElementTree on import (see sepaxml.validation)

        return xmlschema.XMLSchema(path)
    return etree.XMLSchema(etree.parse(path))


def _validate(xml: bytes, schema: str) -> None:
    validator = _schema(schema)
    if hasattr(validator, "error_log"):  # lxml
        from lxml import etree

        if not validator.validate(etree.fromstring(xml)):
            raise Invalid("exports.sepa_invalid", reason=str(validator.error_log.last_error)[:300])
        return
    errors = list(validator.iter_errors(xml.decode()))
    if errors:
        raise Invalid("exports.sepa_invalid", reason=str(errors[0].reason or errors[0])[:300])


def exceptions_header(exceptions: list[SepaException]) -> str:
    """ASCII for an HTTP header: ``farmer_id:reason`` comma separated."""
    return ",".join(e.code for e in exceptions)


def describe(exception: SepaException, lang: str = "de") -> str:
    reason = translate(f"exports.sepa_reason.{exception.reason}", lang)
    return f"{exception.name} (Nr. {exception.farmer_id}, {format_eur(exception.net_cents)} EUR): {reason}"
