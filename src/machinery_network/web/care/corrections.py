"""The yard head's correction of a confirmed winter-service pass (``/manage/care-logs/{id}/correct``): a
new record linked to the one it corrects, confirmed at once (``care.service.correct``)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care import service
from machinery_network.care.models import CareLog, RoadCondition, WinterActivity
from machinery_network.care.schemas import CareLogCorrection
from machinery_network.config import Settings
from machinery_network.web.care.shared import TIME_FIELDS, care_context, pass_times
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import date_field, form_action, form_data, parse_decimal, present


def _correct_form_of(log: CareLog, tz: tzinfo) -> dict[str, str]:
    def hm(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%H:%M") if value else ""

    return {
        "performed_on": log.performed_on.isoformat(), "started_time": hm(log.started_at),
        "ended_time": hm(log.ended_at), "activity": log.activity or "both", "material": log.material or "",
        "amount_kg": str(log.amount_kg).replace(".", ",") if log.amount_kg is not None else "",
        "road_condition": log.road_condition or "", "weather": log.weather or "", "reason": "",
    }


async def _correct_page(db_session: AsyncSession, actor: Actor, settings: Settings, care_log_id: int, *,
                        form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                        message: str | None = None, status_code: int = 200) -> Template:
    log = await service.show_care_log(db_session, actor, care_log_id)
    section = await service.get_section(db_session, log.section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    return render(
        "care/correct.html", actor, status_code=status_code, log=log, section=section,
        form=form or _correct_form_of(log, settings.tz), errors=errors or {}, message=message,
        activities=list(WinterActivity), road_conditions=list(RoadCondition),
        when=lambda value: value.astimezone(settings.tz).strftime("%H:%M") if value else "",
        **care_context(settings),
    )


@get("/manage/care-logs/{care_log_id:int}/correct", include_in_schema=False)
async def correct_form(care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                       settings: AppSettings) -> Template:
    require_role(actor, Role.yard_head)
    return await _correct_page(db_session, actor, settings, care_log_id)


@post("/manage/care-logs/{care_log_id:int}/correct", include_in_schema=False)
async def correct_log(care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor,
                      db_session: DbSession, settings: AppSettings) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def correct() -> None:
        started, ended = pass_times(form, settings)
        data = CareLogCorrection.model_validate(present({
            "reason": (form.get("reason") or "").strip(),
            "performed_on": date_field(form.get("performed_on")),
            "started_at": started, "ended_at": ended, "activity": form.get("activity") or None,
            "material": (form.get("material") or "").strip() or None,
            "amount_kg": parse_decimal(form.get("amount_kg")),
            "weather": (form.get("weather") or "").strip() or None,
            "road_condition": form.get("road_condition") or None,
        }))
        await service.correct(db_session, actor, care_log_id, data, settings=settings)

    return await form_action(
        correct,
        lambda error: _correct_page(db_session, actor, settings, care_log_id, form=form, errors=error.fields,
                                    message=error.message, status_code=error.status_code),
        lambda _: redirect("/manage/care-logs?done=corrected", request),
        rename=TIME_FIELDS,
    )


ROUTES: list[Any] = [correct_form, correct_log]
