"""JSON routes of the dashboards: the same panels as the pages (``dashboards.service``), with the
same role checks (the yard head's and the finance office's of their municipality, or the
administrator; the council's of the administrator)."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery

from machinery_network import clock
from machinery_network.dashboards import service
from machinery_network.dashboards.schemas import DashboardPublic
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession


@get("/dashboards/yard-head", tags=["dashboards"])
async def yard_head_dashboard(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, municipality_id: FromQuery[int],
) -> DashboardPublic:
    """Requests waiting, this week's bookings, use per month (12 months), care progress, maintenance due."""
    panels = await service.yard_head(db_session, actor, municipality_id, settings)
    return DashboardPublic.of("yard", panels, municipality_id=municipality_id)


@get("/dashboards/finance", tags=["dashboards"])
async def finance_dashboard(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, municipality_id: FromQuery[int],
) -> DashboardPublic:
    """Balances per month (24 months), mandates and SEPA exceptions, farmers with growing debt."""
    panels = await service.finance(db_session, actor, municipality_id, settings)
    return DashboardPublic.of("finance", panels, municipality_id=municipality_id)


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
