"""HTML pages of the care domain: the farmer's sections and report form (``/care``), the yard head's
sections with plan status and assignments (``/manage/sections``), the map, the winter-service proof
downloads and the inbox of reports to confirm (``/manage/care-logs``)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import File, Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import USER_ORDER, get_municipality, page_users
from machinery_network.auth import Actor, own_municipality, require_for_municipality, require_role
from machinery_network.care import proof as proof_files
from machinery_network.care import service
from machinery_network.care.map import (
    plan_status,
    section_features,
)
from machinery_network.care.models import (
    Assignment,
    CareLogStatus,
    CareTask,
    RoadCondition,
    Section,
    WinterActivity,
)
from machinery_network.care.schemas import (
    SEASONS,
    AssignmentCreate,
    AssignmentEnd,
    CareLogCorrection,
    CareLogCreate,
    SectionCreate,
    SectionUpdate,
)
from machinery_network.care.seasons import winter_start
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.paging import PageRequest
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    FormError,
    date_field,
    euros_input,
    form_action,
    form_data,
    form_with_upload,
    int_field,
    parse_decimal,
    parse_euros,
    present,
)
from machinery_network.web.map import section_choices, tiles
from machinery_network.web.offline import posted_key
from machinery_network.web.paging import HTML_LIMIT, list_view, pager

RECENT_LOGS = 30


def _common(settings: Settings) -> dict[str, Any]:
    return {"de_date": service.de_date, "today": clock.today(settings.tz), "seasons": SEASONS}


# --- farmer: my sections and the report form --------------------------------------------------------


async def _farmer_page(
    db_session: AsyncSession, actor: Actor, settings: Settings, *, form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, message: str | None = None, notice: str | None = None,
    status_code: int = 200,
) -> Template:
    sections = await service.farmer_sections(db_session, actor, settings=settings)
    logs = await service.list_care_logs(db_session, actor, limit=RECENT_LOGS)
    today = clock.today(settings.tz)
    default_section = str(sections[0].section.id) if sections else ""
    season = service.season_of(today)[1]
    statuses = {row_id(entry.section): plan_status(entry.section, entry.plan, season) for entry in sections}
    features = section_features([entry.section for entry in sections], statuses)
    return render(
        "care/my.html", actor, status_code=status_code, sections=sections, logs=logs, features=features,
        activities=list(WinterActivity), road_conditions=list(RoadCondition),
        has_winter=any(entry.section.task == CareTask.winter_service for entry in sections),
        **tiles(settings),
        form=form or {"section_id": default_section, "performed_on": today.isoformat(), "quantity": "", "note": ""},
        errors=errors or {}, message=message, notice=notice,
        max_mb=service.megabytes(settings.upload_max_bytes), max_bytes=settings.upload_max_bytes, plan_year=service.season_of(today)[0],
        **_common(settings),
    )


@get("/care", include_in_schema=False)
async def my_sections(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, reported: FromQuery[str | None] = None
) -> Template:
    require_role(actor, Role.farmer)
    notice = gettext_de("care.reported_ok") if reported else None
    return await _farmer_page(db_session, actor, settings, notice=notice)


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
        started = _instant(form.get("performed_on"), form.get("started_time"), settings)
        ended = _instant(form.get("performed_on"), form.get("ended_time"), settings)
        if isinstance(started, datetime) and isinstance(ended, datetime) and ended <= started:
            ended += timedelta(days=1)  # a pass past midnight
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
        lambda error: _farmer_page(db_session, actor, settings, form=form, errors=error.fields,
                                   message=error.message, status_code=error.status_code),
        lambda _: redirect("/care?reported=1", request),
        rename={"started_at": "started_time", "ended_at": "ended_time"},
    )


def _instant(day_text: str | None, time_text: str | None, settings: Settings) -> datetime | str | None:
    """A winter pass's clock time on the work day, in the network's zone (unreadable text passes on to
    the schema, which names the field)."""
    if not (time_text or "").strip():
        return None
    try:
        day = date.fromisoformat((day_text or "").strip())
        at = time.fromisoformat((time_text or "").strip())
    except ValueError:
        return (time_text or "").strip()
    return datetime.combine(day, at, tzinfo=settings.tz)


@get("/care-logs/{care_log_id:int}/photo", include_in_schema=False)
async def care_log_photo(
    care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> File:
    path, content_type = await service.photo_file(db_session, actor, care_log_id, settings=settings)
    return File(path=path, media_type=content_type, content_disposition_type="inline",
                headers={"X-Content-Type-Options": "nosniff"})


# --- yard head: sections, plan status, assignments -------------------------------------------------------


_EMPTY_SECTION = {
    "name": "", "kind": "path", "length_m": "", "task": "verge_mowing", "unit": "metre", "rate": "",
    "passes_spring": "", "passes_summer": "", "passes_autumn": "", "passes_winter": "", "geometry": "",
}


async def _sections_page(
    db_session: AsyncSession, actor: Actor, settings: Settings, *, form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, message: str | None = None, assign_errors: dict[int | None, str] | None = None,
    notice: str | None = None, status_code: int = 200, assign_choices: dict[int, list[User]] | None = None,
    assign_form: dict[int, dict[str, str]] | None = None,
) -> Template:
    """The sections page. A farmer is assigned by a search field (name or e-mail, searched in SQL when the
    form is sent), never a list of every farmer of the network: one match is taken, several are offered
    (at most ``FARMER_CHOICES``) to pick from in that section's row."""
    municipality_id = own_municipality(actor, Role.yard_head)
    municipality = await get_municipality(db_session, municipality_id)
    sections = await service.list_sections(db_session, municipality_id=municipality_id)
    today = clock.today(settings.tz)
    year, season = service.season_of(today)
    plan = await service.season_plan(db_session, actor, municipality_id, year, settings=settings)
    plan_by_section: dict[int, list[service.PlanRow]] = {}
    for row in plan:
        plan_by_section.setdefault(row_id(row.section), []).append(row)
    assignees = await service.current_assignees(db_session, [row_id(s) for s in sections], today)
    return render(
        "care/sections.html", actor, status_code=status_code, municipality=municipality, sections=sections,
        plan=plan_by_section, assignees=assignees, assign_choices=assign_choices or {},
        assign_form=assign_form or {}, year=year,
        current_season=season, overdue=sum(1 for row in plan if row.overdue),
        form=form or dict(_EMPTY_SECTION), errors=errors or {}, message=message,
        assign_errors=assign_errors or {}, notice=notice, section_id=None, **section_choices(),
        winter_sections=[s for s in sections if s.task == CareTask.winter_service],
        proof_from=winter_start(today),
        context_features=section_features(
            sections, {row_id(s): plan_status(s, plan_by_section.get(row_id(s), []), season) for s in sections}),
        **tiles(settings), **_common(settings),
    )


