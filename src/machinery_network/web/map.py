"""The map pages of the care domain (Leaflet, ``static/map.js``): the sections on tiles coloured by plan
status (``/manage/sections/map``), the import from the municipality's GIS with a preview on the map
(``/manage/sections/import``), and a winter pass's GPS track with the stretches of its section it covered
(``/care-logs/{id}/map``). Every map has its content as a list beside it, and ``tiles`` and
``section_choices`` serve the other care pages that carry a map or a section form."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_role
from machinery_network.care import gis
from machinery_network.care.assignments import current_assignees
from machinery_network.care.map import (
    COVERAGE_STYLE,
    STATUS_COLOURS,
    coverage_features,
    coverage_text,
    latest_tracks,
    metres_de,
    pass_coverage,
    plan_status,
    section_features,
)
from machinery_network.care.models import CareTask, SectionKind, SectionUnit
from machinery_network.care.plan import season_plan
from machinery_network.care.schemas import SectionImportOptions
from machinery_network.care.seasons import de_date, season_of
from machinery_network.care.sections import import_sections, list_sections
from machinery_network.care.track import TOLERANCE_M
from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotAllowed
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    FormError,
    form_action,
    form_data,
    form_with_upload,
    parse_euros,
    present,
)


def tiles(settings: Settings) -> dict[str, Any]:
    """What a Leaflet map of a page needs besides its features: the tile source (MN_MAP_TILES)."""
    return {"tiles": settings.map_tiles, "attribution": settings.map_attribution, "colours": STATUS_COLOURS}


def section_choices() -> dict[str, Any]:
    """The choices of a section form (and of the import): kinds, tasks, units."""
    return {"kinds": list(SectionKind), "tasks": list(CareTask), "units": list(SectionUnit)}


def _own_municipality(actor: Actor) -> int:
    if actor.municipality_id is None:
        raise NotAllowed()
    return actor.municipality_id


# --- the sections on tiles, coloured by plan status, with the list as text ------------------------------

@get("/manage/sections/map", include_in_schema=False)
async def sections_map(actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> Template:
    require_role(actor, Role.yard_head, Role.finance)
    municipality = await get_municipality(db_session, _own_municipality(actor))
    sections = await list_sections(db_session, municipality_id=municipality.id)
    ids = [s.id for s in sections if s.id is not None]
    today = clock.today(settings.tz)
    year, season = season_of(today)
    plan = await season_plan(db_session, actor, _own_municipality(actor), year, settings=settings)
    statuses = {s.id: plan_status(s, [r for r in plan if r.section.id == s.id], season)
                for s in sections if s.id is not None}
    assignees = await current_assignees(db_session, ids, today)
    tracks = await latest_tracks(db_session, ids)
    features = section_features(sections, statuses, assignees, edit_links=actor.role == Role.yard_head,
                                tracks=tracks)
    return render("care/map.html", actor, municipality=municipality, sections=sections, statuses=statuses,
                  assignees=assignees, features=features, season=season, tracks=tracks,
                  coverage_text=coverage_text, de_date=de_date, **tiles(settings))


# --- a winter pass's GPS track: covered and uncovered stretches, in words and as a list ---------------------

@get("/care-logs/{care_log_id:int}/map", include_in_schema=False)
async def care_log_map(
    care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    """For whoever may read the log: the farmer who reported it, the section's yard head and finance."""
    found = await pass_coverage(db_session, actor, care_log_id, settings=settings)
    farmer = await db_session.get(User, found.log.farmer_id)
    back = ("/care", gettext_de("care.my_title")) if actor.role == Role.farmer else (
        "/manage/care-logs", gettext_de("care.inbox_title"))
    return render(
        "care/coverage.html", actor, found=found, farmer_name=farmer.name if farmer else "",
        features=section_features([found.section], {found.log.section_id: "none"}),
        coverage=coverage_features(found), share=coverage_text(found.percent),
        recorded=format_decimal_de(found.recorded_percent), tolerance=format_decimal_de(Decimal(str(TOLERANCE_M))),
        styles=COVERAGE_STYLE, back=back, metres=metres_de, de_date=de_date,
        when=lambda value: value.astimezone(settings.tz).strftime("%H:%M"), **tiles(settings),
    )


