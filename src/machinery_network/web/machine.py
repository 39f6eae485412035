"""The phone page at the machine: hand-over and return of a booking, with photos and a drawn signature.

One page per booking (``/machine/bookings/{id}``) for the booking's farmer and the item's yard head:
the hand-over form until the machine is handed over, then the return form, then what was recorded
with the completion's proposed quantity. Both forms carry an idempotency key (``web/offline.py``), so a
form sent twice (a double tap, a retry after a lost answer) is recorded once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import File, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor
from machinery_network.bookings.queries import load
from machinery_network.care.photos import resolve_photo
from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotFound
from machinery_network.machine import history, maintenance, service
from machinery_network.machine.models import Handover, HandoverPhoto
from machinery_network.machine.photos import MAX_PHOTOS, signature_png
from machinery_network.machine.schemas import ACTIONS, CheckinInput, CheckoutInput, DecisionInput
from machinery_network.money import format_decimal_de
from machinery_network.paging import Page, page_request
from machinery_network.web.common import (
    AppSettings,
    CurrentActor,
    DbSession,
    redirect,
    render,
    time_formatter,
)
from machinery_network.web.forms import FormError, form_action, form_data, int_field, parse_decimal
from machinery_network.web.offline import posted_key
from machinery_network.web.paging import HTML_LIMIT, pager

_EMPTY = {"meter": "", "fuel_percent": "", "condition": "ok", "remarks": "", "usable": ""}


async def _visible(session: AsyncSession, actor: Actor, booking_id: int) -> tuple[Any, Any]:
    booking, item = await load(session, booking_id)
    service.require_at_machine(actor, booking, item)
    return booking, item


async def _page(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings, *,
                form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                message: str | None = None, status_code: int = 200) -> Template:
    booking, item = await _visible(session, actor, booking_id)
    handover = await session.get(Handover, booking.id, populate_existing=True)
    photos = list(await session.scalars(
        select(HandoverPhoto).where(col(HandoverPhoto.booking_id) == booking_id).order_by(col(HandoverPhoto.id))))
    farmer = await session.get(User, booking.farmer_id)
    now = clock.now()
    opens_at = booking.start_at - timedelta(hours=settings.handover_lead_hours)
    defaults = dict(_EMPTY)
    if handover is None:
        last = await service.last_meter(session, item.id)
        defaults["meter"] = format(last, "f").replace(".", ",") if last is not None else ""
    return render(
        "machine/booking.html", actor, status_code=status_code, booking=booking, item=item, farmer=farmer,
        handover=handover, photos=photos, fmt=time_formatter(settings), now=now, opens_at=opens_at,
        lead_hours=settings.handover_lead_hours, form=form or defaults, errors=errors or {}, message=message,
        max_photos=MAX_PHOTOS, is_yard_head=actor.role == Role.yard_head, max_bytes=settings.upload_max_bytes,
        max_mb=format_decimal_de(round(Decimal(settings.upload_max_bytes) / 1048576, 1)),
    )


@get("/machine/bookings/{booking_id:int}", include_in_schema=False)
async def machine_page(
    booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    return await _page(db_session, actor, booking_id, settings)


async def _posted(request: Request[Any, Any, Any], settings: Settings) -> tuple[dict[str, str], list[bytes]]:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}
    fields["surcharges"] = ",".join(v for v in form.getall("surcharges", []) if isinstance(v, str))
    photos: list[bytes] = []
    for upload in form.getall("photos", []):
        if isinstance(upload, UploadFile) and upload.filename:
            if len(photos) > MAX_PHOTOS:
                break
            photos.append(await upload.read(settings.upload_max_bytes + 1))
    return fields, photos


def _signature(form: dict[str, str]) -> bytes:
    signature = signature_png(form.get("signature"))
    if signature is None:
        raise Invalid("machine.signature_required", field="signature")
    return signature


def _values(form: dict[str, str]) -> dict[str, Any]:
    fuel = (form.get("fuel_percent") or "").strip()
    return {
        "meter": parse_decimal(form.get("meter")),
        "fuel_percent": int(fuel) if fuel.isdigit() else (fuel or None),
        "condition": form.get("condition") or None,
    }


@post("/machine/bookings/{booking_id:int}/checkout", include_in_schema=False)
async def checkout(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    form, photos = await _posted(request, settings)

    async def hand_over() -> None:
        data = CheckoutInput.model_validate({**_values(form), "remarks": (form.get("remarks") or "").strip() or None})
        await service.checkout_once(db_session, actor, booking_id, data, settings,
                                    posted_key(request, form, actor), signature=_signature(form), photos=photos)

    return await form_action(
        hand_over, lambda error: _again(db_session, actor, booking_id, settings, form, error),
        lambda _: redirect(f"/machine/bookings/{booking_id}", request, flash="flash.checkout_saved"),
    )


@post("/machine/bookings/{booking_id:int}/checkin", include_in_schema=False)
async def checkin(
    request: Request[Any, Any, Any], booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    form, photos = await _posted(request, settings)

    async def take_back() -> None:
        values = _values(form)
        text = (form.get("remarks") or "").strip() or None
        data = CheckinInput.model_validate({
            **values, "description": text,
            "usable": (form.get("usable") == "on") if values["condition"] == "defect" else None,
            "surcharges": [kind for kind in form.get("surcharges", "").split(",") if kind],
        })
        await service.checkin_once(db_session, actor, booking_id, data, settings,
                                   posted_key(request, form, actor), signature=_signature(form), photos=photos)

    return await form_action(
        take_back, lambda error: _again(db_session, actor, booking_id, settings, form, error),
        lambda _: redirect(f"/machine/bookings/{booking_id}", request, flash="flash.checkin_saved"),
        rename={"description": "remarks"},
    )


async def _again(session: AsyncSession, actor: Actor, booking_id: int, settings: Settings,
                 form: dict[str, str], error: FormError) -> Template:
    await session.rollback()
    kept = {**_EMPTY, **{k: v for k, v in form.items() if k != "signature"}}
    return await _page(session, actor, booking_id, settings, form=kept, errors=error.fields, message=error.message,
                       status_code=error.status_code)


@get("/machine/photos/{photo_id:int}", include_in_schema=False)
async def photo(photo_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> File:
    row = await db_session.get(HandoverPhoto, photo_id)
    if row is None:
        raise NotFound("machine.photo_missing")
    await _visible(db_session, actor, row.booking_id)
    return File(path=resolve_photo(settings, row.path), media_type=row.content_type,
                content_disposition_type="inline", headers={"X-Content-Type-Options": "nosniff"})


@get("/machine/bookings/{booking_id:int}/signature/{kind:str}", include_in_schema=False)
async def signature(booking_id: FromPath[int], kind: FromPath[str], actor: CurrentActor,
                    db_session: DbSession) -> Response[Any]:
    await _visible(db_session, actor, booking_id)
    handover = await db_session.get(Handover, booking_id)
    content = None
    if handover is not None:
        content = {"checkout.png": handover.checkout_signature, "checkin.png": handover.checkin_signature}.get(kind)
    if content is None:
        raise NotFound("machine.photo_missing")
    return Response(content=content, media_type="image/png", headers={"X-Content-Type-Options": "nosniff"})


# --- the yard head: bookings in a defect's way ----------------------------------------------------


async def _affected_page(session: AsyncSession, actor: Actor, settings: Settings, *, message: str | None = None,
                         status_code: int = 200) -> Template:
    rows = await service.affected_bookings(session, actor, open_only=False)
    return render("machine/affected.html", actor, status_code=status_code, rows=rows, fmt=time_formatter(settings),
                  message=message)


@get("/manage/affected", include_in_schema=False)
async def affected(actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> Template:
    return await _affected_page(db_session, actor, settings)


@post("/manage/defects/{defect_id:int}/bookings/{booking_id:int}/{action:str}", include_in_schema=False)
async def decide(
    request: Request[Any, Any, Any], defect_id: FromPath[int], booking_id: FromPath[int], action: FromPath[str],
    actor: CurrentActor, db_session: DbSession, settings: AppSettings,
) -> Response[Any]:
    form = await form_data(request)

    async def run() -> None:
        data = DecisionInput.model_validate({"action": action, "item_id": int_field(form.get("item_id"))})
        await service.decide(db_session, actor, defect_id, booking_id, ACTIONS[data.action], settings,
                             item_id=data.item_id)

    async def again(error: FormError) -> Template:
        await db_session.rollback()
        return await _affected_page(db_session, actor, settings, message=error.message,
                                    status_code=error.status_code)

    return await form_action(run, again, lambda _: redirect("/manage/affected", request,
                                                              flash="flash.affected_decided"))


# --- maintenance: one action from the start page -------------------------------------------------------


@post("/manage/maintenance/{interval_id:int}/plan", include_in_schema=False)
async def plan_maintenance(
    request: Request[Any, Any, Any], interval_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    block = await maintenance.plan(db_session, actor, interval_id, settings)
    return redirect(f"/manage/items/{block.item_id}/blocks", request, flash="flash.maintenance_planned")


@post("/manage/maintenance/{interval_id:int}/done", include_in_schema=False)
async def maintenance_done(
    request: Request[Any, Any, Any], interval_id: FromPath[int], actor: CurrentActor, db_session: DbSession
) -> Response[Any]:
    await maintenance.mark_done(db_session, actor, interval_id)
    return redirect("/manage/bookings", request, flash="flash.maintenance_done")


# --- the machine history ------------------------------------------------------------------------------


@get("/manage/items/{item_id:int}/history", include_in_schema=False)
async def history_page(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                       settings: AppSettings, cursor: FromQuery[str | None] = None) -> Template:
    """The history with its bookings paged, the latest first (``HTML_LIMIT``); the CSV has them all."""
    page = page_request(HTML_LIMIT, cursor, order=history.HISTORY_ORDER, width=2)
    h = await history.history(db_session, actor, item_id, settings, page=page)
    listed = Page(h.bookings, h.next_cursor)
    return render("machine/history.html", actor, h=h, fmt=time_formatter(settings),
                  pager=pager(request, listed, path=f"/manage/items/{item_id}/history"))


@get("/manage/items/{item_id:int}/history.csv", include_in_schema=False)
async def history_csv(item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                      settings: AppSettings) -> Response[Any]:
    h = await history.history(db_session, actor, item_id, settings)
    return Response(content=history.render_csv(h, settings), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="maschine-{item_id}-historie.csv"'})


ROUTES: list[Any] = [history_page, history_csv, machine_page, checkout, checkin, photo, signature, affected, decide, plan_maintenance,
                     maintenance_done]
