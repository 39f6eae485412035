"""Shared validators: IBAN/BIC via schwifty, SEPA creditor id via python-stdnum (ISO 7064)."""

from __future__ import annotations

import pytest

from machinery_network.errors import Invalid
from machinery_network.validators import (
    creditor_id_check_digits,
    normalize_bic,
    normalize_creditor_id,
    normalize_iban,
)


def test_creditor_id_normalized_and_checked() -> None:
    assert normalize_creditor_id(" de98 zzz0 9999 9999 99 ") == "DE98ZZZ09999999999"
    assert normalize_creditor_id("") is None
    assert normalize_creditor_id(None) is None
    for bad in ("ABC 123", "DE99ZZZ09999999999"):
        with pytest.raises(Invalid) as info:
            normalize_creditor_id(bad)
        assert info.value.field == "creditor_id"
        assert info.value.status_code == 422


def test_creditor_id_check_digits() -> None:
    assert creditor_id_check_digits("DE00ZZZ09999999999") == "98"
    # The business code does not take part in the check.
    assert normalize_creditor_id("DE98ABC09999999999") == "DE98ABC09999999999"


def test_iban_and_bic_name_their_field() -> None:
    assert normalize_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    with pytest.raises(Invalid) as info:
        normalize_iban("DE00 3704 0044 0532 0130 00", field="farmer_iban")
    assert info.value.field == "farmer_iban"
    assert normalize_bic("cobadeffxxx") == "COBADEFFXXX"
    with pytest.raises(Invalid) as bic_info:
        normalize_bic("NOTABIC")
    assert bic_info.value.field == "bic"
