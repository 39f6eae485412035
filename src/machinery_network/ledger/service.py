"""The ledger: the only code that writes money movements.

Signs: the farmer owes → positive; the farmer earned → negative. Entries are never changed or
deleted (the database refuses it); a correction is a new entry. Amounts come from ``money``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_self_or_municipality
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.i18n import translate
from machinery_network.ledger.models import EntryKind, LedgerEntry
from machinery_network.money import LineAmounts, line_amounts


async def post_charge(
    session: AsyncSession,
    *,
    farmer_id: int,
    municipality_id: int,
    value_date: date,
    amounts: LineAmounts,
    vat_percent: Decimal,
    item_name: str,
    quantity: Decimal,
    unit: str,
    rate_cents: int,
    booking_id: int,
    actor: Actor,
) -> LedgerEntry:
    """A completed booking's charge (the unique index allows one per booking)."""
    return await _post(
        session,
        LedgerEntry(
            farmer_id=farmer_id, municipality_id=municipality_id, value_date=value_date, kind=EntryKind.charge,
            amount_cents=amounts.gross_cents, net_cents=amounts.net_cents, vat_cents=amounts.vat_cents,
            vat_percent=vat_percent, quantity=quantity, unit=unit, rate_cents=rate_cents,
            text=translate("ledger.text.charge", "de", item=item_name)[:500], booking_id=booking_id,
            created_by=actor.id,
        ),
    )


async def post_credit(
    session: AsyncSession,
    *,
    farmer_id: int,
    municipality_id: int,
    value_date: date,
    quantity: Decimal,
    unit: str,
    rate_cents: int,
    section_name: str,
    care_log_id: int,
    actor: Actor,
) -> LedgerEntry:
    """A confirmed care log's credit: quantity × rate, no VAT, negative in the farmer's account."""
    amounts = line_amounts(quantity, rate_cents)
    return await _post(
        session,
        LedgerEntry(
            farmer_id=farmer_id, municipality_id=municipality_id, value_date=value_date, kind=EntryKind.credit,
            amount_cents=-amounts.gross_cents, net_cents=-amounts.net_cents, vat_cents=-amounts.vat_cents,
            vat_percent=Decimal(0), quantity=quantity, unit=unit, rate_cents=rate_cents,
            text=translate("ledger.text.credit", "de", section=section_name)[:500], care_log_id=care_log_id,
            created_by=actor.id,
        ),
    )


async def post_adjustment(
    session: AsyncSession,
    actor: Actor,
    *,
    farmer_id: int,
    municipality_id: int,
    value_date: date,
    amount_cents: int,
    reason: str,
) -> LedgerEntry:
    """A manual charge (positive) or credit (negative) by the municipality's yard head or finance office."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance)
    if amount_cents == 0:
        raise Invalid("ledger.amount_zero", field="amount_cents")
    await get_farmer(session, farmer_id)
    await get_municipality(session, municipality_id)
    return await _post(
        session,
        LedgerEntry(
            farmer_id=farmer_id, municipality_id=municipality_id, value_date=value_date,
            kind=EntryKind.adjustment, amount_cents=amount_cents, net_cents=amount_cents, vat_cents=0,
            vat_percent=Decimal(0), text=translate("ledger.text.adjustment", "de", reason=reason)[:500],
            reason=reason, created_by=actor.id,
        ),
    )


async def reverse_entry(
    session: AsyncSession, actor: Actor, entry_id: int, *, value_date: date, reason: str
) -> LedgerEntry:
    """Undo an entry (settled or not) by posting its negation in an open month."""
    original = await session.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound("ledger.entry_not_found", id=entry_id)
    require_for_municipality(actor, original.municipality_id, Role.yard_head, Role.finance)
    if await session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_entry_id == entry_id)):
        raise Conflict("ledger.already_reversed", id=entry_id)
    return await _post(
        session,
        LedgerEntry(
            farmer_id=original.farmer_id, municipality_id=original.municipality_id, value_date=value_date,
            kind=EntryKind.reversal, amount_cents=-original.amount_cents, net_cents=-original.net_cents,
            vat_cents=-original.vat_cents, vat_percent=original.vat_percent, quantity=original.quantity,
            unit=original.unit, rate_cents=original.rate_cents,
            text=translate("ledger.text.reversal", "de", entry=entry_id, reason=reason)[:500], reason=reason,
            reverses_entry_id=entry_id, created_by=actor.id,
        ),
    )


async def _post(session: AsyncSession, entry: LedgerEntry) -> LedgerEntry:
    session.add(entry)
    await session.flush()
    return entry


@dataclass
class Account:
    farmer_id: int
    municipality_id: int | None
    balance_cents: int
    entries: list[LedgerEntry]


async def get_account(
    session: AsyncSession, actor: Actor, farmer_id: int, municipality_id: int | None = None
) -> Account:
    """A farmer's entries with one municipality (or with all, for the farmer himself)."""
    require_self_or_municipality(actor, farmer_id, municipality_id, Role.yard_head, Role.finance)
    await get_farmer(session, farmer_id)
    stmt = select(LedgerEntry).where(LedgerEntry.farmer_id == farmer_id)
    if municipality_id is not None:
        stmt = stmt.where(LedgerEntry.municipality_id == municipality_id)
    entries = list(await session.scalars(stmt.order_by(LedgerEntry.value_date, LedgerEntry.id)))
    return Account(
        farmer_id=farmer_id,
        municipality_id=municipality_id,
        balance_cents=sum(e.amount_cents for e in entries),
        entries=entries,
    )


async def unsettled_balance(session: AsyncSession, farmer_id: int, municipality_id: int) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                LedgerEntry.farmer_id == farmer_id,
                LedgerEntry.municipality_id == municipality_id,
                LedgerEntry.settlement_id.is_(None),
            )
        )
    )
