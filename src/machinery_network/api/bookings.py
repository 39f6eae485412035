"""JSON routes of the bookings domain: requests and decisions, blocks, availability, the estimate."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import ValidationError

from machinery_network import clock
from machinery_network.api.paging import Paging, paged_response
from machinery_network.bookings import listing, service
from machinery_network.bookings.queries import BLOCK_ORDER, page_blocks
from machinery_network.bookings.schemas import (
    BlockCreate,
    BlockPublic,
    BookingCreate,
    BookingPublic,
    CompleteInput,
    EstimatePublic,
    Interval,
    RejectInput,
)
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.schemas import EARLIEST_YEAR, LATEST_YEAR


def _validation(exc: ValidationError) -> ValidationException:
    return ValidationException(
        detail="Validation failed",
        extra=[{"key": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
    )


def parse_instant(value: str | None, settings: Settings, field: str) -> datetime | None:
    """ISO 8601 with offset; a time without offset or a bare date is read in the network's zone."""
    if value is None or not value.strip():
        return None
    text = value.strip().replace(" ", "+") if "T" in value and " " in value.strip() else value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError as exc:
            raise Invalid("field.date", field=field) from exc
    if not (EARLIEST_YEAR <= parsed.year <= LATEST_YEAR):  # before converting: year 1 - 14:00 overflows
        raise Invalid("field.date", field=field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=settings.tz)
    return parsed


class BookingController(Controller):
    path = "/bookings"
    tags = ["bookings"]

    @post("/")
    async def create(
        self, data: JSONBody[BookingCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BookingPublic:
        # A served app answers this route's ordinary case in ``api.lane``, in front of the app: what is
        # added here (a parameter, a header, a step) belongs there too (tests/test_bookings_lane.py).
        return BookingPublic.of(await service.request(db_session, actor, data, settings))

    @get("/")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        status: FromQuery[str | None] = None,
        item_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """Paged; by start, then id; a yard head's default view: open requests first, oldest first (``sort``:
        ``start``, ``received``, ``-`` first for descending, or ``open``); ``q`` searches item and farmer."""
        order = listing.choose_sort(actor, status or None, sort)
        bookings = await listing.page_bookings(db_session, actor, order.page(paging.limit, paging.cursor), status=status or None,
                                               item_id=item_id, query=q)
        return paged_response(request, bookings, lambda row: BookingPublic.of(row.booking))

    @get("/estimate")
    async def estimate(
        self,
        actor: CurrentActor,
        db_session: DbSession,
        settings: AppSettings,
        item_id: FromQuery[int],
        start: FromQuery[str],
        end: FromQuery[str],
        with_operator: FromQuery[bool] = False,
        expected_quantity: FromQuery[str | None] = None,
    ) -> EstimatePublic:
        try:
            data = BookingCreate.model_validate({
                "item_id": item_id, "start": start.replace(" ", "+"), "end": end.replace(" ", "+"),
                "with_operator": with_operator, "expected_quantity": expected_quantity or None,
            })
        except ValidationError as exc:
            raise _validation(exc) from exc
        result = await service.estimate_for(db_session, settings, data)
        amounts = result.amounts
        return EstimatePublic(
            estimated_cents=amounts.gross_cents if amounts else None,
            net_cents=amounts.net_cents if amounts else None,
            vat_cents=amounts.vat_cents if amounts else None,
            quantity=result.quantity, unit=result.unit, operator_hours=result.operator_hours,
        )

    @get("/{booking_id:int}")
    async def show(self, booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> BookingPublic:
        booking, events = await service.get_booking(db_session, actor, booking_id)
        return BookingPublic.of(booking, events, item=await service.get_item(db_session, booking.item_id))

    @post("/{booking_id:int}/approve", status_code=200)
    async def approve(
        self, booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BookingPublic:
        return BookingPublic.of(await service.approve(db_session, actor, booking_id, settings))

    @post("/{booking_id:int}/reject", status_code=200)
    async def reject(
        self, booking_id: FromPath[int], data: JSONBody[RejectInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> BookingPublic:
        return BookingPublic.of(await service.reject(db_session, actor, booking_id, data.reason, settings))

    @post("/{booking_id:int}/cancel", status_code=200)
    async def cancel(
        self, booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BookingPublic:
        return BookingPublic.of(await service.cancel(db_session, actor, booking_id, settings))

    @post("/{booking_id:int}/accept-offer", status_code=200)
    async def accept_offer(self, booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> BookingPublic:
        return BookingPublic.of(await service.accept_offer(db_session, actor, booking_id))

    @post("/{booking_id:int}/complete", status_code=200)
    async def complete(
        self, booking_id: FromPath[int], data: JSONBody[CompleteInput], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BookingPublic:
        return BookingPublic.of(await service.complete(db_session, actor, booking_id, data, settings))


class ItemBookingController(Controller):
    path = "/items/{item_id:int}"
    tags = ["bookings"]

    @post("/blocks")
    async def create_block(
        self, item_id: FromPath[int], data: JSONBody[BlockCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BlockPublic:
        return BlockPublic.of(await service.create_block(db_session, actor, item_id, data, settings))

    @get("/blocks")
    async def list_blocks(
        self, request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, paging: Paging,
    ) -> Response[list[Any]]:
        """The item's blocks by start, then id; paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        await service.get_item(db_session, item_id)
        page = paging.page(order=BLOCK_ORDER, width=2)
        return paged_response(request, await page_blocks(db_session, item_id, page), BlockPublic.of)

    @get("/availability")
    async def availability(
        self,
        item_id: FromPath[int],
        actor: CurrentActor,
        db_session: DbSession,
        settings: AppSettings,
        from_: Annotated[str | None, QueryParameter(name="from")] = None,
        to: FromQuery[str | None] = None,
    ) -> list[Interval]:
        start = parse_instant(from_, settings, "from") or clock.now()
        end = parse_instant(to, settings, "to") or start + timedelta(days=7)
        busy = await service.availability(db_session, item_id, start, end)
        return [Interval(**service.public_interval(b, settings)) for b in busy]


ROUTES: list[Any] = [BookingController, ItemBookingController]
