"""HTML pages of the farmer's bookings.

The booking panel on the item page (week calendar, booking form with live estimate and conflict hint),
"Meine Buchungen" with cancel. The yard head's pages are ``booking_inbox`` (requests, decisions,
completion) and ``blocks``; the iCalendar feeds are ``calendar_feeds``. Everything goes through
``bookings.service``; dates and times in forms are read in the network's time zone (``booking_forms``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_role
from machinery_network.bookings import calendar, listing, service
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.bookings.series import MAX_OCCURRENCES
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de
from machinery_network.paging import page_request
from machinery_network.web.booking_forms import (
    BOOKING_FORM_FIELDS,
    booking_values,
    default_booking_form,
    default_series_form,
)
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

# --- the booking panel on the item page -----------------------------------------------------------


def _week_start(value: str | None, settings: Settings) -> date:
    try:
        day = date.fromisoformat(value) if value else clock.today(settings.tz)
    except ValueError:
        day = clock.today(settings.tz)
    return day - timedelta(days=day.weekday())


async def _week(session: AsyncSession, item_id: int, monday: date, settings: Settings) -> list[dict[str, Any]]:
    """Seven days, each with the busy periods clipped to it (local times)."""
    tz = settings.tz
    start = datetime.combine(monday, time(), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=tz)
    busy = await service.availability(session, item_id, start, end)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_start = datetime.combine(day, time(), tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
        periods = []
        for b in busy:
            if b.start < day_end and b.end > day_start:
                s = max(b.start, day_start).astimezone(tz)
                e = min(b.end, day_end).astimezone(tz)
                periods.append({"kind": b.kind, "from": s.strftime("%H:%M"),
                                "to": "24:00" if e == day_end else e.strftime("%H:%M")})
        days.append({"date": day, "periods": periods})
    return days


async def panel_context(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, week: str | None = None,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str | None = None,
) -> dict[str, Any]:
    """What the booking panel shows: the week's occupancy and the booking form (also part of the item
    page itself, so the form works without JavaScript)."""
    item = await get_item(session, item_id)
    monday = _week_start(week, settings)
    can_manage = actor.role == Role.yard_head and actor.municipality_id == item.municipality_id
    feed_token = await calendar.item_token(session, actor, item_id)
    return {
        "item": item, "monday": monday, "days": await _week(session, item_id, monday, settings),
        "prev_week": (monday - timedelta(days=7)).isoformat(), "next_week": (monday + timedelta(days=7)).isoformat(),
        "form": form or default_booking_form(settings), "errors": errors or {}, "message": message,
        "can_book": actor.role == Role.farmer and item.active, "can_manage": can_manage, "feed_token": feed_token,
        "base_url": settings.base_url.rstrip("/"), "series_form": default_series_form(settings),
        "series_limit": MAX_OCCURRENCES,
    }


async def item_page_context(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, **panel: Any
) -> dict[str, Any]:
    """The whole item page: the item, its municipality and the booking panel."""
    context = await panel_context(session, actor, item_id, settings, **panel)
    context["municipality"] = await get_municipality(session, context["item"].municipality_id)
    return context


async def _panel(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, status_code: int = 200,
    whole_page: bool = False, **panel: Any,
) -> Template:
    if whole_page:  # a form post without htmx (no JavaScript): the item page with the panel in it
        context = await item_page_context(session, actor, item_id, settings, **panel)
        return render("catalogue/detail.html", actor, status_code=status_code, **context)
    context = await panel_context(session, actor, item_id, settings, **panel)
    return render("bookings/_panel.html", actor, status_code=status_code, **context)


@get("/items/{item_id:int}/booking-panel", include_in_schema=False)
async def booking_panel(
    request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    week: FromQuery[str | None] = None
) -> Template:
    """Another week of the panel; the booking form keeps what was typed (the week links send it along)."""
    typed = {name: request.query_params.get(name) or "" for name in BOOKING_FORM_FIELDS}
    form = typed if any(typed.values()) else None
    return await _panel(db_session, actor, item_id, settings, week=week, form=form)


@get("/items/{item_id:int}/booking-estimate", include_in_schema=False)
async def booking_estimate(
    request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Template:
    """The live estimate and the conflict hint under the booking form (htmx, on every change)."""
    form = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    values, errors = booking_values(form, item_id, settings)
    context: dict[str, Any] = {"estimate": None, "overlap": None, "competing": 0, "error": None}
    if not errors:
        try:
            data = BookingCreate.model_validate(values)
        except ValidationError:
            data = None
        if data is not None and data.end > data.start:
            item = await get_item(db_session, item_id)
            context["estimate"] = service.estimate(
                item, data.start, data.end, with_operator=data.with_operator and item.operator_rate_cents is not None,
                expected_quantity=data.expected_quantity, settings=settings,
            )
            occupied = await service.find_overlap(db_session, item_id, data.start, data.end)
            if occupied is not None:
                context["overlap"] = service.overlap_error(occupied, settings).message("de")
            context["competing"] = await service.requests_overlapping(db_session, item_id, data.start, data.end)
        elif data is not None:
            context["error"] = gettext_de("booking.end_before_start")
    result = context["estimate"]
    if result is not None:  # shown to two decimals (a booked hour count may be 1/3)
        context["quantity"] = format_decimal_de(result.quantity.quantize(Decimal("0.01"))) if result.quantity else ""
        context["operator_hours"] = (
            format_decimal_de(result.operator_hours.quantize(Decimal("0.01"))) if result.operator_hours else ""
        )
    return render("bookings/_estimate.html", actor, **context)


@post("/items/{item_id:int}/bookings", include_in_schema=False)
async def create_booking(
    request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.farmer)
    form = await form_data(request)
    values, errors = booking_values(form, item_id, settings)

    async def again(error: FormError) -> Template:
        return await _panel(db_session, actor, item_id, settings, week=form.get("start_date"), form=form,
                            errors=error.fields, message=error.message, status_code=error.status_code,
                            whole_page=request.headers.get("hx-request") != "true")

    if errors:
        return await again(FormError(422, gettext_de("validation"), errors, validation=True))

    async def book() -> None:
        await service.request(db_session, actor, BookingCreate.model_validate(values), settings)

    return await form_action(book, again, lambda _: redirect("/bookings?sent=1", request))


# --- the farmer's bookings -----------------------------------------------------------------------


async def _own_rows(
    session: AsyncSession, actor: Actor, request: Request[Any, Any, Any] | None, cursor: str | None
) -> dict[str, Any]:
    """The farmer's bookings page's rows: latest start first, paged (``HTML_LIMIT``)."""
    page = page_request(HTML_LIMIT, cursor, order=listing.OWN_ORDER, width=len(listing.START_KEYS))
    own = await listing.page_own_bookings(session, actor, page)
    return {"rows": own.rows, "pager": pager(request, own, path="/bookings") if request is not None else None}


@get("/bookings", include_in_schema=False)
async def my_bookings(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    sent: FromQuery[str | None] = None, message: FromQuery[str | None] = None, cursor: FromQuery[str | None] = None,
) -> Template | Redirect:
    if actor.role == Role.yard_head:
        return Redirect("/manage/bookings", status_code=303)
    require_role(actor, Role.farmer)
    listed = await _own_rows(db_session, actor, request, cursor)
    token = await calendar.farmer_token(db_session, actor)
    return render(
        "bookings/my.html", actor, **listed, fmt=time_formatter(settings), now=clock.now(), feed_token=token,
        base_url=settings.base_url.rstrip("/"), notice=gettext_de("bookings.requested_ok") if sent else None,
        message=None,
    )


@post("/bookings/{booking_id:int}/cancel", include_in_schema=False)
async def cancel_booking(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    async def again(error: FormError) -> Template:
        listed = await _own_rows(db_session, actor, None, None)
        return render("bookings/my.html", actor, status_code=error.status_code, **listed, fmt=time_formatter(settings),
                      now=clock.now(), feed_token=await calendar.farmer_token(db_session, actor),
                      base_url=settings.base_url.rstrip("/"), notice=None, message=error.message)

    return await form_action(
        lambda: service.cancel(db_session, actor, booking_id, settings), again,
        lambda _: redirect("/bookings", request, flash="flash.booking_cancelled"),
    )



ROUTES = [booking_panel, booking_estimate, create_booking, my_bookings, cancel_booking]
