"""The iCalendar feeds of an item and of a farmer (``bookings.calendar``). The token in the URL is the
credential: no login, no CSRF (the app exempts ``/calendar``)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.params import FromPath

from machinery_network.bookings import calendar
from machinery_network.errors import NotFound
from machinery_network.web.common import DbSession


def _token_of(filename: str) -> str:
    if not filename.endswith(".ics") or len(filename) > 100:
        raise NotFound("calendar.not_found")
    return filename[:-4]


def _ics(content: bytes) -> Response[Any]:
    return Response(content=content, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})


@get("/calendar/items/{filename:str}", include_in_schema=False)
async def item_calendar(filename: FromPath[str], db_session: DbSession) -> Response[Any]:
    return _ics(await calendar.item_feed(db_session, _token_of(filename)))


@get("/calendar/farmers/{filename:str}", include_in_schema=False)
async def farmer_calendar(filename: FromPath[str], db_session: DbSession) -> Response[Any]:
    return _ics(await calendar.farmer_feed(db_session, _token_of(filename)))


ROUTES = [item_calendar, farmer_calendar]
