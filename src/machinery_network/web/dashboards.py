"""Dashboard pages: the yard head's, the finance office's and the administrator's (council) view,
each chart with its table and a CSV of the same numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Response, get
from litestar.params import FromQuery
from litestar.response import Template

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.dashboards import report, service
from machinery_network.dashboards.service import Panel
from machinery_network.errors import NotAllowed, NotFound
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, render
from machinery_network.web.forms import int_or_none


def _year(value: str | None, settings: Settings) -> int:
    this_year = clock.today(settings.tz).year
    year = int_or_none(value) or this_year
    return year if 2000 <= year < 2100 else this_year


async def panels_for(db_session: Any, actor: Actor, settings: Settings, year: int) -> tuple[str, list[Panel]]:
    if actor.role == Role.yard_head and actor.municipality_id is not None:
        return "yard", await service.yard_head(db_session, actor, actor.municipality_id, settings)
    if actor.role == Role.finance and actor.municipality_id is not None:
        return "finance", await service.finance(db_session, actor, actor.municipality_id, settings)
    if actor.role == Role.admin:
        return "council", await service.council(db_session, actor, year, settings)
    raise NotAllowed()


@get("/dashboard", include_in_schema=False)
async def dashboard_page(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, year: FromQuery[str | None] = None
) -> Template:
    selected = _year(year, settings)
    view, panels = await panels_for(db_session, actor, settings, selected)
    municipality = None
    if actor.municipality_id is not None:
        municipality = await get_municipality(db_session, actor.municipality_id)
    this_year = clock.today(settings.tz).year
    return render("dashboards/page.html", actor, view=view, panels=panels, year=selected, municipality=municipality,
                  years=list(range(this_year, this_year - 6, -1)))


@get("/dashboard.csv", include_in_schema=False)
async def dashboard_csv(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, panel: FromQuery[str],
    year: FromQuery[str | None] = None,
) -> Response[bytes]:
    selected = _year(year, settings)
    view, panels = await panels_for(db_session, actor, settings, selected)
    chosen = next((p for p in panels if p.key == panel), None)
    if chosen is None:
        raise NotFound("not_found")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(chosen.columns)
    for row in chosen.rows:
        writer.writerow(["" if value is None else value for value in row])
    name = f"uebersicht-{view}-{chosen.key}-{selected}.csv"
    return Response(out.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@get("/dashboard/report.pdf", include_in_schema=False)
async def yearly_report_pdf(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, year: FromQuery[str | None] = None
) -> Response[bytes]:
    """The administrator's yearly report: the council dashboard of ``year`` as one PDF."""
    require_role(actor, Role.admin)
    selected = _year(year, settings)
    content = await report.yearly_report(db_session, actor, selected, settings)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="jahresbericht-{selected}.pdf"'})


ROUTES = [dashboard_page, dashboard_csv, yearly_report_pdf]
