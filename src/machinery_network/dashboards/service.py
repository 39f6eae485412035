"""The dashboards' figures: one function per role, each answering a list of panels (a chart, its
numbers as a table, and the same table as CSV). Every figure is aggregated in PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.config import Settings
from machinery_network.costing.coverage import coverage_rows
from machinery_network.costing.schemas import CoverageFlag
from machinery_network.dashboards import svg
from machinery_network.i18n import gettext_de as _
from machinery_network.money import format_decimal_de, format_eur

MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
WEEKDAYS_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def month_label(month: date) -> str:
    return f"{MONTHS_DE[month.month - 1]} {month.year}"


def eur(cents: Decimal | float | int) -> str:
    return format_eur(int(cents), symbol=True)


def num(value: float | int | Decimal) -> str:
    return format_decimal_de(Decimal(str(value)))


@dataclass
class Panel:
    """One chart with its table: ``columns`` name the table's columns, ``rows`` hold raw values (the
    CSV), ``kinds`` how each column is shown (eur, num, text)."""

    key: str
    title: str
    columns: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = ""

    def shown(self) -> list[list[str]]:
        def cell(kind: str, value: Any) -> str:
            if value is None:
                return "–"
            if kind == "eur":
                return eur(value)
            if kind == "num":
                return num(value)
            return str(value)
        return [[cell(kind, value) for kind, value in zip(self.kinds, row, strict=True)] for row in self.rows]


def _month_floor(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


# --- yard head ---------------------------------------------------------------------------------------


async def yard_head(session: AsyncSession, actor: Actor, municipality_id: int, settings: Settings) -> list[Panel]:
    require_for_municipality(actor, municipality_id, Role.yard_head, admin=True)
    await get_municipality(session, municipality_id)
    tz = settings.tz
    now = clock.now()
    today = now.astimezone(tz).date()
    params = {"m": municipality_id, "tz": settings.timezone, "now": now}
    panels = []

    # requests waiting and their age
    waiting = (await session.execute(text(
        """
        SELECT count(*) FILTER (WHERE :now - b.created_at < interval '1 day') AS d1,
               count(*) FILTER (WHERE :now - b.created_at >= interval '1 day' AND :now - b.created_at < interval '3 days') AS d3,
               count(*) FILTER (WHERE :now - b.created_at >= interval '3 days' AND :now - b.created_at < interval '7 days') AS d7,
               count(*) FILTER (WHERE :now - b.created_at >= interval '7 days') AS older
        FROM bookings b JOIN items i ON i.id = b.item_id
        WHERE i.municipality_id = :m AND b.status = 'requested'
        """), params)).one()
    buckets = [_("dash.age_1"), _("dash.age_3"), _("dash.age_7"), _("dash.age_more")]
    p = Panel("waiting", _("dash.waiting"), [_("dash.age"), _("dash.requests")], ["text", "num"],
              [[label, int(count)] for label, count in zip(buckets, waiting, strict=True)])
    p.chart = svg.bars(p.key, p.title, buckets, [svg.Series(_("dash.requests"), [int(c) for c in waiting])], num)
    panels.append(p)

    # this week's bookings per item
    monday = today - timedelta(days=today.weekday())
    week_start = datetime.combine(monday, time(0), tz)
    week_end = datetime.combine(monday + timedelta(days=7), time(0), tz)
    spans = (await session.execute(text(
        """
        SELECT i.name AS item, b.start_at, b.end_at, u.name AS who, 0 AS kind
        FROM bookings b JOIN items i ON i.id = b.item_id JOIN users u ON u.id = b.farmer_id
        WHERE i.municipality_id = :m AND b.status IN ('approved', 'completed')
          AND b.start_at < :stop AND b.end_at > :start
        UNION ALL
        SELECT i.name, k.start_at, k.end_at, k.reason, 1
        FROM blocks k JOIN items i ON i.id = k.item_id
        WHERE i.municipality_id = :m AND k.start_at < :stop AND k.end_at > :start
        ORDER BY 1, 2
        """), {**params, "start": week_start, "stop": week_end})).all()
    p = Panel("week", _("dash.week"), [_("dash.item"), _("dash.from"), _("dash.to"), _("dash.who")],
              ["text", "text", "text", "text"])
    for row in spans:
        who = row.who if row.kind == 0 else _("dash.block") + ": " + row.who
        p.rows.append([row.item, row.start_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
                       row.end_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"), who])
    items = sorted({row.item for row in spans})
    p.chart = svg.timeline(
        p.key, p.title, week_start, 7, items,
        [svg.Span(row.item, row.start_at, row.end_at, row.who, row.kind) for row in spans],
        [f"{WEEKDAYS_DE[d]} {(monday + timedelta(days=d)).day}." for d in range(7)],
    )
    panels.append(p)

    # use per item per month, the last 12 months
    first = _add_months(_month_floor(today), -11)
    use = (await session.execute(text(
        """
        SELECT i.id, i.name, i.unit,
               date_trunc('month', b.start_at AT TIME ZONE :tz)::date AS month, sum(b.quantity) AS quantity
        FROM bookings b JOIN items i ON i.id = b.item_id
        WHERE i.municipality_id = :m AND b.status = 'completed'
          AND b.start_at >= (CAST(:first AS timestamp) AT TIME ZONE :tz)
        GROUP BY i.id, i.name, i.unit, month ORDER BY i.name, i.id, month
        """), {**params, "first": first})).all()
    months = [_add_months(first, n) for n in range(12)]
    per_item: dict[tuple[int, str, str], dict[date, Decimal]] = {}
    for row in use:
        per_item.setdefault((row.id, row.name, row.unit), {})[row.month] = Decimal(row.quantity)
    p = Panel("use", _("dash.use"), [_("dash.item"), _("dash.unit"), *[month_label(m) for m in months], _("dash.total")],
              ["text", "text", *["num"] * 13])
    totals = []
    for (_id, name, unit), by_month in per_item.items():
        values = [by_month.get(m, Decimal(0)) for m in months]
        totals.append((f"{name} ({_('unit.' + unit)})", sum(values, Decimal(0))))
        p.rows.append([name, _("unit." + unit), *values, sum(values, Decimal(0))])
    p.chart = svg.bars(p.key, p.title, [t[0] for t in totals], [svg.Series(_("dash.total"), [t[1] for t in totals])],
                       num)
    panels.append(p)

    # care plan progress per section: confirmed passes this year vs planned passes
    care = (await session.execute(text(
        """
        SELECT s.name,
               coalesce((SELECT sum(CASE WHEN jsonb_typeof(v) = 'number' THEN v::text::numeric ELSE 0 END)
                         FROM jsonb_each(CASE WHEN jsonb_typeof(s.planned_passes) = 'object'
                                              THEN s.planned_passes ELSE '{}'::jsonb END) AS e(k, v)), 0) AS planned,
               (SELECT count(*) FROM care_logs c WHERE c.section_id = s.id AND c.status = 'confirmed'
                  AND c.performed_on >= :year_start AND c.performed_on < :year_stop) AS done
        FROM sections s WHERE s.municipality_id = :m AND s.active ORDER BY s.name, s.id
        """), {**params, "year_start": date(today.year, 1, 1), "year_stop": date(today.year + 1, 1, 1)})).all()
    p = Panel("care", _("dash.care"), [_("dash.section"), _("dash.done"), _("dash.planned")], ["text", "num", "num"],
              [[row.name, int(row.done), Decimal(row.planned)] for row in care])
    p.chart = svg.bars(p.key, p.title, [row.name for row in care], [
        svg.Series(_("dash.done"), [int(row.done) for row in care]),
        svg.Series(_("dash.planned"), [Decimal(row.planned) for row in care]),
    ], num)
    panels.append(p)

    # maintenance due: blocks in the next 14 days
    due = (await session.execute(text(
        """
        SELECT i.name, k.start_at, k.end_at, k.reason FROM blocks k JOIN items i ON i.id = k.item_id
        WHERE i.municipality_id = :m AND k.end_at > :now AND k.start_at < :now + interval '14 days'
        ORDER BY k.start_at
        """), params)).all()
    p = Panel("maintenance", _("dash.maintenance"), [_("dash.item"), _("dash.from"), _("dash.to"), _("dash.reason")],
              ["text"] * 4, [[row.name, row.start_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
                              row.end_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"), row.reason] for row in due])
    counted: dict[str, int] = {}
    for row in due:
        counted[row.name] = counted.get(row.name, 0) + 1
    p.chart = svg.bars(p.key, p.title, list(counted), [svg.Series(_("dash.blocks"), list(counted.values()))], num)
    panels.append(p)
    return panels


# --- finance office ----------------------------------------------------------------------------------


class Account(NamedTuple):  # a farmer's balance today (b1, b2: at the ends of the last two months)
    id: int
    name: str
    iban: str | None
    mandate_reference: str | None
    balance: int
    b1: int
    b2: int


async def finance(session: AsyncSession, actor: Actor, municipality_id: int, settings: Settings) -> list[Panel]:
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    today = clock.today(settings.tz)
    this_month = _month_floor(today)
    first = _add_months(this_month, -23)
    params = {"m": municipality_id, "first": first, "stop": _add_months(this_month, 1)}
    panels = []

    monthly = (await session.execute(text(
        """
        SELECT g.month::date AS month, coalesce(a.charges, 0) AS charges, coalesce(a.credits, 0) AS credits,
               coalesce(a.net, 0) AS net
        FROM generate_series(CAST(:first AS date), CAST(:stop AS date) - 1, interval '1 month') AS g(month)
        LEFT JOIN (
            SELECT date_trunc('month', e.value_date)::date AS month,
                   sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0) AS charges,
                   -sum(e.amount_cents) FILTER (WHERE e.amount_cents < 0) AS credits,
                   sum(e.amount_cents) AS net
            FROM ledger_entries e
            WHERE e.municipality_id = :m AND e.value_date >= :first AND e.value_date < :stop
            GROUP BY 1
        ) a ON a.month = g.month::date
        ORDER BY g.month
        """), params)).all()
    p = Panel("balances", _("dash.balances"), [_("dash.month"), _("dash.charges"), _("dash.credits"), _("dash.net")],
              ["text", "eur", "eur", "eur"],
              [[month_label(r.month), int(r.charges), int(r.credits), int(r.net)] for r in monthly])
    p.chart = svg.bars(p.key, p.title, [month_label(r.month) for r in monthly], [
        svg.Series(_("dash.charges"), [int(r.charges) for r in monthly]),
        svg.Series(_("dash.credits"), [int(r.credits) for r in monthly]),
        svg.Series(_("dash.net"), [int(r.net) for r in monthly]),
    ], eur)
    panels.append(p)

    # mandates and SEPA exceptions: farmers with a balance, with or without IBAN and mandate. The sums first,
    # then those farmers by primary key (joined, RLS's policies on users had the planner read them all).
    sums = (await session.execute(text(
        """
        SELECT e.farmer_id, sum(e.amount_cents) AS balance,
               coalesce(sum(e.amount_cents) FILTER (WHERE e.value_date < :m1), 0) AS b1,
               coalesce(sum(e.amount_cents) FILTER (WHERE e.value_date < :m2), 0) AS b2
        FROM ledger_entries e WHERE e.municipality_id = :m AND e.value_date < :stop
        GROUP BY e.farmer_id HAVING sum(e.amount_cents) <> 0
        """), {**params, "m1": this_month, "m2": _add_months(this_month, -1)})).all()
    farmers = {r.id: r for r in (await session.execute(text(
        """
        SELECT u.id, u.name, u.iban, m.reference AS mandate_reference FROM users u
        LEFT JOIN mandates m ON m.farmer_id = u.id AND m.municipality_id = :m AND m.state = 'active'
        WHERE u.id = ANY(:ids)
        """), {"m": municipality_id, "ids": [r.farmer_id for r in sums]})).all()}
    accounts = sorted(
        (Account(f.id, f.name, f.iban, f.mandate_reference, int(r.balance), int(r.b1), int(r.b2))
         for r in sums if (f := farmers.get(r.farmer_id)) is not None),
        key=lambda a: (a.name, a.id))
    with_mandate = sum(1 for a in accounts if a.iban and a.mandate_reference)
    no_mandate = sum(1 for a in accounts if a.iban and not a.mandate_reference and a.balance > 0)
    no_iban = sum(1 for a in accounts if not a.iban)
    p = Panel("mandates", _("dash.mandates"), [_("dash.farmer"), _("dash.balance"), _("dash.problem")],
              ["text", "eur", "text"])
    for a in accounts:
        if not a.iban:
            p.rows.append([a.name, int(a.balance), _("dash.no_iban")])
        elif not a.mandate_reference and a.balance > 0:
            p.rows.append([a.name, int(a.balance), _("dash.no_mandate")])
    p.chart = svg.bars(p.key, p.title, [_("dash.with_mandate"), _("dash.no_mandate"), _("dash.no_iban")],
                       [svg.Series(_("dash.farmers"), [with_mandate, no_mandate, no_iban])], num)
    panels.append(p)

    # farmers whose debt grew in each of the last two months
    debts = sorted((a for a in accounts if a.balance > 0 and a.balance > a.b1 > a.b2),
                   key=lambda a: (-a.balance, a.name))
    p = Panel("debt", _("dash.debt"), [_("dash.farmer"), month_label(_add_months(this_month, -2)) + " " + _("dash.end"),
                                       month_label(_add_months(this_month, -1)) + " " + _("dash.end"), _("dash.today")],
              ["text", "eur", "eur", "eur"], [[d.name, int(d.b2), int(d.b1), int(d.balance)] for d in debts])
    p.chart = svg.bars(p.key, p.title, [d.name for d in debts], [
        svg.Series(_("dash.today"), [int(d.balance) for d in debts]),
        svg.Series(_("dash.month_ago"), [int(d.b1) for d in debts]),
    ], eur)
    panels.append(p)
    return panels


# --- administrator / council -------------------------------------------------------------------------


async def council(session: AsyncSession, actor: Actor, year: int, settings: Settings) -> list[Panel]:
    require_role(actor, Role.admin)
    params = {"start": date(year, 1, 1), "stop": date(year + 1, 1, 1), "tz": settings.timezone}
    rows = (await session.execute(text(
        """
        SELECT m.id, m.name,
          (SELECT count(*) FROM bookings b JOIN items i ON i.id = b.item_id
            WHERE i.municipality_id = m.id AND b.status = 'completed'
              AND b.start_at >= (CAST(:start AS timestamp) AT TIME ZONE :tz)
              AND b.start_at < (CAST(:stop AS timestamp) AT TIME ZONE :tz)) AS lent,
          (SELECT coalesce(sum(b.quantity), 0) FROM bookings b JOIN items i ON i.id = b.item_id
            WHERE i.municipality_id = m.id AND b.status = 'completed' AND i.unit = 'hour'
              AND b.start_at >= (CAST(:start AS timestamp) AT TIME ZONE :tz)
              AND b.start_at < (CAST(:stop AS timestamp) AT TIME ZONE :tz)) AS hours,
          (SELECT coalesce(sum(c.quantity), 0) FROM care_logs c JOIN sections s ON s.id = c.section_id
            WHERE s.municipality_id = m.id AND c.status = 'confirmed' AND s.unit = 'metre'
              AND c.performed_on >= :start AND c.performed_on < :stop) AS care_metres,
          (SELECT coalesce(sum(c.quantity), 0) FROM care_logs c JOIN sections s ON s.id = c.section_id
            WHERE s.municipality_id = m.id AND c.status = 'confirmed' AND s.unit = 'hour'
              AND c.performed_on >= :start AND c.performed_on < :stop) AS care_hours,
          (SELECT coalesce(sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0), 0) FROM ledger_entries e
            WHERE e.municipality_id = m.id AND e.value_date >= :start AND e.value_date < :stop) AS charges,
          (SELECT coalesce(-sum(e.amount_cents) FILTER (WHERE e.amount_cents < 0), 0) FROM ledger_entries e
            WHERE e.municipality_id = m.id AND e.value_date >= :start AND e.value_date < :stop) AS credits
        FROM municipalities m ORDER BY m.name, m.id
        """), params)).all()
    names = [r.name for r in rows]
    panels = []
    p = Panel("lent", _("dash.lent"), [_("dash.municipality"), _("dash.bookings"), _("dash.hours")],
              ["text", "num", "num"], [[r.name, int(r.lent), Decimal(r.hours)] for r in rows])
    p.chart = svg.bars(p.key, p.title, names, [svg.Series(_("dash.bookings"), [int(r.lent) for r in rows]),
                                               svg.Series(_("dash.hours"), [Decimal(r.hours) for r in rows])], num)
    panels.append(p)
    p = Panel("care_done", _("dash.care_credited"), [_("dash.municipality"), _("dash.metres"), _("dash.hours")],
              ["text", "num", "num"], [[r.name, Decimal(r.care_metres), Decimal(r.care_hours)] for r in rows])
    p.chart = svg.bars(p.key, p.title, names, [svg.Series(_("dash.metres"), [Decimal(r.care_metres) for r in rows]),
                                               svg.Series(_("dash.hours"), [Decimal(r.care_hours) for r in rows])], num)
    panels.append(p)
    p = Panel("flows", _("dash.flows"), [_("dash.municipality"), _("dash.charges"), _("dash.credits"), _("dash.net")],
              ["text", "eur", "eur", "eur"],
              [[r.name, int(r.charges), int(r.credits), int(r.charges) - int(r.credits)] for r in rows])
    p.chart = svg.bars(p.key, p.title, names, [svg.Series(_("dash.charges"), [int(r.charges) for r in rows]),
                                               svg.Series(_("dash.credits"), [int(r.credits) for r in rows])], eur)
    panels.append(p)
    flags = [CoverageFlag.under, CoverageFlag.ok, CoverageFlag.over, CoverageFlag.unknown]
    p = Panel("coverage", _("dash.coverage"), [_("dash.municipality"), *[_("coverage.flag." + f.value) for f in flags]],
              ["text", "num", "num", "num", "num"])
    for r in rows:
        found = [c.flag for c in await coverage_rows(session, r.id, year, settings)]
        p.rows.append([r.name, *[found.count(f) for f in flags]])
    p.chart = svg.bars(p.key, p.title, names, [
        svg.Series(_("coverage.flag." + f.value), [row[1 + i] for row in p.rows]) for i, f in enumerate(flags[:3])
    ], num)
    panels.append(p)
    return panels
