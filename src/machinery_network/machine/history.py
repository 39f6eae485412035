"""The machine history of one item: bookings with their meter readings, operating hours per month,
defects, repairs, maintenance and revenue; as a page and as a CSV (UTF-8 with BOM, ``;``, decimal comma)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role, User
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings.models import Booking, BookingStatus
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.ledger.models import LedgerEntry
from machinery_network.machine.models import Defect, Handover, HandoverSurcharge, MaintenanceInterval, Repair
from machinery_network.money import format_decimal_de, format_eur
from machinery_network.paging import PageRequest, finish, keyset


@dataclass
class BookingLine:
    booking: Booking
    farmer: str
    handover: Handover | None

    @property
    def hours(self) -> Decimal | None:
        h = self.handover
        if h is None or h.checkin_meter is None:
            return None
        return h.checkin_meter - h.checkout_meter


@dataclass
class History:
    item: Item
    bookings: list[BookingLine]
    hours_by_month: list[tuple[str, Decimal]]
    defects: list[Defect]
    repairs: list[Repair]
    maintenance: list[MaintenanceInterval]
    revenue_cents: int
    surcharge_cents: int
    damage_cents: int
    repair_cost_cents: int
    totals: dict[str, int] = field(default_factory=dict)
    next_cursor: str | None = None  # a page of the bookings: the cursor of the next one


HISTORY_ORDER = "history:start-desc,id"


async def history(
    session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *, page: PageRequest | None = None
) -> History:
    """The whole history (the CSV), or with ``page`` one page of its bookings, the latest first (the page):
    then the hours by month and the revenue are summed in SQL instead of from the rows read."""
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head, Role.finance, admin=True)
    used = col(Booking.item_id) == item.id, col(Booking.status) != BookingStatus.rejected
    stmt = (
        select(Booking, col(User.name), Handover)
        .join(User, col(User.id) == col(Booking.farmer_id))
        .outerjoin(Handover, col(Handover.booking_id) == col(Booking.id))
        .where(*used)
    )
    if page is None:
        rows = (await session.execute(stmt.order_by(col(Booking.start_at).desc(), col(Booking.id).desc()))).all()
    else:
        keys = (col(Booking.start_at), col(Booking.id))
        rows = (await session.execute(keyset(stmt, keys, page, descending=True))).all()
    lines = [BookingLine(b, name, h) for b, name, h in rows]
    next_cursor: str | None = None
    hours: dict[str, Decimal] = defaultdict(Decimal)
    if page is None:
        for line in lines:
            if line.hours is not None and line.handover is not None and line.handover.checkin_at is not None:
                hours[f"{line.handover.checkin_at.astimezone(settings.tz):%Y-%m}"] += line.hours
        revenue = sum(line.booking.charge_cents or 0 for line in lines if line.booking.status == BookingStatus.completed)
    else:
        paged = finish(lines, page, lambda line: (line.booking.start_at, line.booking.id))
        lines, next_cursor = paged.rows, paged.next_cursor
        month = func.to_char(func.timezone(str(settings.tz), col(Handover.checkin_at)), "YYYY-MM")
        for key, total in await session.execute(
            select(month, func.sum(col(Handover.checkin_meter) - col(Handover.checkout_meter)))
            .join(Booking, col(Booking.id) == col(Handover.booking_id))
            .where(*used, col(Handover.checkin_meter).is_not(None), col(Handover.checkin_at).is_not(None))
            .group_by(month)
        ):
            hours[key] = total
        revenue = await session.scalar(select(func.coalesce(func.sum(col(Booking.charge_cents)), 0)).where(
            col(Booking.item_id) == item.id, col(Booking.status) == BookingStatus.completed)) or 0
    defects = list(await session.scalars(
        select(Defect).where(col(Defect.item_id) == item.id)
        .order_by(col(Defect.reported_at).desc(), col(Defect.id).desc())))
    repairs = list(await session.scalars(
        select(Repair).where(col(Repair.item_id) == item.id)
        .order_by(col(Repair.repaired_at).desc(), col(Repair.id).desc())))
    intervals = list(await session.scalars(
        select(MaintenanceInterval).where(col(MaintenanceInterval.item_id) == item.id)
        .order_by(col(MaintenanceInterval.id))))
    surcharges = await session.scalars(
        select(col(LedgerEntry.amount_cents))
        .join(HandoverSurcharge, col(HandoverSurcharge.entry_id) == col(LedgerEntry.id))
        .join(Booking, col(Booking.id) == col(HandoverSurcharge.booking_id)).where(col(Booking.item_id) == item.id))
    damages = await session.scalars(
        select(col(LedgerEntry.amount_cents)).join(Defect, col(Defect.charge_entry_id) == col(LedgerEntry.id))
        .where(col(Defect.item_id) == item.id))
    return History(
        item=item, bookings=lines, hours_by_month=sorted(hours.items(), reverse=True), defects=defects,
        repairs=repairs, maintenance=intervals,
        revenue_cents=int(revenue),
        surcharge_cents=sum(surcharges), damage_cents=sum(damages),
        repair_cost_cents=sum(r.cost_cents or 0 for r in repairs), next_cursor=next_cursor,
    )


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _when(value: datetime | None, settings: Settings) -> str:
    return f"{value.astimezone(settings.tz):%d.%m.%Y %H:%M}" if value else ""


HEADER = ["Art", "Datum", "Bis", "Text", "Landwirt", "Status", "Zähler Übergabe", "Zähler Rückgabe",
          "Betriebsstunden", "Menge", "Betrag"]
# What the meter counts (``items.meter_kind``): the column of the use and the monthly rows say so.
USED = {"hours": "Betriebsstunden", "km": "Kilometer"}
METER = {"hours": "Zähler", "km": "Kilometerstand"}


def render_csv(h: History, settings: Settings) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    used = USED.get(h.item.meter_kind, "Betriebsstunden")
    writer.writerow([*HEADER[:6], f"{METER.get(h.item.meter_kind, 'Zähler')} Übergabe",
                     f"{METER.get(h.item.meter_kind, 'Zähler')} Rückgabe", used, *HEADER[9:]])
    for line in h.bookings:
        b, ho = line.booking, line.handover
        writer.writerow([
            "Buchung", _when(b.start_at, settings), _when(b.end_at, settings), b.note and _cell(b.note) or "",
            _cell(line.farmer), b.status, format_decimal_de(ho.checkout_meter) if ho else "",
            format_decimal_de(ho.checkin_meter) if ho else "", format_decimal_de(line.hours),
            format_decimal_de(b.quantity), format_eur(b.charge_cents) if b.charge_cents is not None else "",
        ])
    for month, hours in h.hours_by_month:
        writer.writerow([used, month, "", "", "", "", "", "", format_decimal_de(hours), "", ""])
    for d in h.defects:
        writer.writerow(["Schaden", _when(d.reported_at, settings), "", _cell(d.description), "",
                         "einsatzbereit" if d.usable else ("repariert" if d.repair_id else "gesperrt"),
                         "", "", "", "", ""])
    for r in h.repairs:
        writer.writerow(["Reparatur", _when(r.repaired_at, settings), "", _cell(r.description), "", "", "", "", "",
                         "", format_eur(r.cost_cents) if r.cost_cents is not None else ""])
    for m in h.maintenance:
        writer.writerow(["Wartung", _when(m.last_done_at, settings), "", _cell(m.name), "", "", "",
                         format_decimal_de(m.last_done_meter), format_decimal_de(m.every_hours),
                         str(m.every_months or ""), ""])
    writer.writerow(["Umsatz", "", "", "Buchungen", "", "", "", "", "", "", format_eur(h.revenue_cents)])
    writer.writerow(["Umsatz", "", "", "Zuschläge", "", "", "", "", "", "", format_eur(h.surcharge_cents)])
    writer.writerow(["Umsatz", "", "", "Schadensbelastungen", "", "", "", "", "", "", format_eur(h.damage_cents)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
