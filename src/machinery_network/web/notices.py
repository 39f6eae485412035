"""The German page "Mitteilungen" (the caller's notices, newest first, paged), the unread count in the
menu (loaded by htmx from ``/notices/unread``) and marking notices read. The same service as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from machinery_network.notifications import notices
from machinery_network.paging import page_request
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render

HTML_LIMIT = 50
"""Notices per page (a farmer reads them on a phone)."""


@get("/notices", include_in_schema=False)
async def notices_page(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, cursor: FromQuery[str | None] = None,
) -> Template:
    page = page_request(HTML_LIMIT, cursor, order=notices.ORDER, width=len(notices.KEYS))
    found = await notices.page_notices(db_session, actor, page)
    unread = await notices.unread_count(db_session, actor)
    next_url = f"/notices?{urlencode({'cursor': found.next_cursor})}" if found.next_cursor else None
    return render("notices/list.html", actor, notices=found.rows, unread=unread, next_url=next_url,
                  first_url="/notices" if cursor else None, tz=settings.tz)


@get("/notices/unread", include_in_schema=False)
async def unread_badge(actor: CurrentActor, db_session: DbSession) -> Template:
    """The menu's badge: the number of unread notices, empty when none."""
    return render("notices/_badge.html", actor, unread=await notices.unread_count(db_session, actor))


@post("/notices/{notice_id:int}/read", include_in_schema=False)
async def read_notice(
    notice_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
) -> Response[Any]:
    await notices.mark_read(db_session, actor, notice_id)
    return redirect("/notices", request)


@post("/notices/read-all", include_in_schema=False)
async def read_all(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    await notices.mark_all_read(db_session, actor)
    return redirect("/notices", request)


ROUTES = [notices_page, unread_badge, read_notice, read_all]
