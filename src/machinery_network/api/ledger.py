"""JSON routes of the ledger: a farmer's account, manual adjustments, reversals."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from machinery_network.accounts.models import Role
from machinery_network.api.paging import Paging, paged_response
from machinery_network.auth import require_role
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.ledger import service
from machinery_network.ledger.models import LedgerEntry
from machinery_network.ledger.schemas import (
    AccountPublic,
    AdjustmentCreate,
    BalancePublic,
    EntryPublic,
    ReversalCreate,
)
from machinery_network.ledger.service import EntryView


def _public(entry: LedgerEntry) -> EntryPublic:
    return EntryPublic.of(EntryView.of(entry, settled=False))  # a new entry is never settled yet


class AccountController(Controller):
    path = "/accounts"
    tags = ["ledger"]

    @get("/")
    async def balances(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        municipality_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """The farmers with an account at the municipality (the staff's own; the admin names one) and their
        balance there: by name (``sort``: ``name`` or ``balance``, ``-`` first for descending, each then by
        farmer id); ``q`` searches name and e-mail address; paged (``limit``, ``cursor``, ``Link``)."""
        require_role(actor, Role.yard_head, Role.finance, Role.admin)
        mid = municipality_id if municipality_id is not None else actor.municipality_id
        if mid is None:
            raise Invalid("field.required", field="municipality_id")
        order = service.BALANCE_SORTS.choose(sort)
        found = await service.page_farmer_balances(db_session, actor, mid, order.page(paging.limit, paging.cursor), query=q,
                                                   sort=order)
        return paged_response(request, found, lambda b: BalancePublic(
            farmer_id=b.farmer_id, municipality_id=mid, name=b.name, balance_cents=b.balance_cents,
            entry_count=b.entry_count))

    @get("/{farmer_id:int}")
    async def show(
        self, farmer_id: FromPath[int], actor: CurrentActor, db_session: DbSession, municipality_id: FromQuery[int | None] = None
    ) -> AccountPublic:
        return AccountPublic.of(await service.get_account(db_session, actor, farmer_id, municipality_id))

    @get("/{farmer_id:int}/entries")
    async def entries(
        self,
        request: Request[Any, Any, Any],
        farmer_id: FromPath[int],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        municipality_id: FromQuery[int | None] = None,
    ) -> Response[list[Any]]:
        """The account's entries paged (by value date, then id); the same rows as ``entries`` of the account."""
        page = paging.page(order=service.ENTRY_ORDER, width=len(service.ENTRY_KEYS))
        entries = await service.page_entries(db_session, actor, farmer_id, page, municipality_id)
        return paged_response(request, entries, EntryPublic.of)

    @post("/{farmer_id:int}/adjustments")
    async def adjust(
        self, farmer_id: FromPath[int], data: JSONBody[AdjustmentCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> EntryPublic:
        entry = await service.post_adjustment(
            db_session, actor, farmer_id=farmer_id, municipality_id=data.municipality_id,
            value_date=data.value_date, amount_cents=data.amount_cents, reason=data.reason, settings=settings,
        )
        return _public(entry)

    @post("/{farmer_id:int}/entries/{entry_id:int}/reverse")
    async def reverse(
        self, farmer_id: FromPath[int], entry_id: FromPath[int], data: JSONBody[ReversalCreate], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> EntryPublic:
        entry = await service.reverse_entry(
            db_session, actor, entry_id, value_date=data.value_date, reason=data.reason, farmer_id=farmer_id,
            settings=settings,
        )
        return _public(entry)


ROUTES = [AccountController]
