"""Account pages: the farmer's own account (balances per municipality, entries, past statements), and
the yard head's / finance office's view of a farmer's account with the adjustment and reversal forms."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_farmer, get_municipality, list_municipalities
from machinery_network.auth import Actor, own_id, require_role
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.ledger import service
from machinery_network.ledger.schemas import AdjustmentCreate, ReversalCreate
from machinery_network.paging import Page
from machinery_network.settlement.service import farmer_statements
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import form_action, form_data, parse_euros
from machinery_network.web.paging import HTML_LIMIT, list_view, pager


@get("/account", include_in_schema=False)
async def my_account(actor: CurrentActor, db_session: DbSession) -> Template:
    farmer_id = own_id(actor, Role.farmer)
    account = await service.get_account(db_session, actor, farmer_id)
    names = {m.id: m.name for m in await list_municipalities(db_session)}
    balances: dict[int, dict[str, Any]] = {}
    for entry in account.entries:
        b = balances.setdefault(entry.municipality_id, {"name": names.get(entry.municipality_id, ""),
                                                        "balance": 0, "unsettled": 0})
        b["balance"] += entry.amount_cents
        if entry.settlement_id is None:
            b["unsettled"] += entry.amount_cents
    statements = await farmer_statements(db_session, actor, farmer_id)
    return render(
        "ledger/account.html", actor, account=account, names=names,
        balances=sorted(balances.values(), key=lambda b: b["name"]), statements=statements,
        entries=list(reversed(account.entries)),
    )


def _staff_municipality(actor: Actor, municipality_id: str | None) -> int | None:
    require_role(actor, Role.yard_head, Role.finance, Role.admin)
    if actor.role != Role.admin:
        return actor.municipality_id
    return int(municipality_id) if municipality_id and municipality_id.isdigit() else None


@get("/manage/accounts", include_in_schema=False)
async def farmers_page(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, municipality_id: FromQuery[str | None] = None,
) -> Template:
    """The farmers with an account at the municipality and their balance: searchable (``q``), by name or
    balance (``sort``), paged (``limit``, ``HTML_LIMIT`` by default)."""
    mid = _staff_municipality(actor, municipality_id)
    municipalities = await list_municipalities(db_session) if actor.is_admin else []
    if mid is None and municipalities:
        mid = municipalities[0].id
    view = list_view(request, service.BALANCE_SORTS, path="/manage/accounts", default_limit=HTML_LIMIT)
    farmers: Page[service.FarmerBalance] = Page([], None)
    if mid:
        farmers = await service.page_farmer_balances(db_session, actor, mid, view.page, query=view.search,
                                                     sort=view.sort)
    municipality = await get_municipality(db_session, mid) if mid else None
    return render("ledger/farmers.html", actor, farmers=farmers.rows, municipality=municipality,
                  municipalities=municipalities, view=view, pager=pager(request, farmers))


async def _staff_account_page(
    actor: Actor, db_session: AsyncSession, settings: Settings, farmer_id: int, municipality_id: int | None, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str | None = None, status_code: int = 200,
    notice: str | None = None,
) -> Template:
    farmer = await get_farmer(db_session, farmer_id)
    account = await service.get_account(db_session, actor, farmer_id, municipality_id)
    municipality = await get_municipality(db_session, account.municipality_id) if account.municipality_id else None
    reversed_ids = {e.reverses_entry_id for e in account.entries if e.reverses_entry_id}
    today = clock.today(settings.tz)
    statements = await farmer_statements(db_session, actor, farmer_id, account.municipality_id)
    return render(
        "ledger/staff_account.html", actor, status_code=status_code, farmer=farmer, account=account,
        municipality=municipality, entries=list(reversed(account.entries)), reversed_ids=reversed_ids,
        can_post=actor.role in (Role.yard_head, Role.finance), today=today.isoformat(),
        form=form or {"value_date": today.isoformat(), "amount": "", "reason": ""}, errors=errors or {},
        message=message, notice=notice, statements=statements,
    )


@get("/manage/accounts/{farmer_id:int}", include_in_schema=False)
async def farmer_account_page(
    farmer_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    municipality_id: FromQuery[str | None] = None, done: FromQuery[str | None] = None,
) -> Template:
    mid = _staff_municipality(actor, municipality_id)
    notice = gettext_de("ledger.posted") if done else None
    return await _staff_account_page(actor, db_session, settings, farmer_id, mid, notice=notice)


@post("/manage/accounts/{farmer_id:int}/adjustments", include_in_schema=False)
async def post_adjustment(
    farmer_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head, Role.finance)
    form = await form_data(request)

    async def post_entry() -> None:
        data = AdjustmentCreate.model_validate({
            "municipality_id": actor.municipality_id, "value_date": form.get("value_date", ""),
            "amount_cents": parse_euros(form.get("amount")), "reason": form.get("reason", ""),
        })
        await service.post_adjustment(
            db_session, actor, farmer_id=farmer_id, municipality_id=data.municipality_id,
            value_date=data.value_date, amount_cents=data.amount_cents, reason=data.reason, settings=settings,
        )

    return await form_action(
        post_entry,
        lambda error: _staff_account_page(actor, db_session, settings, farmer_id, actor.municipality_id, form=form,
                                          errors=error.fields, message=error.message, status_code=error.status_code),
        lambda _: redirect(f"/manage/accounts/{farmer_id}?done=1", request),
        rename={"amount_cents": "amount"},
    )


@post("/manage/accounts/{farmer_id:int}/entries/{entry_id:int}/reverse", include_in_schema=False)
async def reverse_entry(
    farmer_id: FromPath[int], entry_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor,
    db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head, Role.finance)
    form = await form_data(request)

    async def reverse() -> None:
        data = ReversalCreate.model_validate({"value_date": form.get("value_date", ""),
                                              "reason": form.get("reason", "")})
        await service.reverse_entry(db_session, actor, entry_id, value_date=data.value_date, reason=data.reason,
                                    farmer_id=farmer_id, settings=settings)

    return await form_action(
        reverse,
        lambda error: _staff_account_page(actor, db_session, settings, farmer_id, actor.municipality_id,
                                          message=error.message, status_code=error.status_code),
        lambda _: redirect(f"/manage/accounts/{farmer_id}?done=1", request),
    )


ROUTES = [my_account, farmers_page, farmer_account_page, post_adjustment, reverse_entry]
