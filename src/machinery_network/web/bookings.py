"""HTML pages of the bookings domain, and the iCalendar feeds.

Farmer: the booking panel on the item page (week calendar, booking form with live estimate and
conflict hint), "Meine Buchungen" with cancel. Yard head: the request inbox of his municipality,
decisions, completion, the audit trail, blocks of his items. Everything goes through
``bookings.service``; dates and times in forms are read in the network's time zone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.bookings import calendar, listing, service
from machinery_network.bookings.models import Block, BookingStatus
from machinery_network.bookings.schemas import BlockCreate, BookingCreate, CompleteInput, RejectInput
from machinery_network.bookings.series import MAX_OCCURRENCES
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import NotFound
from machinery_network.i18n import gettext_de
from machinery_network.machine import maintenance
from machinery_network.machine.models import Handover
from machinery_network.money import format_decimal_de
from machinery_network.paging import page_request
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import FormError, form_action, form_data, parse_decimal
from machinery_network.web.paging import HTML_LIMIT, list_view, pager

# --- helpers --------------------------------------------------------------------------------------


def _fmt(settings: Settings) -> Callable[..., str]:
    tz = settings.tz

    def fmt(value: datetime | None, pattern: str = "%d.%m.%Y %H:%M") -> str:
        return value.astimezone(tz).strftime(pattern) if value else ""

    return fmt


def _local(day: str | None, clock_time: str | None, settings: Settings) -> datetime | None:
    """A date input and a time input → an aware time in the network's zone (None when unreadable)."""
    try:
        d = date.fromisoformat((day or "").strip())
        t = time.fromisoformat((clock_time or "00:00").strip() or "00:00")
    except ValueError:
        return None
    return datetime.combine(d, t, tzinfo=settings.tz)


def _booking_values(form: dict[str, str], item_id: int, settings: Settings) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    start = _local(form.get("start_date"), form.get("start_time"), settings)
    end = _local(form.get("end_date"), form.get("end_time"), settings)
    if start is None:
        errors["start"] = gettext_de("field.date")
    if end is None:
        errors["end"] = gettext_de("field.date")
    values = {
        "item_id": item_id,
        "start": start,
        "end": end,
        "with_operator": form.get("with_operator") in ("on", "true", "1"),
        "expected_quantity": parse_decimal(form.get("expected_quantity")),
        "note": form.get("note") or None,
    }
    return values, errors


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


def _default_form(settings: Settings) -> dict[str, str]:
    tomorrow = clock.today(settings.tz) + timedelta(days=1)
    return {"start_date": tomorrow.isoformat(), "start_time": "08:00", "end_date": tomorrow.isoformat(),
            "end_time": "12:00", "with_operator": "", "expected_quantity": "", "note": ""}


# --- the booking panel on the item page -----------------------------------------------------------


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
        "form": form or _default_form(settings), "errors": errors or {}, "message": message,
        "can_book": actor.role == Role.farmer and item.active, "can_manage": can_manage, "feed_token": feed_token,
        "base_url": settings.base_url.rstrip("/"), "series_form": _default_series(settings),
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


BOOKING_FORM_FIELDS = ("start_date", "start_time", "end_date", "end_time", "with_operator", "expected_quantity", "note")


def _default_series(settings: Settings) -> dict[str, str]:
    """The repeating-booking form's defaults: Tuesdays 07:00–11:00 from today to the end of September."""
    today = clock.today(settings.tz)
    until = date(today.year, 9, 30) if today < date(today.year, 9, 1) else today + timedelta(days=28)
    return {"weekday_2": "on", "start_time": "07:00", "end_time": "11:00", "first_day": today.isoformat(),
            "last_day": until.isoformat()}


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
    values, errors = _booking_values(form, item_id, settings)
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
    values, errors = _booking_values(form, item_id, settings)

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
        "bookings/my.html", actor, **listed, fmt=_fmt(settings), now=clock.now(), feed_token=token,
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
        return render("bookings/my.html", actor, status_code=error.status_code, **listed, fmt=_fmt(settings),
                      now=clock.now(), feed_token=await calendar.farmer_token(db_session, actor),
                      base_url=settings.base_url.rstrip("/"), notice=None, message=error.message)

    return await form_action(
        lambda: service.cancel(db_session, actor, booking_id, settings), again,
        lambda _: redirect("/bookings", request, flash="flash.booking_cancelled"),
    )