@get("/manage/sections", include_in_schema=False)
async def manage_sections(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, saved: FromQuery[str | None] = None
) -> Template:
    notice = {
        "section": gettext_de("care.section_saved"),
        "assignment": gettext_de("care.assigned_ok"),
        "ended": gettext_de("care.assignment_ended"),
    }.get(saved or "")
    return await _sections_page(db_session, actor, settings, notice=notice)


def _section_values(form: dict[str, str], municipality_id: int | None) -> dict[str, Any]:
    passes: dict[str, Any] = {}
    for season in SEASONS:
        raw = (form.get(f"passes_{season}") or "").strip()
        if raw:
            passes[season] = int_field(raw)
    geometry_text = (form.get("geometry") or "").strip()
    geometry: Any = None
    if geometry_text:
        try:
            geometry = json.loads(geometry_text)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            geometry = geometry_text  # refused by the schema as not a LineString
    return {
        "municipality_id": municipality_id,
        "winter_duty": _duty_of(form),
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "length_m": int_field(form.get("length_m")),
        "task": form.get("task", ""),
        "unit": form.get("unit", ""),
        "rate_cents": parse_euros(form.get("rate")),
        "planned_passes": passes or None,
        "geometry": geometry,
    }


def _duty_of(form: dict[str, str]) -> dict[str, str] | None:
    """The duty-time fields (None when they hold the defaults: working days 07:00, holidays 09:00)."""
    workday = (form.get("duty_workday_by") or "07:00").strip()[:5]
    holiday = (form.get("duty_holiday_by") or "09:00").strip()[:5]
    every_day = form.get("duty_every_day") == "on"
    if (workday, holiday, every_day) == ("07:00", "09:00", False):
        return None
    return {"workday_by": workday, "holiday_by": holiday, "days": "every_day" if every_day else "service_days"}


# schema field → form field
_SECTION_FIELD_OF = {"rate_cents": "rate", "planned_passes": "passes", "winter_duty": "duty"}


