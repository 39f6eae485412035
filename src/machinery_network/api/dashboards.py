"""JSON routes of the dashboards: the same panels as the pages (``dashboards.service``), with the
same role checks (the yard head's and the finance office's of their municipality, or the
administrator; the council's of the administrator)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.auth import Actor
from machinery_network.config import Settings
from machinery_network.dashboards import service
from machinery_network.dashboards.schemas import DashboardPublic
from machinery_network.dashboards.service import Panel
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession

PanelsOf = Callable[[AsyncSession, Actor, int, Settings], Awaitable[list[Panel]]]


def _municipality_view(path: str, view: str, panels_of: PanelsOf, doc: str) -> HTTPRouteHandler:
    """The route at ``path`` of a municipality's dashboard (``municipality_id``): the panels of ``view``,
    for whom ``panels_of`` allows. The handler is named after the path (``yard_head_dashboard``), as the
    OpenAPI operation is."""

    async def dashboard(
        actor: CurrentActor, db_session: DbSession, settings: AppSettings, municipality_id: FromQuery[int],
    ) -> DashboardPublic:
        panels = await panels_of(db_session, actor, municipality_id, settings)
        return DashboardPublic.of(view, panels, municipality_id=municipality_id)

    dashboard.__name__ = dashboard.__qualname__ = path.rsplit("/", 1)[1].replace("-", "_") + "_dashboard"
    dashboard.__doc__ = doc
    return get(path, tags=["dashboards"])(dashboard)


yard_head_dashboard = _municipality_view(
    "/dashboards/yard-head", "yard", service.yard_head,
    "Requests waiting, this week's bookings, use per month (12 months), care progress, maintenance due.",
)
finance_dashboard = _municipality_view(
    "/dashboards/finance", "finance", service.finance,
    "Balances per month (24 months), mandates and SEPA exceptions, farmers with growing debt.",
)


@get("/dashboards/admin", tags=["dashboards"])
async def admin_dashboard(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, year: FromQuery[int | None] = None,
) -> DashboardPublic:
    """Per municipality in ``year`` (default this year): machines lent, care credited, flows, cost coverage."""
    selected = clock.today(settings.tz).year if year is None else year
    if not 2000 <= selected < 2100:
        raise Invalid("field.invalid", field="year")
    panels = await service.council(db_session, actor, selected, settings)
    return DashboardPublic.of("council", panels, year=selected)


ROUTES: list[object] = [yard_head_dashboard, finance_dashboard, admin_dashboard]
