"""The yard head's sections page (``/manage/sections``): every section of his municipality with its season
plan status, its current farmer and the assignment form, the map, the new-section form; and a section's
edit page. Assigning (``assignments``) and the proof download (``proof``) answer on this page too."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, own_municipality, require_for_municipality, require_role
from machinery_network.care import service
from machinery_network.care.map import plan_status, section_features
from machinery_network.care.models import CareTask, Section
from machinery_network.care.schemas import SEASONS, SectionCreate, SectionUpdate
from machinery_network.care.seasons import winter_start
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.web.care.shared import care_context
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    FormError,
    euros_input,
    form_action,
    form_data,
    int_field,
    parse_euros,
    present,
)
from machinery_network.web.map import section_choices, tiles

_EMPTY_SECTION = {
    "name": "", "kind": "path", "length_m": "", "task": "verge_mowing", "unit": "metre", "rate": "",
    "passes_spring": "", "passes_summer": "", "passes_autumn": "", "passes_winter": "", "geometry": "",
}


async def sections_page(
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
        **tiles(settings), **care_context(settings),
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
    return await sections_page(db_session, actor, settings, notice=notice)


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
        lambda error: sections_page(db_session, actor, settings, form=form, errors=_section_field_errors(error),
                                    message=error.message, status_code=error.status_code),
        lambda _: redirect("/manage/sections?saved=section", request),
        rename=_SECTION_FIELD_OF,
    )


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


ROUTES: list[Any] = [manage_sections, create_section, edit_section_form, update_section]
