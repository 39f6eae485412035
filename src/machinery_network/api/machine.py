"""JSON routes at the machine: hand-over and return of a booking, the repair of an item."""

from __future__ import annotations

from typing import Any

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.machine import service
from machinery_network.machine.schemas import (
    CheckinInput,
    CheckoutInput,
    HandoverPublic,
    RepairInput,
    RepairPublic,
)


class HandoverController(Controller):
    path = "/bookings/{booking_id:int}"
    tags = ["machine"]

    @post("/checkout")
    async def checkout(
        self, booking_id: FromPath[int], data: JSONBody[CheckoutInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> HandoverPublic:
        return HandoverPublic.checkout(await service.checkout(db_session, actor, booking_id, data, settings))

    @post("/checkin")
    async def checkin(
        self, booking_id: FromPath[int], data: JSONBody[CheckinInput], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> HandoverPublic:
        handover, defect, affected = await service.checkin(db_session, actor, booking_id, data, settings)
        return HandoverPublic.checkin(handover, defect, affected)


class RepairController(Controller):
    path = "/items/{item_id:int}/repairs"
    tags = ["machine"]

    @post("/")
    async def create(
        self, item_id: FromPath[int], data: JSONBody[RepairInput], actor: CurrentActor, db_session: DbSession
    ) -> RepairPublic:
        repair, defect_ids = await service.record_repair(db_session, actor, item_id, data)
        return RepairPublic.of(repair, defect_ids)


ROUTES: list[Any] = [HandoverController, RepairController]
