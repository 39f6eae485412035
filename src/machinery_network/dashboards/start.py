"""The start page of each role (``/start``): what needs the person's attention, built from the services
that own each thing (bookings listing, notices, care plan, maintenance, ledger, settlement, dashboards).
No query of its own; every list is the owner's, narrowed to what waits.

- farmer: his coming bookings, decisions he has not read yet (unread notices of a decision), care due this
  week and his balance in words ("Sie zahlen 246,92 € am 15.12.").
- yard head: requests waiting (oldest first, conflict named), returns due, care reports to confirm,
  sections behind plan, maintenance due.
- finance: months ready to settle and export, SEPA exceptions (no IBAN), open mandates (a debit, no mandate).
- admin: municipalities missing IBAN, creditor id or DATEV data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Municipality, Role
from machinery_network.accounts.service import list_municipalities
from machinery_network.auth import Actor, own_id
from machinery_network.bookings import listing
from machinery_network.bookings.models import BookingStatus
from machinery_network.bookings.queries import conflict_flags
from machinery_network.care import plan as care_plan
from machinery_network.care.models import CareLogStatus
from machinery_network.care.service import CARE_LOG_ORDER, page_care_logs
from machinery_network.config import Settings
from machinery_network.dashboards import service as dashboards
from machinery_network.errors import NotAllowed
from machinery_network.exports.sepa import collection_date
from machinery_network.i18n import gettext_de
from machinery_network.ledger import service as ledger
from machinery_network.machine import maintenance
from machinery_network.notifications import notices
from machinery_network.paging import PageRequest
from machinery_network.settlement import service as settlement

SHOWN = 10
"""Rows of each list on the start page (the list's own page has the rest)."""

DECISIONS = frozenset({"booking_approved", "booking_rejected", "booking_waiting", "booking_cancelled",
                       "booking_offered", "booking_defect", "booking_moved", "booking_kept", "booking_defect_cancelled",
                       "care_log_confirmed", "care_log_rejected", "settlement_ready"})
"""Notice kinds that tell a farmer of a decision about his things."""

DEFAULT_CONSULTANT, DEFAULT_CLIENT = 1001, 1
"""The DATEV numbers a municipality has before anybody entered its own (the columns' defaults)."""


@dataclass
class Balance:
    """A farmer's balance with one municipality, said in words (``key`` with ``params``)."""

    municipality: str
    cents: int
    key: str
    params: dict[str, Any]


@dataclass
class StartPage:
    role: str
    lists: dict[str, list[Any]] = field(default_factory=dict)
    balances: list[Balance] = field(default_factory=list)
    flags: dict[int, str] = field(default_factory=dict)


async def start_page(session: AsyncSession, actor: Actor, settings: Settings) -> StartPage:
    if actor.role == Role.farmer:
        return await _farmer(session, actor, settings)
    if actor.role == Role.yard_head and actor.municipality_id is not None:
        return await _yard_head(session, actor, settings)
    if actor.role == Role.finance and actor.municipality_id is not None:
        return await _finance(session, actor, settings)
    if actor.role == Role.admin:
        return StartPage("admin", {"municipalities": missing_data(await list_municipalities(session))})
    raise NotAllowed()


# --- farmer -------------------------------------------------------------------------------------------


async def _farmer(session: AsyncSession, actor: Actor, settings: Settings) -> StartPage:
    now = clock.now()
    today = now.astimezone(settings.tz).date()
    # His bookings from now on, by start (the list's own keyset, started at now).
    coming = await listing.page_bookings(
        session, actor, PageRequest(limit=SHOWN * 3, after=(now, 0), order=listing.START_ORDER))
    upcoming = [r for r in coming.rows
                if r.booking.status in (BookingStatus.requested, BookingStatus.approved)][:SHOWN]
    told = await notices.page_notices(session, actor, PageRequest(limit=SHOWN * 5, order=notices.ORDER))
    decisions = [n for n in told.rows if n.read_at is None and n.kind in DECISIONS][:SHOWN]
    week_end = today + timedelta(days=6 - today.weekday())
    care = [fs for fs in await care_plan.farmer_sections(session, actor, settings=settings)
            if fs.current is not None and fs.current.state in ("overdue", "open")
            and fs.current.season_start <= week_end]
    return StartPage("farmer", {"upcoming": upcoming, "decisions": decisions, "care": care},
                     balances=await farmer_balances(session, actor, settings, today))


async def farmer_balances(session: AsyncSession, actor: Actor, settings: Settings, today: date) -> list[Balance]:
    """Per municipality: "Sie zahlen X am <collection date>" while the month's settlement is open (entries
    not yet in a frozen settlement), else "Sie zahlen X" / "Sie erhalten X"; nothing when even."""
    account = await ledger.get_account(session, actor, own_id(actor))
    totals: dict[int, tuple[int, bool]] = {}
    for entry in account.entries:
        cents, open_ = totals.get(entry.municipality_id, (0, False))
        totals[entry.municipality_id] = (cents + entry.amount_cents, open_ or entry.settlement_id is None)
    result = []
    by_id: dict[int, Municipality] = {m.id: m for m in await list_municipalities(session) if m.id is not None}
    for municipality_id, (cents, open_) in totals.items():
        municipality = by_id.get(municipality_id)
        if cents == 0 or municipality is None:
            continue
        amount = dashboards.eur(abs(cents))
        if cents > 0 and open_:
            day = collection_date(municipality, settings.tz, today)
            balance = Balance(municipality.name, cents, "start.pay_on", {"amount": amount, "day": f"{day:%d.%m.}"})
        else:
            balance = Balance(municipality.name, cents, "start.pay" if cents > 0 else "start.receive",
                              {"amount": amount})
        result.append(balance)
    return sorted(result, key=lambda b: b.municipality)


# --- yard head ----------------------------------------------------------------------------------------


async def _yard_head(session: AsyncSession, actor: Actor, settings: Settings) -> StartPage:
    now = clock.now()
    today = now.astimezone(settings.tz).date()
    # The inbox's own order: open requests oldest first, then the approved bookings by start.
    inbox = await listing.page_bookings(
        session, actor, PageRequest(limit=SHOWN * 5, order=listing.INBOX_ORDER), then=[BookingStatus.approved])
    waiting = [r for r in inbox.rows if r.booking.status == BookingStatus.requested][:SHOWN]
    returns = [r for r in inbox.rows if r.booking.status == BookingStatus.approved
               and r.booking.end_at.astimezone(settings.tz).date() <= today][:SHOWN]
    reports = await page_care_logs(session, actor, PageRequest(limit=SHOWN, order=CARE_LOG_ORDER),
                                   status=CareLogStatus.reported, municipality_id=actor.municipality_id)
    assert actor.municipality_id is not None
    behind = [row for row in await care_plan.season_plan(session, actor, actor.municipality_id, today.year,
                                                        settings=settings) if row.state == "overdue"]
    return StartPage(
        "yard_head",
        {"waiting": waiting, "returns": returns, "reports": reports.rows, "behind": behind[:SHOWN],
         "maintenance": await maintenance.due_for(session, actor)},
        flags=await conflict_flags(session, [row_id(r.booking) for r in waiting]),
    )


# --- finance ------------------------------------------------------------------------------------------


async def ready_months(session: AsyncSession, actor: Actor, settings: Settings) -> list[settlement.PendingMonth]:
    """Months that have ended with entries still pending: to settle and export."""
    assert actor.municipality_id is not None
    today = clock.today(settings.tz)
    return [m for m in await settlement.pending_months(session, actor, actor.municipality_id)
            if settlement.month_has_ended(m.month, today)]


async def _finance(session: AsyncSession, actor: Actor, settings: Settings) -> StartPage:
    assert actor.municipality_id is not None
    panels = await dashboards.finance(session, actor, actor.municipality_id, settings)
    mandates = next(p for p in panels if p.key == "mandates")
    no_iban, no_mandate = gettext_de("dash.no_iban"), gettext_de("dash.no_mandate")
    return StartPage("finance", {
        "months": await ready_months(session, actor, settings),
        "exceptions": [row for row in mandates.rows if row[2] == no_iban],
        "mandates": [row for row in mandates.rows if row[2] == no_mandate],
    })


# --- admin --------------------------------------------------------------------------------------------


@dataclass
class MissingData:
    municipality: Municipality
    missing: list[str]  # message keys: start.missing_iban, start.missing_creditor, start.missing_datev


def missing_data(municipalities: list[Municipality]) -> list[MissingData]:
    """The municipalities that cannot collect or export yet: no IBAN, no creditor id, DATEV numbers never set."""
    result = []
    for m in municipalities:
        missing = []
        if not m.iban:
            missing.append("start.missing_iban")
        if not m.creditor_id:
            missing.append("start.missing_creditor")
        if m.datev_consultant_number == DEFAULT_CONSULTANT and m.datev_client_number == DEFAULT_CLIENT:
            missing.append("start.missing_datev")
        if missing:
            result.append(MissingData(m, missing))
    return result
