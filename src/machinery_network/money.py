"""Money: integer cents (EUR) and the one rounding rule (half-up to the cent, once per line).

Every amount the service posts, estimates or exports is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> int:
    """Round an exact amount in cents to a whole cent, halves away from zero (kaufmännisch)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LineAmounts:
    net_cents: int
    vat_cents: int
    gross_cents: int


def line_amounts(
    quantity: Decimal | int,
    rate_cents: int,
    vat_percent: Decimal | int = 0,
    *,
    operator_hours: Decimal | int = 0,
    operator_rate_cents: int | None = None,
) -> LineAmounts:
    """One line: quantity × rate (+ operator hours × operator rate), VAT on top, rounded once.

    The gross is rounded from the exact value; net is rounded the same way; VAT is the difference,
    so net + VAT = gross always holds.
    """
    exact_net = Decimal(quantity) * rate_cents
    if operator_hours and operator_rate_cents:
        exact_net += Decimal(operator_hours) * operator_rate_cents
    exact_gross = exact_net * (HUNDRED + Decimal(vat_percent)) / HUNDRED
    gross = round_half_up(exact_gross)
    net = round_half_up(exact_net)
    return LineAmounts(net_cents=net, vat_cents=gross - net, gross_cents=gross)


def vat_in_gross(gross_cents: int, vat_percent: Decimal | int) -> int:
    """The VAT contained in a gross amount, as an accounting program with automatic VAT accounts
    (DATEV "Automatikkonto") takes it out of one booking record: gross × rate / (100 + rate), half-up.

    For a gross that ``line_amounts`` made, this equals that line's ``vat_cents`` (the rounding error
    of the gross, at most half a cent, shrinks by 100 / (100 + rate)); so one record per line keeps
    DATEV's VAT and the statement's equal to the cent, where a record of summed lines may not.
    """
    rate = Decimal(vat_percent)
    return round_half_up(Decimal(gross_cents) * rate / (HUNDRED + rate))


def format_eur(cents: int, *, symbol: bool = False) -> str:
    """German notation: 1234,50 (or 1.234,50 € with ``symbol``); negative keeps its sign."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    if symbol:
        grouped = f"{euros:,}".replace(",", ".")
        return f"{sign}{grouped},{rest:02d} €"
    return f"{sign}{euros},{rest:02d}"


def format_decimal_de(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")
