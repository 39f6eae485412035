"""The ledger: the only code that writes money movements.

Signs: the farmer owes → positive; the farmer earned → negative. Entries are never changed or
deleted (the database refuses it); a correction is a new entry. Amounts come from ``money``.
The database attaches each new entry to the pending settlement of its month (migration 0002); an
entry counts as settled once that settlement is frozen.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import Settings
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.i18n import translate
from machinery_network.ledger.models import EntryKind, LedgerEntry
from machinery_network.mandates.partners import require_partner
from machinery_network.money import LineAmounts, line_amounts

REASON_MAX = 2000
AMOUNT_MAX = 10**9  # ten million euros: anything larger is a typo


def value_date_bounds(settings: Settings) -> tuple[date, date]:
    """The value dates an entry typed in by staff may carry: within the last 12 months (a date in a
    month already settled is taken by the next settlement) and not after the booking horizon."""
    today = clock.today(settings.tz)
    try:
        earliest = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - 1, day=28)
    return earliest, today + timedelta(days=settings.booking_horizon_days)


def check_value_date(value_date: date, settings: Settings) -> date:
    earliest, latest = value_date_bounds(settings)
    if not earliest <= value_date <= latest:
        raise Invalid("ledger.value_date_out_of_range", field="value_date",
                      earliest=f"{earliest:%d.%m.%Y}", latest=f"{latest:%d.%m.%Y}")
    return value_date


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("ledger.reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid("ledger.reason_too_long", field="reason", max=REASON_MAX)
    return reason


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
    settings: Settings,
) -> LedgerEntry:
    """A manual charge (positive) or credit (negative) by the municipality's yard head or finance office."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance)
    check_value_date(value_date, settings)
    if amount_cents == 0:
        raise Invalid("ledger.amount_zero", field="amount_cents")
    if abs(amount_cents) > AMOUNT_MAX:
        raise Invalid("ledger.amount_too_large", field="amount_cents")
    reason = _check_reason(reason)
    await get_farmer(session, farmer_id)
    await get_municipality(session, municipality_id)
    await require_partner(session, municipality_id, farmer_id)  # 403; the foreign key is the guarantee
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
    session: AsyncSession,
    actor: Actor,
    entry_id: int,
    *,
    value_date: date,
    reason: str,
    farmer_id: int | None = None,
    settings: Settings,
) -> LedgerEntry:
    """Undo an entry (settled or not) by posting its negation; it is settled like any entry (a value
    date in a settled month lands in the next settlement). Each entry can be reversed once."""
    original = await session.get(LedgerEntry, entry_id)
    if original is None or (farmer_id is not None and original.farmer_id != farmer_id):
        raise NotFound("ledger.entry_not_found", id=entry_id)
    require_for_municipality(actor, original.municipality_id, Role.yard_head, Role.finance)
    reason = _check_reason(reason)
    check_value_date(value_date, settings)
    if original.kind == EntryKind.reversal:
        raise Conflict("ledger.reverse_reversal", id=entry_id)
    if original.amount_cents == 0:
        raise Invalid("ledger.reverse_zero", id=entry_id)
    if await session.scalar(select(col(LedgerEntry.id)).where(col(LedgerEntry.reverses_entry_id) == entry_id)):
        raise Conflict("ledger.already_reversed", id=entry_id)
    entry = LedgerEntry(
        farmer_id=original.farmer_id, municipality_id=original.municipality_id, value_date=value_date,
        kind=EntryKind.reversal, amount_cents=-original.amount_cents, net_cents=-original.net_cents,
        vat_cents=-original.vat_cents, vat_percent=original.vat_percent, quantity=original.quantity,
        unit=original.unit, rate_cents=original.rate_cents,
        text=translate("ledger.text.reversal", "de", entry=entry_id, reason=reason)[:500], reason=reason,
        reverses_entry_id=entry_id, created_by=actor.id,
    )
    try:
        async with session.begin_nested():  # a concurrent reversal loses on the unique index
            return await _post(session, entry)
    except IntegrityError as exc:
        if "uq_ledger_reversed_once" in str(exc.orig):
            raise Conflict("ledger.already_reversed", id=entry_id) from None
        raise


async def _post(session: AsyncSession, entry: LedgerEntry) -> LedgerEntry:
    session.add(entry)
    await session.flush()
    return entry