# --- the yard head's inbox -----------------------------------------------------------------------


async def _inbox(session: AsyncSession, actor: Actor, settings: Settings, *, status: str | None,
                 message: str | None = None, reject_errors: dict[int, str] | None = None,
                 status_code: int = 200, request: Request[Any, Any, Any] | None = None) -> Template:
    """The inbox: searchable (``q``: item or farmer), sortable (``sort``: by start or by when it was asked
    for), paged (``limit``, ``HTML_LIMIT`` by default). Default view: the open requests, oldest request
    first, then the approved bookings by start (what needs a decision or a completion); ``all`` or one
    status: by start."""
    require_role(actor, Role.yard_head)
    wanted = status if status in BookingStatus.__members__ or status == "all" else None
    only = None if wanted in (None, "all") else wanted
    sorts = listing.INBOX_SORTS if wanted is None else listing.FILTERED_INBOX_SORTS
    view = list_view(request, sorts, path="/manage/bookings", default_limit=HTML_LIMIT)
    listed = await listing.page_bookings(
        session, actor, view.page, status=only, then=[BookingStatus.approved] if wanted is None else None,
        query=view.search,
    )
    rows = listed.rows
    flags = await service.conflict_flags(session, [row_id(r.booking) for r in rows])
    due = await maintenance.due_for(session, actor)
    return render(
        "bookings/inbox.html", actor, status_code=status_code, rows=rows, flags=flags, maintenance_due=due,
        fmt=_fmt(settings), view=view,
        pager=pager(request, listed, path="/manage/bookings") if request is not None else None,
        now=clock.now(), status=wanted or "", statuses=list(BookingStatus), message=message,
        reject_errors=reject_errors or {},
    )


@get("/manage/bookings", include_in_schema=False)
async def inbox(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    status: FromQuery[str | None] = None,
) -> Template:
    return await _inbox(db_session, actor, settings, status=status, request=request)


