"""Reading a frozen settlement for the exports: one query for the lines, one for the entries.

Every export is derived from these rows only: the settlement row, its lines and the ledger entries that
carry its id. They cannot change any more (triggers), so a re-export yields the same bytes. The
farmers' and the municipality's master data (names, addresses, bank accounts) are read as they are now,
because the payment files must use the account a farmer gave last.

Plain tuples instead of ORM objects: 10,000 farmers must export in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Line:
    """A settlement line joined with the farmer's master data."""

    farmer_id: int
    charges_cents: int
    credits_cents: int
    net_cents: int
    entry_count: int
    name: str
    email: str
    iban: str | None
    bic: str | None
    mandate_reference: str | None  # the active mandate of the settlement's municipality, if any
    mandate_date: date | None  # its date of signature
    address: str | None
    mandate_iban: str | None = None  # the account the mandate debits
    mandate_original_iban: str | None = None  # before an IBAN change the bank was not told of yet
    mandate_amendment_settlement_id: int | None = None  # the settlement whose file told it
    mandate_id: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    farmer_id: int
    value_date: date
    kind: str
    amount_cents: int  # gross, signed
    net_cents: int
    vat_cents: int
    vat_percent: Decimal
    quantity: Decimal | None
    unit: str | None
    rate_cents: int | None
    text: str
    reversed_kind: str | None  # for a reversal: the kind of the entry it undoes


_LINES = (
    "SELECT l.farmer_id, l.charges_cents, l.credits_cents, l.net_cents, l.entry_count,"
    " u.name, u.email, u.iban, u.bic, m.reference, m.signed_on, u.address,"
    " m.iban, m.original_iban, m.amendment_settlement_id, m.id, l.settlement_id"
    " FROM settlement_lines l JOIN users u ON u.id = l.farmer_id"
    " JOIN settlements s ON s.id = l.settlement_id"
    " LEFT JOIN mandates m ON m.farmer_id = l.farmer_id AND m.municipality_id = s.municipality_id"
    " AND m.state = 'active'"
)
_ENTRIES = (
    "SELECT e.id, e.farmer_id, e.value_date, e.kind, e.amount_cents, e.net_cents, e.vat_cents,"
    " e.vat_percent, e.quantity, e.unit, e.rate_cents, e.text,"
    # the reversed entry's kind, for reversals alone, by its whole key (see settling.CHARGE_SIDE)
    " CASE WHEN e.reverses_entry_id IS NOT NULL THEN (SELECT o.kind FROM ledger_entries o"
    "   WHERE o.network_id = e.network_id AND o.id = e.reverses_entry_id) END, e.settlement_id"
    " FROM ledger_entries e"
)


async def load_lines(
    session: AsyncSession, settlement_id: int, farmer_id: int | None = None
) -> list[Line]:
    params: dict[str, int] = {"sid": settlement_id}
    only = ""
    if farmer_id is not None:
        only, params["fid"] = " AND l.farmer_id = :fid", farmer_id
    rows = await session.execute(text(f"{_LINES} WHERE l.settlement_id = :sid{only} ORDER BY l.farmer_id"), params)
    return [Line(*row[:-1]) for row in rows]


async def load_entries(
    session: AsyncSession, settlement_id: int, farmer_id: int | None = None
) -> list[Entry]:
    """The settled entries, per farmer in booking order (value date, then id)."""
    params: dict[str, int] = {"sid": settlement_id}
    only = ""
    if farmer_id is not None:
        only, params["fid"] = " AND e.farmer_id = :fid", farmer_id
    rows = await session.execute(
        text(f"{_ENTRIES} WHERE e.settlement_id = :sid{only} ORDER BY e.farmer_id, e.value_date, e.id"), params
    )
    return [Entry(*row[:-1]) for row in rows]


async def load_farmer(
    session: AsyncSession, farmer_id: int, settlement_ids: list[int]
) -> tuple[dict[int, Line], dict[int, list[Entry]]]:
    """One farmer's lines and entries of many settlements in two queries, by settlement id (the
    personal data export holds all his statements)."""
    params = {"fid": farmer_id, "sids": settlement_ids}
    lines = {
        row[-1]: Line(*row[:-1]) for row in await session.execute(
            text(f"{_LINES} WHERE l.farmer_id = :fid AND l.settlement_id = ANY(:sids)"), params)
    }
    entries: dict[int, list[Entry]] = {}
    for row in await session.execute(
        text(f"{_ENTRIES} WHERE e.farmer_id = :fid AND e.settlement_id = ANY(:sids)"
             " ORDER BY e.settlement_id, e.value_date, e.id"), params
    ):
        entries.setdefault(row[-1], []).append(Entry(*row[:-1]))
    return lines, entries
