"""Checks of bank identifiers on input, shared by every domain: IBAN and BIC (schwifty) and the SEPA
creditor identifier (ISO 7064 MOD 97-10 check digits, python-stdnum). Each returns the compact form,
None for an empty value, or raises ``Invalid`` naming the field (422)."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from machinery_network.errors import Invalid


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def iban(value: str | None, field: str = "iban") -> str | None:
    if _blank(value):
        return None
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise Invalid("field.iban", field=field, reason=str(exc)) from exc


def bic(value: str | None, field: str = "bic") -> str | None:
    if _blank(value):
        return None
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise Invalid("field.bic", field=field, reason=str(exc)) from exc


def creditor_id(value: str | None, field: str = "creditor_id") -> str | None:
    """The SEPA creditor identifier (Gläubiger-Identifikationsnummer), e.g. ``DE98ZZZ09999999999``:
    country, two check digits over the national part (ISO 7064 MOD 97-10), business code, national id."""
    if _blank(value):
        return None
    assert value is not None
    try:
        compact = at_02.validate(value)
    except ValidationError as exc:
        raise Invalid("field.creditor_id", field=field, reason=str(exc)) from exc
    if compact.startswith("DE") and len(compact) != 18:  # the Bundesbank issues 18 characters
        raise Invalid("field.creditor_id", field=field, reason="a German creditor id has 18 characters")
    return compact


def creditor_id_valid(value: str | None) -> bool:
    try:
        return creditor_id(value) is not None
    except Invalid:
        return False