@post("/manage/bookings/{booking_id:int}/approve", include_in_schema=False)
async def approve_booking(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    return await form_action(
        lambda: service.approve(db_session, actor, booking_id, settings),
        lambda error: _inbox(db_session, actor, settings, status=None, message=error.message,
                             status_code=error.status_code),
        lambda _: redirect("/manage/bookings", request, flash="flash.booking_approved"),
    )


@post("/manage/bookings/{booking_id:int}/reject", include_in_schema=False)
async def reject_booking(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    form = await form_data(request)

    async def reject() -> None:
        data = RejectInput.model_validate({"reason": form.get("reason", "")})
        await service.reject(db_session, actor, booking_id, data.reason, settings)

    def again(error: FormError) -> Awaitable[Template]:
        # A schema refusal concerns the reason: shown at the booking's reject form.
        reject_errors = {booking_id: error.fields.get("reason", gettext_de("field.invalid"))} if error.validation else {}
        return _inbox(db_session, actor, settings, status=None, message=error.message, reject_errors=reject_errors,
                      status_code=error.status_code)

    return await form_action(
        reject, again, lambda _: redirect("/manage/bookings", request, flash="flash.booking_rejected")
    )


async def _detail(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings, *,
                  form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  message: str | None = None, status_code: int = 200) -> Template:
    booking, events = await service.get_booking(session, actor, booking_id)
    item = await get_item(session, booking.item_id)
    farmer = await session.get(User, booking.farmer_id)
    names = {}
    for event in events:
        if event.actor_id is not None and event.actor_id not in names:
            user = await session.get(User, event.actor_id)
            names[event.actor_id] = user.name if user else str(event.actor_id)
    can_decide = actor.role == Role.yard_head and actor.municipality_id == item.municipality_id
    flags = await service.conflict_flags(session, [booking_id])
    handover = await session.get(Handover, booking_id)
    proposed = handover.proposed_quantity if handover is not None else None
    return render(
        "bookings/detail.html", actor, status_code=status_code, booking=booking, events=events, item=item,
        farmer=farmer, names=names, fmt=_fmt(settings), now=clock.now(), can_decide=can_decide,
        flag=flags.get(booking_id), handover=handover, proposed=proposed,
        form=form or {"quantity": format_decimal_de(proposed), "operator_hours": "", "reason": ""},
        errors=errors or {}, message=message,
    )


@get("/manage/bookings/{booking_id:int}", include_in_schema=False)
async def booking_detail(
    booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    return await _detail(db_session, actor, booking_id, settings)


@post("/manage/bookings/{booking_id:int}/complete", include_in_schema=False)
async def complete_booking(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    form = await form_data(request)

    async def complete() -> None:
        data = CompleteInput.model_validate({
            "quantity": parse_decimal(form.get("quantity")),
            "with_operator_hours": parse_decimal(form.get("operator_hours")),
            "reason": (form.get("reason") or "").strip() or None,
        })
        await service.complete(db_session, actor, booking_id, data, settings, require_reason=True)

    return await form_action(
        complete,
        lambda error: _detail(db_session, actor, booking_id, settings, form=form, errors=error.fields,
                              message=error.message, status_code=error.status_code),
        lambda _: redirect(f"/manage/bookings/{booking_id}", request, flash="flash.booking_completed"),
        rename={"with_operator_hours": "operator_hours"},
    )


# --- blocks ----------------------------------------------------------------------------------------


async def _blocks_page(session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *,
                       form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                       message: str | None = None, status_code: int = 200) -> Template:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    blocks = await service.list_blocks(session, item_id, since=clock.now() - timedelta(days=30))
    return render(
        "bookings/blocks.html", actor, status_code=status_code, item=item, blocks=blocks, fmt=_fmt(settings),
        form=form or {**_default_form(settings), "reason": ""}, errors=errors or {}, message=message,
    )


@get("/manage/items/{item_id:int}/blocks", include_in_schema=False)
async def blocks_page(
    item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    return await _blocks_page(db_session, actor, item_id, settings)


@post("/manage/items/{item_id:int}/blocks", include_in_schema=False)
async def create_block(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                       settings: AppSettings) -> Response[Any]:
    form = await form_data(request)
    values, errors = _booking_values(form, item_id, settings)

    def again(error: FormError) -> Awaitable[Template]:
        return _blocks_page(db_session, actor, item_id, settings, form=form, errors=error.fields,
                            message=error.message, status_code=error.status_code)

    if errors:
        return await again(FormError(422, gettext_de("validation"), errors, validation=True))

    async def block() -> None:
        data = BlockCreate.model_validate({"start": values["start"], "end": values["end"],
                                           "reason": form.get("reason", "")})
        await service.create_block(db_session, actor, item_id, data, settings)

    return await form_action(
        block, again, lambda _: redirect(f"/manage/items/{item_id}/blocks", request, flash="flash.block_created")
    )


@post("/manage/blocks/{block_id:int}/delete", include_in_schema=False)
async def delete_block(
    request: Request[Any, Any, Any], block_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Redirect | Response[Any]:
    block = await db_session.get(Block, block_id)
    item_id = block.item_id if block else 0
    await service.remove_block(db_session, actor, block_id, settings)
    return redirect(f"/manage/items/{item_id}/blocks", request, flash="flash.block_deleted")


# --- iCalendar feeds (the token in the URL is the credential) ---------------------------------------


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


ROUTES = [
    booking_panel, booking_estimate, create_booking, my_bookings, cancel_booking, inbox, approve_booking,
    reject_booking, booking_detail, complete_booking, blocks_page, create_block, delete_block,
    item_calendar, farmer_calendar,
]
