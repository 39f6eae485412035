"""JSON routes at the machine: hand-over and return of a booking, the repair of an item."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.response import File

from machinery_network import idempotency
from machinery_network.api.idempotency import REPLAY_NOTE, IdempotencyKeyHeader, created
from machinery_network.bookings.schemas import BlockPublic, BookingPublic
from machinery_network.catalogue.models import Item
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.ledger.schemas import EntryPublic
from machinery_network.ledger.service import EntryView
from machinery_network.machine import maintenance, service
from machinery_network.machine.schemas import (
    ACTIONS,
    AffectedPublic,
    CheckinInput,
    CheckoutInput,
    DamageChargeInput,
    DecisionInput,
    HandoverPublic,
    IntervalCreate,
    IntervalPublic,
    PhotoPublic,
    RepairInput,
    RepairPublic,
)


class HandoverController(Controller):
    path = "/bookings/{booking_id:int}"
    tags = ["machine"]

    @post("/checkout", responses={201: ResponseSpec(HandoverPublic, description=REPLAY_NOTE)})
    async def checkout(
        self, booking_id: FromPath[int], data: JSONBody[CheckoutInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings, idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[HandoverPublic]:
        """The hand-over. With an ``Idempotency-Key`` header a retry answers the recorded hand-over again
        (``Idempotent-Replayed: true``) instead of 409; the same key with another body is 422."""
        handover, replayed = await service.checkout_once(
            db_session, actor, booking_id, data, settings, idempotency.checked_key(idempotency_key))
        return created(await _with_photos(db_session, actor, HandoverPublic.checkout(handover)), replayed)

    @post("/checkin", responses={201: ResponseSpec(HandoverPublic, description=REPLAY_NOTE)})
    async def checkin(
        self, booking_id: FromPath[int], data: JSONBody[CheckinInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings, idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[HandoverPublic]:
        """The return. With an ``Idempotency-Key`` header a retry answers the recorded return again
        (``Idempotent-Replayed: true``) instead of 409; the same key with another body is 422."""
        handover, defect, affected, replayed = await service.checkin_once(
            db_session, actor, booking_id, data, settings, idempotency.checked_key(idempotency_key))
        entries = await service.surcharge_entries(db_session, booking_id)
        public = await _with_photos(db_session, actor, HandoverPublic.checkin(handover, defect, affected, entries))
        return created(public, replayed)

    @get("/photos")
    async def photos(self, booking_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[PhotoPublic]:
        """The photos of the hand-over and the return; each file at ``/handover-photos/{id}``."""
        return [PhotoPublic(id=p.id or 0, kind=p.kind, content_type=p.content_type, created_at=p.created_at)
                for p in await service.photos_of(db_session, actor, booking_id)]


async def _with_photos(session: Any, actor: Any, public: HandoverPublic) -> HandoverPublic:
    item = await session.get(Item, public.item_id)
    public.meter_kind = item.meter_kind if item is not None else "hours"
    public.photo_ids = [p.id or 0 for p in await service.photos_of(session, actor, public.booking_id)
                        if p.kind == public.kind]
    return public


@get("/handover-photos/{photo_id:int}", tags=["machine"])
async def handover_photo(photo_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                         settings: AppSettings) -> File:
    """One photo of a hand-over or return (the item's yard head, the booking's farmer)."""
    path, content_type = await service.photo_file(db_session, actor, photo_id, settings)
    return File(path=path, media_type=content_type, content_disposition_type="inline")


class RepairController(Controller):
    path = "/items/{item_id:int}/repairs"
    tags = ["machine"]

    @post("/")
    async def create(
        self, item_id: FromPath[int], data: JSONBody[RepairInput], actor: CurrentActor, db_session: DbSession
    ) -> RepairPublic:
        repair, defect_ids = await service.record_repair(db_session, actor, item_id, data)
        return RepairPublic.of(repair, defect_ids)


class DefectController(Controller):
    path = "/defects"
    tags = ["machine"]

    @get("/affected")
    async def affected(self, actor: CurrentActor, db_session: DbSession) -> list[AffectedPublic]:
        rows = await service.affected_bookings(db_session, actor, open_only=False)
        return [AffectedPublic(defect_id=r.defect.id or 0, booking_id=r.booking.id or 0, item_id=r.item.id or 0,
                               farmer_id=r.farmer.id or 0, start=r.booking.start_at, end=r.booking.end_at,
                               action=r.action, alternative_item_ids=[a.id or 0 for a in r.alternatives])
                for r in rows]

    @post("/{defect_id:int}/charge")
    async def charge(
        self, defect_id: FromPath[int], data: JSONBody[DamageChargeInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> EntryPublic:
        entry = await service.charge_damage(db_session, actor, defect_id, data.amount_cents, data.reason, settings)
        return EntryPublic.of(EntryView.of(entry, settled=False))

    @post("/{defect_id:int}/bookings/{booking_id:int}/decision", status_code=200)
    async def decide(
        self, defect_id: FromPath[int], booking_id: FromPath[int], data: JSONBody[DecisionInput],
        actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    ) -> BookingPublic:
        booking = await service.decide(db_session, actor, defect_id, booking_id, ACTIONS[data.action], settings,
                                       item_id=data.item_id)
        return BookingPublic.of(booking)


def _interval_public(state: maintenance.Due) -> IntervalPublic:
    i = state.interval
    return IntervalPublic(id=i.id or 0, item_id=i.item_id, name=i.name, every_hours=i.every_hours,
                          every_months=i.every_months, last_done_at=i.last_done_at, last_done_meter=i.last_done_meter,
                          next_at=state.next_at, next_meter=state.next_meter, meter=state.meter, due=state.due,
                          overdue=state.overdue)


class MaintenanceController(Controller):
    tags = ["machine"]
    path = "/"

    @post("/items/{item_id:int}/maintenance-intervals")
    async def create(
        self, item_id: FromPath[int], data: JSONBody[IntervalCreate], actor: CurrentActor, db_session: DbSession
    ) -> IntervalPublic:
        interval = await maintenance.create_interval(db_session, actor, item_id, data)
        states = await maintenance.intervals(db_session, actor, item_id)
        return _interval_public(next(s for s in states if s.interval.id == interval.id))

    @get("/items/{item_id:int}/maintenance-intervals")
    async def list_(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[IntervalPublic]:
        return [_interval_public(s) for s in await maintenance.intervals(db_session, actor, item_id)]

    @get("/maintenance/due")
    async def due(self, actor: CurrentActor, db_session: DbSession) -> list[IntervalPublic]:
        return [_interval_public(s) for s in await maintenance.due_for(db_session, actor)]

    @post("/maintenance-intervals/{interval_id:int}/done", status_code=200)
    async def done(self, interval_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> IntervalPublic:
        interval = await maintenance.mark_done(db_session, actor, interval_id)
        states = await maintenance.intervals(db_session, actor, interval.item_id)
        return _interval_public(next(s for s in states if s.interval.id == interval.id))

    @post("/maintenance-intervals/{interval_id:int}/plan")
    async def plan(
        self, interval_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> BlockPublic:
        return BlockPublic.of(await maintenance.plan(db_session, actor, interval_id, settings))


ROUTES: list[Any] = [HandoverController, handover_photo, RepairController, DefectController, MaintenanceController]
