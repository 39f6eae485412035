"""The settlement CSV of the contract: UTF-8 with BOM, ``;``, decimal comma, one row per farmer.

Opens as columns in a German spreadsheet. ``Saldo`` is what the farmer pays (negative: a payout).
"""

from __future__ import annotations

import csv
import io

from machinery_network.accounts.models import Municipality
from machinery_network.exports.data import Line
from machinery_network.money import format_eur
from machinery_network.settlement.models import Settlement

HEADER = ["Gemeinde", "Monat", "Landwirt", "IBAN", "Belastungen", "Gutschriften", "Saldo", "Landwirt-Nr",
          "Buchungen"]


def _cell(value: str) -> str:
    """A leading = + - @ would make a spreadsheet evaluate the text as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render(municipality: Municipality, settlement: Settlement, lines: list[Line]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    month = f"{settlement.month:%Y-%m}"
    writer.writerows(
        [
            _cell(municipality.name), month, _cell(line.name), line.iban or "", format_eur(line.charges_cents),
            format_eur(line.credits_cents), format_eur(line.net_cents), line.farmer_id, line.entry_count,
        ]
        for line in lines
    )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
