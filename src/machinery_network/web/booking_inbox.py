"""HTML pages of the yard head's bookings: the request inbox of his municipality, the decisions
(approve, reject), a booking's page with its audit trail, and the completion. Everything goes through
``bookings.service``."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_role
from machinery_network.bookings import listing, service
from machinery_network.bookings.models import BookingStatus
from machinery_network.bookings.schemas import CompleteInput, RejectInput
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.machine import maintenance
from machinery_network.machine.models import Handover
from machinery_network.money import format_decimal_de
from machinery_network.web.common import (
    AppSettings,
    CurrentActor,
    DbSession,
    redirect,
    render,
    time_formatter,
)
from machinery_network.web.forms import FormError, form_action, form_data, parse_decimal
from machinery_network.web.paging import HTML_LIMIT, list_view, pager

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
        fmt=time_formatter(settings), view=view,
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
        farmer=farmer, names=names, fmt=time_formatter(settings), now=clock.now(), can_decide=can_decide,
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


ROUTES = [inbox, approve_booking, reject_booking, booking_detail, complete_booking]
