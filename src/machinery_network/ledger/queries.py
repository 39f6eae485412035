"""Reading the ledger: a farmer's account with a municipality (all entries, or one page of them), his
unsettled balance, and the farmers' balances at a municipality. An entry shows its settlement only once
that settlement is frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnClause,
    Select,
    SQLColumnExpression,
    column,
    func,
    label,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network._sa import pk
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_self_or_municipality
from machinery_network.ledger.models import LedgerEntry
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts
from machinery_network.settlement.models import Settlement


@dataclass
class EntryView:
    """An entry as the account shows it: ``settlement_id`` only once its settlement is frozen."""

    id: int
    farmer_id: int
    municipality_id: int
    value_date: date
    kind: str
    amount_cents: int
    net_cents: int
    vat_cents: int
    vat_percent: Decimal
    quantity: Decimal | None
    unit: str | None
    rate_cents: int | None
    text: str
    reason: str | None
    booking_id: int | None
    care_log_id: int | None
    reverses_entry_id: int | None
    settlement_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry, settled: bool) -> EntryView:
        values = {name: getattr(entry, name) for name in cls.__dataclass_fields__}
        values["settlement_id"] = entry.settlement_id if settled else None
        return cls(**values)


@dataclass
class Account:
    farmer_id: int
    municipality_id: int | None
    balance_cents: int
    entries: list[EntryView]

    @property
    def unsettled_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if e.settlement_id is None)


async def _entries_query(
    session: AsyncSession, actor: Actor, farmer_id: int, municipality_id: int | None
) -> tuple[int | None, Select[LedgerEntry, bool]]:
    """Who may see a farmer's entries, and the query of them (with their settlement's ``frozen``): staff
    asking without a municipality see their own municipality's account of the farmer."""
    if municipality_id is None and actor.role in (Role.yard_head, Role.finance):
        municipality_id = actor.municipality_id
    require_self_or_municipality(actor, farmer_id, municipality_id, Role.yard_head, Role.finance)
    await get_farmer(session, farmer_id)
    if municipality_id is not None:
        await get_municipality(session, municipality_id)
    stmt = (
        select(LedgerEntry, col(Settlement.frozen))
        .join(Settlement, col(Settlement.id) == col(LedgerEntry.settlement_id))
        .where(col(LedgerEntry.farmer_id) == farmer_id)
    )
    if municipality_id is not None:
        stmt = stmt.where(col(LedgerEntry.municipality_id) == municipality_id)
    return municipality_id, stmt


async def get_account(
    session: AsyncSession, actor: Actor, farmer_id: int, municipality_id: int | None = None
) -> Account:
    """A farmer's entries with one municipality (or with all, for the farmer himself and admins).

    Staff asking without a municipality see their own municipality's account of the farmer.
    ``balance_cents`` is the sum of all his entries there (positive: he owes)."""
    municipality_id, stmt = await _entries_query(session, actor, farmer_id, municipality_id)
    rows = (await session.execute(stmt.order_by(col(LedgerEntry.value_date), col(LedgerEntry.id)))).all()
    entries = [EntryView.of(entry, frozen) for entry, frozen in rows]
    return Account(
        farmer_id=farmer_id,
        municipality_id=municipality_id,
        balance_cents=sum(e.amount_cents for e in entries),
        entries=entries,
    )


ENTRY_ORDER = "entries:value_date,id"
ENTRY_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(LedgerEntry.value_date), col(LedgerEntry.id))


async def page_entries(
    session: AsyncSession, actor: Actor, farmer_id: int, page: PageRequest, municipality_id: int | None = None
) -> Page[EntryView]:
    """One page of a farmer's entries (with one municipality, or all for himself and admins), by value date,
    then id; who may see them as in ``get_account``."""
    municipality_id, stmt = await _entries_query(session, actor, farmer_id, municipality_id)
    rows = [EntryView.of(entry, frozen) for entry, frozen in await session.execute(keyset(stmt, ENTRY_KEYS, page))]
    return finish(rows, page, lambda e: (e.value_date, e.id))


