"""Maintenance by operating hours and calendar: intervals per item, what is due, planning a block.

The operating hours are the item's highest meter reading (hand-overs and returns). An interval is
due when its next service lies within 14 days or 25 operating hours (or is overdue).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import service as bookings
from machinery_network.bookings.models import Block
from machinery_network.bookings.schemas import BlockCreate
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.errors import Conflict, NotFound
from machinery_network.machine.handover import last_meter
from machinery_network.machine.models import MaintenanceInterval
from machinery_network.machine.schemas import IntervalCreate

DUE_DAYS = 14
DUE_HOURS = Decimal(25)


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass
class Due:
    interval: MaintenanceInterval
    item: Item
    next_at: datetime | None
    next_meter: Decimal | None
    meter: Decimal | None
    due: bool
    overdue: bool


def due_state(interval: MaintenanceInterval, item: Item, meter: Decimal | None, now: datetime) -> Due:
    next_at = add_months(interval.last_done_at, interval.every_months) if interval.every_months else None
    next_meter = None
    if interval.every_hours is not None:
        next_meter = (interval.last_done_meter or Decimal(0)) + interval.every_hours
    by_date = next_at is not None and next_at - now <= timedelta(days=DUE_DAYS)
    by_hours = next_meter is not None and meter is not None and next_meter - meter <= DUE_HOURS
    overdue = (next_at is not None and next_at <= now) or (
        next_meter is not None and meter is not None and meter >= next_meter)
    return Due(interval, item, next_at, next_meter, meter, by_date or by_hours, overdue)


async def create_interval(session: AsyncSession, actor: Actor, item_id: int, data: IntervalCreate) -> MaintenanceInterval:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    now = clock.now()
    meter = data.last_done_meter
    if meter is None and data.every_hours is not None:
        meter = await last_meter(session, item_id) or Decimal(0)
    interval = MaintenanceInterval(item_id=item_id, name=data.name, every_hours=data.every_hours,
                                   every_months=data.every_months, last_done_at=data.last_done_at or now,
                                   last_done_meter=meter, created_at=now)
    session.add(interval)
    await session.flush()
    return interval


async def intervals(session: AsyncSession, actor: Actor, item_id: int) -> list[Due]:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head, Role.finance, admin=True)
    meter = await last_meter(session, item_id)
    now = clock.now()
    rows = await session.scalars(select(MaintenanceInterval).where(col(MaintenanceInterval.item_id) == item_id)
                                 .order_by(col(MaintenanceInterval.id)))
    return [due_state(row, item, meter, now) for row in rows]


async def due_for(session: AsyncSession, actor: Actor) -> list[Due]:
    """What is due (or overdue) on the yard head's items: his start page and the weekly digest."""
    if actor.role != Role.yard_head:
        return []
    rows = (await session.execute(
        select(MaintenanceInterval, Item).join(Item, col(Item.id) == col(MaintenanceInterval.item_id))
        .where(col(Item.municipality_id) == actor.municipality_id).order_by(col(Item.name), col(MaintenanceInterval.id))
    )).all()
    now = clock.now()
    meters: dict[int, Decimal | None] = {}
    result = []
    for interval, item in rows:
        if interval.item_id not in meters:
            meters[interval.item_id] = await last_meter(session, interval.item_id)
        state = due_state(interval, item, meters[interval.item_id], now)
        if state.due or state.overdue:
            result.append(state)
    return result


async def _interval(session: AsyncSession, actor: Actor, interval_id: int) -> tuple[MaintenanceInterval, Item]:
    interval = await session.get(MaintenanceInterval, interval_id, with_for_update=True)
    if interval is None:
        raise NotFound("machine.interval_not_found")
    item = await get_item(session, interval.item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    return interval, item


async def mark_done(session: AsyncSession, actor: Actor, interval_id: int) -> MaintenanceInterval:
    """The maintenance was done now, at the item's current meter."""
    interval, _ = await _interval(session, actor, interval_id)
    interval.last_done_at = clock.now()
    if interval.every_hours is not None:
        interval.last_done_meter = await last_meter(session, interval.item_id) or interval.last_done_meter
    await session.flush()
    return interval


async def plan(session: AsyncSession, actor: Actor, interval_id: int, settings: Settings,
               *, hours: int = 8, days_ahead: int = 60) -> Block:
    """One action: a maintenance block on the first day from tomorrow whose working day (07:00, ``hours``
    long) is free."""
    interval, _ = await _interval(session, actor, interval_id)
    day = clock.now().astimezone(settings.tz).date() + timedelta(days=1)
    for _ in range(days_ahead):
        start = datetime.combine(day, time(7, 0), tzinfo=settings.tz)
        end = start + timedelta(hours=hours)
        if await bookings.find_overlap(session, interval.item_id, start, end) is None:
            return await bookings.create_block(
                session, actor, interval.item_id, BlockCreate(start=start, end=end, reason=f"Wartung: {interval.name}"),
                settings)
        day += timedelta(days=1)
    raise Conflict("machine.no_free_day", days=days_ahead)


__all__ = ["DUE_DAYS", "DUE_HOURS", "Due", "create_interval", "due_for", "intervals", "mark_done", "plan"]