# --- yard head: sections from the GIS (GeoJSON, GeoPackage, Shapefile), with a preview ------------------------

def _import_options(form: dict[str, str]) -> SectionImportOptions:
    return SectionImportOptions.model_validate(present({
        "kind": form.get("kind") or "road", "task": form.get("task") or "winter_service",
        "unit": form.get("unit") or "metre", "rate_cents": parse_euros(form.get("rate") or "0"),
    }))


_IMPORT_FIELD_OF = {"rate_cents": "rate"}
"""Schema field → form field of the import options."""


def _import_page(actor: Actor, settings: Settings, *, form: dict[str, str] | None = None,
                 reading: gis.Reading | None = None, message: str | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    preview = features = None
    if reading is not None:
        preview = {"type": "FeatureCollection", "features": [f.as_geojson() for f in reading.features]}
        features = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": f.geometry, "properties": {
                "id": 0, "name": f.name, "task": "", "length": f"{f.length_m} m", "status": "preview",
                "status_label": "", "colour": STATUS_COLOURS["upcoming"], "farmer": "", "edit": ""}}
            for f in reading.features
        ]}
    form = form or {"task": "winter_service", "kind": "road", "unit": "metre", "rate": "0,00"}
    return render("care/import.html", actor, status_code=status_code, form=form, reading=reading, preview=preview,
                  features=features, message=message, errors=errors or {}, **section_choices(), **tiles(settings))


def _import_refused(actor: Actor, settings: Settings, form: dict[str, str]) -> Callable[[FormError], Template]:
    def rerender(error: FormError) -> Template:
        return _import_page(actor, settings, form=form, message=error.message, errors=error.fields,
                            status_code=error.status_code)
    return rerender


@get("/manage/sections/import", include_in_schema=False)
async def import_form(actor: CurrentActor, settings: AppSettings) -> Template:
    require_role(actor, Role.yard_head)
    return _import_page(actor, settings)


@post("/manage/sections/import", include_in_schema=False)
async def import_preview(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
                         settings: AppSettings) -> Response[Any]:
    """Step 1: the file is read, transformed and measured, and shown on the map; nothing is created."""
    require_role(actor, Role.yard_head)
    form, upload = await form_with_upload(request, "file")
    content = await upload.read(settings.upload_max_bytes + 1) if upload is not None and upload.filename else b""

    async def read() -> gis.Reading:
        if len(content) > settings.upload_max_bytes:
            raise Invalid("care.import_too_large", field="file", mb=max(1, settings.upload_max_bytes // 2**20))
        reading, _ = await import_sections(db_session, actor, content, _import_options(form), preview=True)
        return reading

    return await form_action(
        read, _import_refused(actor, settings, form),
        lambda reading: _import_page(actor, settings, form=form, reading=reading), rename=_IMPORT_FIELD_OF,
    )


@post("/manage/sections/import/confirm", include_in_schema=False)
async def import_confirm(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
                         settings: AppSettings) -> Response[Any]:
    """Step 2: the previewed sections (WGS 84 GeoJSON carried by the form) are created."""
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def create() -> int:
        _, created = await import_sections(db_session, actor, (form.get("features") or "").encode(),
                                           _import_options(form))
        return len(created)

    return await form_action(
        create, _import_refused(actor, settings, form),
        lambda count: redirect("/manage/sections/map", request, flash=gettext_de("care.import_done", count=count)),
        rename=_IMPORT_FIELD_OF,
    )


ROUTES = [sections_map, care_log_map, import_form, import_preview, import_confirm]