async def unsettled_balance(session: AsyncSession, farmer_id: int, municipality_id: int) -> int:
    balance = await session.scalar(
        select(func.coalesce(func.sum(col(LedgerEntry.amount_cents)), 0))
        .join(Settlement, col(Settlement.id) == col(LedgerEntry.settlement_id))
        .where(
            col(LedgerEntry.farmer_id) == farmer_id,
            col(LedgerEntry.municipality_id) == municipality_id,
            col(Settlement.frozen).is_(False),
        )
    )
    return int(balance or 0)  # an aggregate: always one row


@dataclass
class FarmerBalance:
    farmer_id: int
    name: str
    balance_cents: int
    entry_count: int


BALANCE_ORDER = "balances:name,id"
_FARMER: ColumnClause[int] = column("farmer_id")
_NAME: ColumnClause[str] = column("name")
_BALANCE: ColumnClause[int] = column("balance")
BALANCE_SORTS = sorts("balances", {"name": (_NAME, _FARMER), "balance": (_BALANCE, _FARMER)}, default="name",
                      tags={"name": BALANCE_ORDER})
"""The balances list's orders (``sort``): by name (the default) or balance, either way, then farmer id."""


async def page_farmer_balances(
    session: AsyncSession, actor: Actor, municipality_id: int, page: PageRequest, *, query: str | None = None,
    sort: Sort | None = None,
) -> Page[FarmerBalance]:
    """One page (by name or balance, then id: ``sort``) of the farmers who have an account at
    ``municipality_id``, with their balance there (staff of that municipality, admin). One query: the
    municipality's entries summed per farmer from the covering index ``ix_ledger_entries_balances_cover`` (an
    index-only scan of that municipality's rows, never the ledger of the network), joined to the users, then
    ordered; ``query`` searches name and e-mail."""
    from machinery_network.accounts.models import User

    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    sort = sort or BALANCE_SORTS.choose(None)
    totals = (
        select(
            col(LedgerEntry.farmer_id).label("farmer_id"),
            func.sum(col(LedgerEntry.amount_cents)).cast(BigInteger).label("balance"),
            func.count().label("entries"),
        )
        .where(col(LedgerEntry.municipality_id) == municipality_id)
        .group_by(col(LedgerEntry.farmer_id))
        .subquery()
    )
    # Each account holder looked up by primary key (LATERAL, LIMIT 1: never a join over the network's users,
    # however few rows the planner expects of either side).
    farmer = (
        select(col(User.name), col(User.email)).where(col(User.id) == totals.c.farmer_id).limit(1).lateral("farmer")
    )
    stmt = select(totals.c.farmer_id, label("name", farmer.c.name), totals.c.balance, totals.c.entries).select_from(
        totals).join(farmer, true())
    if (pattern := search_pattern(query)) is not None:
        stmt = stmt.where(or_(farmer.c.name.ilike(pattern), farmer.c.email.ilike(pattern)))
    listed = stmt.subquery("balances")
    rows = list(await session.execute(
        keyset(select(listed), sort.keys, page, descending=sort.descending)
    ))
    found = finish(rows, page, sort.key_of)
    return Page([FarmerBalance(r.farmer_id, r.name, int(r.balance), int(r.entries)) for r in found.rows],
                found.next_cursor)


async def farmer_balances(session: AsyncSession, actor: Actor, municipality_id: int) -> list[FarmerBalance]:
    """Every active farmer with his balance at ``municipality_id`` (staff of that municipality, admin)."""
    from machinery_network.accounts.models import User

    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    rows = await session.execute(
        select(pk(User), col(User.name), func.coalesce(func.sum(col(LedgerEntry.amount_cents)), 0),
               func.count(col(LedgerEntry.id)))
        .outerjoin(LedgerEntry, (col(LedgerEntry.farmer_id) == col(User.id))
                   & (col(LedgerEntry.municipality_id) == municipality_id))
        .where(col(User.role) == Role.farmer, col(User.active).is_(True))
        .group_by(col(User.id), col(User.name))
        .order_by(col(User.name), col(User.id))
    )
    return [FarmerBalance(r[0], r[1], int(r[2]), int(r[3])) for r in rows]
