"""What needs a person's attention, as counts for the menu: a yard head's booking requests waiting for
a decision and care reports waiting for confirmation, in the own municipality; a finance officer's months
ready to settle and export; the administrator's municipalities missing bank, creditor or DATEV data (the
start page's lists, ``dashboards.start``). Read queries only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import list_municipalities
from machinery_network.auth import Actor
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.care.models import CareLog, CareLogStatus, Section
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.dashboards import start

INBOX = "/manage/bookings"
CARE_INBOX = "/manage/care-logs"
SETTLEMENTS = "/finance/settlements"
ADMIN = "/admin"


async def menu_counts(session: AsyncSession, actor: Actor, settings: Settings) -> dict[str, int]:
    """{menu address: number of things waiting there}; empty for roles with nothing to decide."""
    if actor.role == Role.finance and actor.municipality_id is not None:
        return {SETTLEMENTS: len(await start.ready_months(session, actor, settings))}
    if actor.role == Role.admin:
        return {ADMIN: len(start.missing_data(await list_municipalities(session)))}
    if actor.role != Role.yard_head or actor.municipality_id is None:
        return {}
    requests = await session.scalar(
        select(func.count()).select_from(Booking).join(Item, col(Item.id) == col(Booking.item_id))
        .where(col(Item.municipality_id) == actor.municipality_id, col(Booking.status) == BookingStatus.requested)
    )
    reports = await session.scalar(
        select(func.count()).select_from(CareLog).join(Section, col(Section.id) == col(CareLog.section_id))
        .where(col(Section.municipality_id) == actor.municipality_id, col(CareLog.status) == CareLogStatus.reported)
    )
    return {INBOX: int(requests or 0), CARE_INBOX: int(reports or 0)}
