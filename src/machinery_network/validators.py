"""Shared validators for bank and creditor identifiers.

IBAN and BIC through schwifty (checksum, country format, registry); the SEPA creditor identifier
through python-stdnum (``stdnum.eu.at_02``: ISO 7064 MOD 97-10 check digits over the identifier
without its business code). Each returns the compact normalized form, or None for an empty value,
and raises ``Invalid`` (422) naming the field otherwise.
"""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from machinery_network.errors import Invalid


def _empty(value: str | None) -> bool:
    return value is None or not value.strip()


def normalize_iban(value: str | None, field: str = "iban") -> str | None:
    """Validate an IBAN (checksum, country format); return it compact, or None when empty."""
    if value is None or _empty(value):
        return None
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise Invalid("field.iban", field=field, reason=str(exc)) from exc


def normalize_bic(value: str | None, field: str = "bic") -> str | None:
    """Validate a BIC (format, country); return it compact upper case, or None when empty."""
    if value is None or _empty(value):
        return None
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise Invalid("field.bic", field=field, reason=str(exc)) from exc


def normalize_creditor_id(value: str | None, field: str = "creditor_id") -> str | None:
    """Validate a SEPA creditor identifier (ISO 7064 MOD 97-10); return it compact upper case.

    Format: country code, two check digits, three characters business code (not in the check),
    national identifier, e.g. ``DE98ZZZ09999999999``.
    """
    if value is None or _empty(value):
        return None
    try:
        return str(at_02.validate(value))
    except ValidationError as exc:
        raise Invalid("field.creditor_id", field=field, reason=str(exc)) from exc


def creditor_id_check_digits(value: str) -> str:
    """The correct two check digits for a creditor identifier (for fixing demo data, messages)."""
    return str(at_02.calc_check_digits(at_02.compact(value)))
