"""The finance office's settlement pages: the months of a municipality with the "settle" form, and one
settled month (totals, lines, who ran it, downloads). Admins choose the municipality."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality, list_municipalities
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.errors import NotFound
from machinery_network.i18n import gettext_de, month_label
from machinery_network.schemas import parse_month
from machinery_network.settlement import service
from machinery_network.settlement.schemas import SettleRequest
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import FormError, form_action, form_data
from machinery_network.web.paging import HTML_LIMIT, list_view, pager

EXPORT_FORMATS = ["csv", "datev", "pdf", "sepa-debit", "sepa-credit"]


async def _municipality_id(actor: Actor, db_session: AsyncSession, value: str | None) -> int | None:
    """Finance: always his own. Admin: the one asked for, else the first."""
    require_role(actor, Role.finance, Role.admin)
    if actor.role == Role.finance:
        return actor.municipality_id
    if value and value.isdigit():
        return int(value)
    municipalities = await list_municipalities(db_session)
    return municipalities[0].id if municipalities else None


async def _overview(
    actor: Actor, db_session: AsyncSession, settings: Settings, municipality_id: int | None, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str | None = None,
    status_code: int = 200, request: Request[Any, Any, Any] | None = None,
) -> Template:
    """The settlement overview; the settled months searchable (``q``: "03/2026", "2026"), by month or net
    total (``sort``, newest month first by default), paged (``limit``, ``HTML_LIMIT`` by default)."""
    today = clock.today(settings.tz)
    context: dict[str, Any] = {
        "municipalities": await list_municipalities(db_session) if actor.is_admin else [],
        "municipality": None, "settlements": [], "pending": [], "runs": [],
        "form": form or {"month": f"{service.previous_month(today):%Y-%m}"},
        "errors": errors or {}, "message": message, "max_month": f"{service.previous_month(today):%Y-%m}",
        "tz": settings.tz,
    }
    view = list_view(request, service.SETTLEMENT_SORTS, path="/finance/settlements", default_limit=HTML_LIMIT)
    context["view"] = view
    if municipality_id is not None:
        context["municipality"] = await get_municipality(db_session, municipality_id)
        settled = await service.page_settlements(db_session, actor, municipality_id, view.page, query=view.search,
                                                 sort=view.sort)
        context["settlements"] = settled.rows
        if request is not None:
            context["pager"] = pager(request, settled, path="/finance/settlements")
        context["pending"] = [
            (p, service.month_has_ended(p.month, today))
            for p in await service.pending_months(db_session, actor, municipality_id)
        ]
        context["runs"] = await service.recent_runs(db_session, actor, municipality_id)
    return render("settlement/index.html", actor, status_code=status_code, **context)


@get("/finance/settlements", include_in_schema=False)
async def settlements_page(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    municipality_id: FromQuery[str | None] = None,
) -> Template:
    return await _overview(actor, db_session, settings, await _municipality_id(actor, db_session, municipality_id),
                           request=request)


@post("/finance/settlements", include_in_schema=False)
async def settle_month(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    form = await form_data(request)
    municipality_id = await _municipality_id(actor, db_session, form.get("municipality_id"))
    if municipality_id is None:
        raise NotFound("municipality.not_found")

    async def settle() -> service.SettleResult:
        data = SettleRequest.model_validate({"month": form.get("month", "").strip(),
                                             "municipality_id": municipality_id})
        return await service.settle(db_session, actor, parse_month(data.month), municipality_id, trigger="web",
                                    settings=settings)

    def again(error: FormError) -> Awaitable[Template]:
        errors = dict(error.fields)
        if error.validation and "month" in errors:
            errors["month"] = gettext_de("field.month")
        return _overview(actor, db_session, settings, municipality_id, form=form, errors=errors,
                         message=error.message, status_code=error.status_code)

    def done(result: service.SettleResult) -> Response[Any]:
        month = f"{result.settlement.month:%Y-%m}"
        note = "created" if result.created else "existed"
        suffix = f"&municipality_id={municipality_id}" if actor.is_admin else ""
        return redirect(f"/finance/settlements/{month}?done={note}{suffix}", request)

    return await form_action(settle, again, done)


@get("/finance/settlements/{month:str}", include_in_schema=False)
async def settlement_page(
    request: Request[Any, Any, Any], month: FromPath[str], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    municipality_id: FromQuery[str | None] = None, done: FromQuery[str | None] = None,
) -> Template:
    """One settled month: its totals, downloads and lines (searchable by farmer, sorted by name or an
    amount, paged)."""
    try:
        first: date = parse_month(month)
    except ValueError:
        raise NotFound("settlement.not_found", month=month) from None
    mid = await _municipality_id(actor, db_session, municipality_id)
    if mid is None:
        raise NotFound("municipality.not_found")
    view = list_view(request, service.LINE_SORTS, path=request.url.path, default_limit=HTML_LIMIT)
    settlement, lines = await service.page_settlement_lines(db_session, actor, first, mid, view.page,
                                                            query=view.search, sort=view.sort)
    municipality = await get_municipality(db_session, mid)
    notice = None
    if done in ("created", "existed"):
        notice = gettext_de(f"settlement.{done}_message", month=month_label(first))
    query = f"municipality_id={mid}"
    return render(
        "settlement/detail.html", actor, settlement=settlement, lines=lines.rows, municipality=municipality,
        view=view, pager=pager(request, lines),
        month=f"{first:%Y-%m}", notice=notice, formats=EXPORT_FORMATS, query=query,
        created_at=settlement.created_at.astimezone(settings.tz),
    )


ROUTES = [settlements_page, settle_month, settlement_page]