def _section_field_errors(error: FormError) -> dict[str, str]:
    """A schema refusal of the passes or the geometry names what the field expects."""
    errors = dict(error.fields)
    if error.validation:
        if "passes" in errors:
            errors["passes"] = gettext_de("care.passes_invalid")
        if "geometry" in errors:
            errors["geometry"] = gettext_de("care.geometry_invalid")
        if "duty" in errors:
            errors["duty"] = gettext_de("care.duty_invalid")
    return errors


@post("/manage/sections/new", include_in_schema=False)
async def create_section(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def create() -> None:
        data = SectionCreate.model_validate(present(_section_values(form, actor.municipality_id)))
        await service.create_section(db_session, actor, data)

    return await form_action(
        create,
        lambda error: _sections_page(db_session, actor, settings, form=form, errors=_section_field_errors(error),
                                     message=error.message, status_code=error.status_code),
        lambda _: redirect("/manage/sections?saved=section", request),
        rename=_SECTION_FIELD_OF,
    )


_ASSIGN_LABELS = {"farmer_id": "care.farmer", "valid_from": "care.valid_from", "valid_to": "care.valid_to"}


def _form_of(section: Section) -> dict[str, str]:
    passes = section.planned_passes or {}
    duty = section.winter_duty or {}
    return {
        "duty_workday_by": duty.get("workday_by", "07:00"), "duty_holiday_by": duty.get("holiday_by", "09:00"),
        "duty_every_day": "on" if duty.get("days") == "every_day" else "",
        "name": section.name, "kind": section.kind, "length_m": str(section.length_m), "task": section.task,
        "unit": section.unit, "rate": euros_input(section.rate_cents),
        **{f"passes_{season}": str(passes.get(season) or "") for season in SEASONS},
        "geometry": json.dumps(section.geometry) if section.geometry else "",
        "active": "on" if section.active else "",
    }


def _render_edit(actor: Actor, section_id: int, form: dict[str, str], errors: dict[str, str], message: str | None,
                 settings: Settings, status_code: int = 200) -> Template:
    return render("care/section_edit.html", actor, status_code=status_code, section_id=section_id, form=form,
                  errors=errors, message=message, seasons=SEASONS, **section_choices(), **tiles(settings),
                  context_features=section_features([], {}))


@get("/manage/sections/{section_id:int}/edit", include_in_schema=False)
async def edit_section_form(
    section_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    section = await service.get_section(db_session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    return _render_edit(actor, section_id, _form_of(section), {}, None, settings)


@post("/manage/sections/{section_id:int}/edit", include_in_schema=False)
async def update_section(
    section_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    section = await service.get_section(db_session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    form = await form_data(request)

    async def update() -> None:
        # The whole form is validated like a new section (every required field present), then applied.
        full = SectionCreate.model_validate(
            present({**_section_values(form, section.municipality_id), "active": form.get("active") == "on"})
        )
        if full.geometry is None and full.length_m is None:  # the full form has no length to keep
            raise Invalid("care.length_required", field="length_m")
        changes = SectionUpdate.model_validate(full.model_dump(exclude={"municipality_id"}))
        await service.update_section(db_session, actor, section_id, changes)

    return await form_action(
        update,
        lambda error: _render_edit(actor, section_id, form, _section_field_errors(error), error.message,
                                   settings, error.status_code),
        lambda _: redirect("/manage/sections?saved=section", request),
        rename=_SECTION_FIELD_OF,
    )


@post("/manage/assignments/{assignment_id:int}/end", include_in_schema=False)
async def end_assignment(
    assignment_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def end() -> Assignment:
        data = AssignmentEnd.model_validate(present({"valid_to": date_field(form.get("valid_to"))}))
        return await service.end_assignment(db_session, actor, assignment_id, data.valid_to)

    async def again(error: FormError) -> Template:
        if error.validation:
            return await _sections_page(db_session, actor, settings, message=gettext_de("field.date"),
                                        status_code=error.status_code)
        section_id = await _section_of_assignment(db_session, assignment_id)
        return await _sections_page(db_session, actor, settings, assign_errors={section_id: error.message},
                                    message=error.message, status_code=error.status_code)

    return await form_action(
        end, again,
        lambda assignment: redirect(f"/manage/sections?saved=ended#section-{assignment.section_id}", request),
    )


async def _section_of_assignment(db_session: AsyncSession, assignment_id: int) -> int | None:
    assignment = await db_session.get(Assignment, assignment_id)
    return assignment.section_id if assignment else None


@post("/manage/sections/{section_id:int}/assign", include_in_schema=False)
async def assign_section(
    section_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)
    choices: list[Any] = []

    async def assign() -> None:
        farmer_id = int_field(form.get("farmer_id")) if form.get("farmer_id") else None
        if farmer_id is None:
            farmer_id = await find_farmer(db_session, actor, form.get("farmer_q", ""), choices)
        data = AssignmentCreate.model_validate(present({
            "farmer_id": farmer_id,
            "valid_from": date_field(form.get("valid_from")),
            "valid_to": date_field(form.get("valid_to")),
        }))
        await service.assign(db_session, actor, section_id, data)

    def assign_error(error: FormError) -> str:
        """The refusal in the section's row: for a schema refusal each field named."""
        if not error.validation:
            return error.message
        return "; ".join(f"{gettext_de(_ASSIGN_LABELS.get(k, 'care.assign'))}: {v}" for k, v in error.fields.items())

    return await form_action(
        assign,
        lambda error: _sections_page(db_session, actor, settings, assign_errors={section_id: assign_error(error)},
                                     message=error.message, status_code=error.status_code,
                                     assign_choices={section_id: choices}, assign_form={section_id: form}),
        lambda _: redirect("/manage/sections?saved=assignment", request),
    )


FARMER_CHOICES = 20


async def find_farmer(session: AsyncSession, actor: Actor, text: str, choices: list[Any]) -> int:
    """The farmer the search text names: an exact e-mail address, or the only farmer whose name or address
    contains it. Several matches fill ``choices`` (at most ``FARMER_CHOICES``) and refuse with a 422."""
    text = text.strip()
    if not text:
        raise Invalid("care.farmer_search_empty", field="farmer_id")
    page = await page_users(
        session, actor, PageRequest(limit=FARMER_CHOICES, order=USER_ORDER), query=text, partners_only=False
    )
    exact = [u for u in page.rows if u.email.lower() == text.lower()]
    if len(exact) == 1:
        return row_id(exact[0])
    if len(page.rows) == 1:
        return row_id(page.rows[0])
    if not page.rows:
        raise Invalid("care.farmer_not_found", field="farmer_id", text=text)
    choices.extend(page.rows)
    raise Invalid("care.farmer_choose" if page.next_cursor is None else "care.farmer_narrow", field="farmer_id")


@get("/manage/sections/winter-proof", include_in_schema=False)
async def winter_proof_download(
    actor: CurrentActor,
    db_session: DbSession,
    settings: AppSettings,
    start: Annotated[str, QueryParameter(name="from")] = "",
    end: Annotated[str, QueryParameter(name="to")] = "",
    section_id: FromQuery[str] = "",
    fmt: Annotated[str, QueryParameter(name="format")] = "csv",
) -> Response[Any]:
    municipality_id = own_municipality(actor, Role.yard_head, Role.finance)
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise Invalid("field.date", field="from") from exc
    proof_files.check_format(fmt)
    chosen = int_field(section_id)
    if isinstance(chosen, str):
        raise Invalid("field.invalid", field="section_id")
    proof = await service.winter_proof(
        db_session, actor, municipality_id, first, last, section_id=chosen, settings=settings
    )
    file = proof_files.render(proof, fmt, settings.tz)
    return Response(content=file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


# --- yard head: the inbox of reports ----------------------------------------------------------------------


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
        **_common(settings),
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


# --- yard head: correcting a confirmed winter-service pass (a new linked record) ------------------------


def _correct_form_of(log: Any, tz: Any) -> dict[str, str]:
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
        when=lambda value: value.astimezone(settings.tz).strftime("%H:%M") if value else "", **_common(settings),
    )


@get("/manage/care-logs/{care_log_id:int}/correct", include_in_schema=False)
async def correct_form(care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                       settings: AppSettings) -> Template:
    require_role(actor, Role.yard_head)
    return await _correct_page(db_session, actor, settings, care_log_id)


@post("/manage/care-logs/{care_log_id:int}/correct", include_in_schema=False)
async def correct_log(care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
                      settings: AppSettings) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def correct() -> None:
        started = _instant(form.get("performed_on"), form.get("started_time"), settings)
        ended = _instant(form.get("performed_on"), form.get("ended_time"), settings)
        if isinstance(started, datetime) and isinstance(ended, datetime) and ended <= started:
            ended += timedelta(days=1)
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
        rename={"started_at": "started_time", "ended_at": "ended_time"},
    )


ROUTES = [
    correct_form, correct_log,
    my_sections, report_work, care_log_photo, manage_sections, create_section, edit_section_form, update_section,
    end_assignment, assign_section,
    winter_proof_download, care_inbox, confirm_log,
    reject_log,
]
