"""Calendar months as the settlement counts them: first and last day, the month before and after, and
whether a month has ended (a month is settled only after its last day)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from machinery_network import clock
from machinery_network.config import DEFAULT_TZ
from machinery_network.errors import Invalid
from machinery_network.i18n import month_label


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def month_has_ended(month: date, today: date) -> bool:
    _, last = month_bounds(month)
    return today > last


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def check_month_ended(month: date, tz: ZoneInfo = DEFAULT_TZ) -> None:
    first, last = month_bounds(month)
    if not month_has_ended(first, clock.today(tz)):
        raise Invalid(
            "settlement.month_open", field="month", month=month_label(first),
            first_day=f"{last + timedelta(days=1):%d.%m.%Y}",
        )
