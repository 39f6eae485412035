"""HTML pages of repeating bookings and the fair draw (issue #18).

Farmer: the repeating-booking form on the item's booking panel, the series page (occurrences, the
conflicts and rule refusals on creation, cancel all). Everyone: the item's draws and a draw's result
(farmers see the other farmers as numbers). Yard head of the item's municipality: mark the item as
contested, run the due draw by hand.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.api.draws import draw_public, season_input, series_input
from machinery_network.auth import Actor, require_role
from machinery_network.bookings import draws, series
from machinery_network.bookings.schemas import SeasonCreate, SeriesCreate
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.paging import page_request
from machinery_network.web.booking_forms import default_series_form
from machinery_network.web.common import (
    AppSettings,
    CurrentActor,
    DbSession,
    redirect,
    render,
    time_formatter,
)
from machinery_network.web.forms import FormError, form_action, form_data
from machinery_network.web.paging import HTML_LIMIT, pager

WEEKDAYS = range(1, 8)


def _series_body(form: dict[str, str], item_id: int) -> dict[str, Any]:
    return {
        "item_id": item_id, "weekdays": [d for d in WEEKDAYS if form.get(f"weekday_{d}") in ("on", "true", "1")],
        "start_time": form.get("start_time") or None, "end_time": form.get("end_time") or None,
        "from": form.get("first_day") or None, "until": form.get("last_day") or None,
        "with_operator": form.get("with_operator") in ("on", "true", "1"), "note": form.get("note") or None,
    }


async def _series_form(session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *,
                       form: dict[str, str] | None = None, message: str | None = None,
                       errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    item = await get_item(session, item_id)
    return render("draws/series.html", actor, status_code=status_code, item=item, result=None,
                  form=form or default_series_form(settings), message=message, errors=errors or {},
                  weekdays=WEEKDAYS, limit=series.MAX_OCCURRENCES, fmt=time_formatter(settings))


@get("/items/{item_id:int}/booking-series", include_in_schema=False)
async def series_form(item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                      settings: AppSettings) -> Template:
    require_role(actor, Role.farmer)
    return await _series_form(db_session, actor, item_id, settings)


@post("/items/{item_id:int}/booking-series", include_in_schema=False)
async def create_series(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                        settings: AppSettings) -> Response[Any]:
    """Creates the series and shows at once what was requested and what not (conflicts, rules)."""
    require_role(actor, Role.farmer)
    form = await form_data(request)
    item = await get_item(db_session, item_id)

    extra: dict[str, Any] = {}

    async def create() -> series.SeriesResult:
        data = SeriesCreate.model_validate(_series_body(form, item_id))
        try:
            return await series.create_series(db_session, actor, series_input(data), settings)
        except Invalid as exc:  # none requested: the page lists why, day by day
            if isinstance(exc.extra, dict):
                extra.update(exc.extra)
            raise

    def again(error: FormError) -> Any:
        return render("draws/series.html", actor, status_code=error.status_code, item=item, result=None, form=form,
                      message=error.message, errors=error.fields, weekdays=WEEKDAYS, limit=series.MAX_OCCURRENCES,
                      fmt=time_formatter(settings), conflicts=extra.get("conflicts", []), refused=extra.get("refused", []))

    def done(result: series.SeriesResult) -> Template:
        return render("draws/series.html", actor, status_code=201, item=item, result=result, form={}, message=None,
                      errors={}, weekdays=WEEKDAYS, limit=series.MAX_OCCURRENCES, fmt=time_formatter(settings),
                      notice=gettext_de("series.created").format(count=len(result.bookings)),
                      conflicts=result.conflicts, refused=result.refused)

    return await form_action(create, again, done)


@get("/booking-series/{series_id:int}", include_in_schema=False)
async def show_series(series_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                      settings: AppSettings) -> Template:
    result = await series.get_series(db_session, actor, series_id)
    item = await get_item(db_session, result.series.item_id)
    return render("draws/series.html", actor, item=item, result=result, form={}, message=None, errors={},
                  weekdays=WEEKDAYS, limit=series.MAX_OCCURRENCES, fmt=time_formatter(settings), conflicts=[], refused=[])


@post("/booking-series/{series_id:int}/cancel", include_in_schema=False)
async def cancel_series(request: Request[Any, Any, Any], series_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                        settings: AppSettings) -> Response[Any]:
    await series.cancel_series(db_session, actor, series_id, settings)
    return redirect(f"/booking-series/{series_id}", request, flash="series.cancelled")


# --- draws -----------------------------------------------------------------------------------------


async def _draws_page(session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *,
                      form: dict[str, str] | None = None, message: str | None = None,
                      errors: dict[str, str] | None = None, status_code: int = 200,
                      request: Request[Any, Any, Any] | None = None, cursor: str | None = None) -> Template:
    """The item's contested seasons (a few a year) and its draws, the latest first, paged (``HTML_LIMIT``)."""
    item = await get_item(session, item_id)
    can_manage = actor.role == Role.yard_head and actor.municipality_id == item.municipality_id
    ran = await draws.page_draws(session, item_id, page_request(HTML_LIMIT, cursor, order=draws.DRAW_ORDER, width=1))
    return render(
        "draws/item.html", actor, status_code=status_code, item=item, can_manage=can_manage,
        seasons=await draws.list_seasons(session, item_id), draws=ran.rows,
        pager=pager(request, ran, path=f"/items/{item_id}/draws") if request is not None else None,
        form=form or {"deadline_weekday": "4", "deadline_time": "12:00"}, message=message, errors=errors or {},
        weekdays=WEEKDAYS, fmt=time_formatter(settings),
    )


@get("/items/{item_id:int}/draws", include_in_schema=False)
async def item_draws(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                     settings: AppSettings, cursor: FromQuery[str | None] = None) -> Template:
    return await _draws_page(db_session, actor, item_id, settings, request=request, cursor=cursor)


@post("/manage/items/{item_id:int}/contested", include_in_schema=False)
async def mark_contested(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                         settings: AppSettings) -> Response[Any]:
    form = await form_data(request)

    async def mark() -> None:
        data = SeasonCreate.model_validate({
            "first_day": form.get("first_day") or None, "last_day": form.get("last_day") or None,
            "deadline_weekday": form.get("deadline_weekday") or 4,
            "deadline_time": form.get("deadline_time") or time(12, 0)})
        await draws.mark_contested(db_session, actor, item_id, season_input(data))

    return await form_action(
        mark,
        lambda error: _draws_page(db_session, actor, item_id, settings, form=form, message=error.message,
                                  errors=error.fields, status_code=error.status_code),
        lambda _: redirect(f"/items/{item_id}/draws", request, flash="flash.contested_marked"),
    )


@post("/manage/items/{item_id:int}/draws", include_in_schema=False)
async def run_draw(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                   settings: AppSettings) -> Response[Any]:
    return await form_action(
        lambda: draws.run_draw(db_session, actor, item_id, settings, trigger="hand"),
        lambda error: _draws_page(db_session, actor, item_id, settings, message=error.message,
                                  status_code=error.status_code),
        lambda result: redirect(f"/draws/{result.draw.id}", request),
    )


@get("/draws/{draw_id:int}", include_in_schema=False)
async def draw_result(draw_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                      settings: AppSettings) -> Template:
    result = await draws.get_draw(db_session, actor, draw_id)
    public = draw_public(result, actor, lang="de")
    return render("draws/result.html", actor, draw=public, item=result.item, fmt=time_formatter(settings),
                  season_rule=gettext_de("draw.rule"))


ROUTES = [series_form, create_series, show_series, cancel_series, item_draws, mark_contested, run_draw,
          draw_result]
