"""The start page of each role (``/start``, first in the menu): what needs the person's attention
(``dashboards.start``)."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from machinery_network.dashboards.service import month_label
from machinery_network.dashboards.start import start_page
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, render, time_formatter


@get("/start", include_in_schema=False)
async def start(actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> Template:
    page = await start_page(db_session, actor, settings)
    return render("start.html", actor, page=page, lists=page.lists, fmt=time_formatter(settings), month_label=month_label)


ROUTES = [start]
