"""The farmer's care page (``/care``): his sections on a map and in a table with their season plan, the
report form (a phone form that also works without a connection: ``web/offline.py``) and his reports,
searchable, sortable and paged like every list that grows; the photo of a report."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_role
from machinery_network.care import service
from machinery_network.care.map import plan_status, section_features
from machinery_network.care.models import CareTask, RoadCondition, WinterActivity
from machinery_network.care.schemas import CareLogCreate
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.web.care.shared import TIME_FIELDS, care_context, pass_times
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    date_field,
    form_action,
    form_with_upload,
    int_field,
    parse_decimal,
    present,
)
from machinery_network.web.map import tiles
from machinery_network.web.offline import posted_key
from machinery_network.web.paging import HTML_LIMIT, list_view, pager


async def _farmer_page(
    request: Request[Any, Any, Any], db_session: AsyncSession, actor: Actor, settings: Settings, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str | None = None,
    notice: str | None = None, status_code: int = 200,
) -> Template:
    """The page; his reports searchable (``q``: the section), by day of the work or credit (``sort``, newest
    work first by default), paged (``limit``, ``HTML_LIMIT`` by default). Under a refused report (a post,
    whose address has no query) the first page in the default order."""
    view = list_view(request, service.CARE_LOG_SORTS, path="/care", default_limit=HTML_LIMIT)
    sections = await service.farmer_sections(db_session, actor, settings=settings)
    logs = await service.page_care_logs(db_session, actor, view.page, query=view.search, sort=view.sort)
    today = clock.today(settings.tz)
    default_section = str(sections[0].section.id) if sections else ""
    season = service.season_of(today)[1]
    statuses = {row_id(entry.section): plan_status(entry.section, entry.plan, season) for entry in sections}
    features = section_features([entry.section for entry in sections], statuses)
    return render(
        "care/my.html", actor, status_code=status_code, sections=sections, logs=logs.rows, features=features,
        view=view, pager=pager(request, logs, path="/care"),
        activities=list(WinterActivity), road_conditions=list(RoadCondition),
        has_winter=any(entry.section.task == CareTask.winter_service for entry in sections),
        **tiles(settings),
        form=form or {"section_id": default_section, "performed_on": today.isoformat(), "quantity": "", "note": ""},
        errors=errors or {}, message=message, notice=notice,
        max_mb=service.megabytes(settings.upload_max_bytes), max_bytes=settings.upload_max_bytes, plan_year=service.season_of(today)[0],
        **care_context(settings),
    )


@get("/care", include_in_schema=False)
async def my_sections(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    reported: FromQuery[str | None] = None,
) -> Template:
    require_role(actor, Role.farmer)
    notice = gettext_de("care.reported_ok") if reported else None
    return await _farmer_page(request, db_session, actor, settings, notice=notice)


@post("/care/report", include_in_schema=False)
async def report_work(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.farmer)
    form, upload = await form_with_upload(request)
    photo: bytes | None = None
    if upload is not None and upload.filename:
        photo = await upload.read(settings.upload_max_bytes + 1)

    async def report() -> None:
        started, ended = pass_times(form, settings)
        data = CareLogCreate.model_validate(present({
            "section_id": int_field(form.get("section_id")),
            "performed_on": date_field(form.get("performed_on")),
            "quantity": parse_decimal(form.get("quantity")),
            "note": (form.get("note") or "").strip() or None,
            "started_at": started,
            "ended_at": ended,
            "activity": form.get("activity") or None,
            "material": (form.get("material") or "").strip() or None,
            "amount_kg": parse_decimal(form.get("amount_kg")),
            "weather": (form.get("weather") or "").strip() or None,
            "road_condition": form.get("road_condition") or None,
        }))
        await service.report_once(db_session, actor, data, posted_key(request, form, actor), photo=photo,
                                  settings=settings)

    return await form_action(
        report,
        lambda error: _farmer_page(request, db_session, actor, settings, form=form, errors=error.fields,
                                   message=error.message, status_code=error.status_code),
        lambda _: redirect("/care?reported=1", request),
        rename=TIME_FIELDS,
    )


@get("/care-logs/{care_log_id:int}/photo", include_in_schema=False)
async def care_log_photo(
    care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> File:
    path, content_type = await service.photo_file(db_session, actor, care_log_id, settings=settings)
    return File(path=path, media_type=content_type, content_disposition_type="inline",
                headers={"X-Content-Type-Options": "nosniff"})


ROUTES: list[Any] = [my_sections, report_work, care_log_photo]
