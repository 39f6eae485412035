"""The yard head's inbox of care reports (``/manage/care-logs``): the open reports, searchable, sortable
and paged, to confirm or reject; then the latest decided ones."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.care import service
from machinery_network.care.models import CareLogStatus
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.web.care.shared import RECENT_LOGS, care_context
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import form_action, form_data
from machinery_network.web.paging import HTML_LIMIT, list_view, pager


async def _inbox(
    db_session: AsyncSession, actor: Actor, settings: Settings, *, message: str | None = None,
    reject_errors: dict[int, str] | None = None, notice: str | None = None, status_code: int = 200,
    request: Request[Any, Any, Any] | None = None,
) -> Template:
    """The care reports of the municipality: the open ones by default (``status``: another status or
    ``all``), searchable (``q``: section or farmer), by day of the work or credit (``sort``, newest work first
    by default), paged (``limit``, ``HTML_LIMIT`` by default); then the latest decided ones."""
    require_role(actor, Role.yard_head)
    view = list_view(request, service.CARE_LOG_SORTS, path="/manage/care-logs", default_limit=HTML_LIMIT)
    asked = request.query_params.get("status") if request is not None else None
    status = asked if asked in CareLogStatus.__members__ or asked == "all" else CareLogStatus.reported
    listed = await service.page_care_logs(db_session, actor, view.page, status=None if status == "all" else status,
                                          query=view.search, sort=view.sort)
    decided = await service.list_care_logs(
        db_session, actor, exclude_status=CareLogStatus.reported, limit=RECENT_LOGS
    )
    return render(
        "care/inbox.html", actor, status_code=status_code, open_logs=listed.rows, decided=decided, message=message,
        pager=pager(request, listed, path="/manage/care-logs") if request is not None else None, view=view,
        status=status, statuses=list(CareLogStatus), reject_errors=reject_errors or {}, notice=notice,
        **care_context(settings),
    )


@get("/manage/care-logs", include_in_schema=False)
async def care_inbox(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    done: FromQuery[str | None] = None,
) -> Template:
    notice = {"confirmed": gettext_de("care.confirmed_ok"), "rejected": gettext_de("care.rejected_ok"),
              "corrected": gettext_de("care.corrected_ok")}.get(done or "")
    return await _inbox(db_session, actor, settings, notice=notice, request=request)


@post("/manage/care-logs/{care_log_id:int}/confirm", include_in_schema=False)
async def confirm_log(
    care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    return await form_action(
        lambda: service.confirm(db_session, actor, care_log_id, settings=settings),
        lambda error: _inbox(db_session, actor, settings, message=error.message, status_code=error.status_code),
        lambda _: redirect("/manage/care-logs?done=confirmed", request),
    )


@post("/manage/care-logs/{care_log_id:int}/reject", include_in_schema=False)
async def reject_log(
    care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)
    reason = (form.get("reason") or "").strip()

    async def reject() -> None:
        if len(reason) > 2000:
            raise Invalid("field.too_long", field="reason", max=2000)
        await service.reject(db_session, actor, care_log_id, reason, settings=settings)

    return await form_action(
        reject,
        lambda error: _inbox(db_session, actor, settings, message=error.message,
                             reject_errors={care_log_id: error.message}, status_code=error.status_code),
        lambda _: redirect("/manage/care-logs?done=rejected", request),
    )


ROUTES: list[Any] = [care_inbox, confirm_log, reject_log]
