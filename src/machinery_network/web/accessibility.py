"""The accessibility statement (Erklärung zur Barrierefreiheit) public bodies must publish (BITV 2.0
§ 7), with the feedback contact of ``MN_ACCESSIBILITY_CONTACT``."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from machinery_network.web.common import AppSettings, OptionalActor, render

STATEMENT_DATE = "30.11.2026"  # when the statement's text was last reviewed


@get("/barrierefreiheit", include_in_schema=False)
async def accessibility_statement(actor_or_none: OptionalActor, settings: AppSettings) -> Template:
    return render("accessibility.html", actor_or_none, base_url=settings.base_url.rstrip("/"),
                  contact=settings.accessibility_contact, statement_date=STATEMENT_DATE)


ROUTES = [accessibility_statement]
