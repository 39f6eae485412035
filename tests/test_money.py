"""The one rounding rule, with figures computed by hand."""

from decimal import Decimal

import pytest

from machinery_network.money import format_eur, line_amounts, round_half_up


@pytest.mark.parametrize(
    ("exact", "cents"),
    [("0.5", 1), ("1.4999", 1), ("2.5", 3), ("-2.5", -3), ("199.92", 200), ("12750", 12750)],
)
def test_round_half_up_rounds_halves_away_from_zero(exact, cents):
    assert round_half_up(Decimal(exact)) == cents


def test_line_with_operator_and_vat_is_rounded_once():
    # 2.25 h × 56,00 € = 126,00; operator 2.25 h × 39,00 € = 87,75 → net 213,75; × 1.19 = 254,3625 → 254,36 (VAT 40,61)
    amounts = line_amounts(Decimal("2.25"), 5600, Decimal(19), operator_hours=Decimal("2.25"), operator_rate_cents=3900)
    assert (amounts.net_cents, amounts.vat_cents, amounts.gross_cents) == (21375, 4061, 25436)


def test_half_cent_rounds_up():
    # 0.5 ha × 1,01 € = 0,505 € net, no VAT → 0,51 €
    assert line_amounts(Decimal("0.5"), 101).gross_cents == 51
    # 1 km × 2,40 € + 7 % = 2,568 € → 2,57 €
    assert line_amounts(1, 240, Decimal(7)).gross_cents == 257


def test_format_eur_uses_german_notation():
    assert format_eur(123450) == "1234,50"
    assert format_eur(-5) == "-0,05"
    assert format_eur(123450, symbol=True) == "1.234,50 €"
