"""The yard heads' weekly digest (Mondays): requests waiting more than two days for a decision, sections
whose seasonal care plan is behind, and maintenance due within 14 days or 25 operating hours.

One notice (and mail, by choice) per active yard head with anything to report, told once per week
(``dedupe_key`` ``digest:<ISO week>``), however many processes run the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.care.plan import PlanRow, plan_rows
from machinery_network.care.sections import list_sections
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.money import format_decimal_de
from machinery_network.notifications.notices import declare, tell
from machinery_network.notifications.service import MailTemplates, format_period

MAILS = MailTemplates("machinery_network.dashboards")
declare("digest", "weekly_digest")
WAITING_DAYS = 2
SEASON_NAMES = {"spring": "Frühjahr", "summer": "Sommer", "autumn": "Herbst", "winter": "Winter"}
METER_UNITS = {"hours": "Betriebsstunden", "km": "Kilometerstand"}


def behind(row: PlanRow, today: date) -> bool:
    """A season's plan is behind when it is overdue, or when fewer passes are confirmed than the part of
    the season gone by asks for (whole passes)."""
    if row.state == "overdue":
        return True
    if row.state != "open":
        return False
    length = max((row.season_end - row.season_start).days, 1)
    gone = min(max((today - row.season_start).days, 0), length)
    expected = (row.planned * gone) // length
    return row.confirmed < Decimal(expected)


@dataclass
class Digest:
    waiting: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    maintenance: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.sections or self.maintenance)


async def digest_for(session: AsyncSession, head: User, settings: Settings, now: datetime) -> Digest:
    """What one yard head's digest says (his municipality's requests, sections and items)."""
    from machinery_network.accounts.service import actor_of
    from machinery_network.machine.maintenance import due_for

    assert head.municipality_id is not None
    digest = Digest()
    requests = await session.execute(
        select(Booking, col(Item.name), col(User.name))
        .join(Item, col(Item.id) == col(Booking.item_id))
        .join(User, col(User.id) == col(Booking.farmer_id))
        .where(col(Item.municipality_id) == head.municipality_id, col(Booking.status) == BookingStatus.requested,
               col(Booking.created_at) < now - timedelta(days=WAITING_DAYS))
        .order_by(col(Booking.created_at), col(Booking.id))
    )
    for booking, item_name, farmer_name in requests:
        asked = booking.created_at.astimezone(settings.tz)
        digest.waiting.append(f"{farmer_name}: {item_name}, {format_period(booking.start_at, booking.end_at, settings.tz)}"
                              f" (angefragt am {asked:%d.%m.%Y})")
    today = now.astimezone(settings.tz).date()
    sections = await list_sections(session, municipality_id=head.municipality_id, active=True)
    for row in await plan_rows(session, sections, today.year, today):
        if behind(row, today):
            who = f", {row.farmer_name}" if row.farmer_name else ""
            digest.sections.append(
                f"{row.section.name} ({SEASON_NAMES.get(row.season, row.season)}{who}): "
                f"{format_decimal_de(row.confirmed)} von {row.planned} Durchgängen bestätigt, "
                f"Saisonende {row.season_end:%d.%m.%Y}")
    for d in await due_for(session, actor_of(head)):
        parts = [f"{d.item.name}: {d.interval.name}"]
        if d.next_at is not None:
            parts.append(f"fällig am {d.next_at.astimezone(settings.tz):%d.%m.%Y}")
        if d.next_meter is not None:
            parts.append(f"bei {format_decimal_de(d.next_meter)} {METER_UNITS.get(d.item.meter_kind, 'Betriebsstunden')}")
        digest.maintenance.append(("ÜBERFÄLLIG " if d.overdue else "") + ", ".join(parts))
    return digest


async def weekly_digest(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    """One digest per active yard head with something to report; answers how many were written now."""
    now = now or clock.now()
    year, week, _ = now.astimezone(settings.tz).isocalendar()
    heads = list(await session.scalars(
        select(User).where(col(User.role) == Role.yard_head, col(User.active), col(User.municipality_id).is_not(None))
        .order_by(col(User.id))))
    written = 0
    for head in heads:
        digest = await digest_for(session, head, settings, now)
        if digest.empty:
            continue
        params = {"waiting": str(len(digest.waiting)), "sections": str(len(digest.sections)),
                  "maintenance": str(len(digest.maintenance))}
        mail = MAILS.render("weekly", {"name": head.name, **params, "waiting_lines": digest.waiting,
                                       "section_lines": digest.sections, "maintenance_lines": digest.maintenance,
                                       "base_url": settings.base_url.rstrip("/")})
        told = await tell(session, head, "weekly_digest", "notice.weekly_digest", params, link="/manage/bookings",
                          mail=mail, dedupe_key=f"digest:{year}-W{week:02d}", now=now)
        written += told is not None
    await session.flush()
    return written

