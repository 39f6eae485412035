"""Booking rules of an item (issue #18): pure functions, no database.

An item may carry these rules, each unset (no limit) by default and set by its yard head with
``PATCH /items/{id}``:

- ``min_notice_hours``: a request must start at least this many hours after it is made;
- ``max_lead_days``: a request may start at most this many days ahead;
- ``max_hours_per_farmer_week``: the hours one farmer may have of this item in one calendar week
  (Monday 00:00 to Monday 00:00, local time);
- ``max_hours_per_farmer_season``: the same for the season (the calendar year, local time);
- ``max_open_requests_per_farmer``: how many undecided requests one farmer may have of this item.

A farmer's hours are those of his bookings of the item that are requested, approved, completed or offered
(waiting list),
each counted with the part of its period inside the week or season; the new request's own hours
count too. A request touching two weeks (or seasons) must fit into each.

``check`` gives the first broken rule. The service reads the farmer's usage only when the item has a
usage rule (``Rules.needs_usage``), and only of the window ``usage_window`` names, so a request for an
item without rules costs no query more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

RULES = ("min_notice_hours", "max_lead_days", "max_hours_per_farmer_week", "max_hours_per_farmer_season",
         "max_open_requests_per_farmer")
HOUR = Decimal(3600)


@dataclass(frozen=True, slots=True)
class Rules:
    min_notice_hours: int | None = None
    max_lead_days: int | None = None
    max_hours_per_farmer_week: int | None = None
    max_hours_per_farmer_season: int | None = None
    max_open_requests_per_farmer: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Rules:
        """The rules of an item from a row with the rule columns (an asyncpg record, a dict)."""
        return cls(**{name: row[name] for name in RULES})

    @property
    def needs_hours(self) -> bool:
        return self.max_hours_per_farmer_week is not None or self.max_hours_per_farmer_season is not None

    @property
    def needs_usage(self) -> bool:
        return self.needs_hours or self.max_open_requests_per_farmer is not None


class Period(NamedTuple):
    start: datetime
    end: datetime


class Usage(NamedTuple):
    """What the farmer already has of the item: the periods of his live bookings (in the window
    ``usage_window`` named) and the number of his open requests."""

    periods: Sequence[Period]
    open_requests: int


class Broken(NamedTuple):
    """A broken rule: its name, its limit, and for the hour rules the hours the farmer would have."""

    rule: str
    limit: int
    hours: Decimal | None = None


def hours(period: Period, window: Period | None = None) -> Decimal:
    """The hours of ``period`` (inside ``window``, if given), never negative."""
    start, end = period
    if window is not None:
        start, end = max(start, window.start), min(end, window.end)
    if end <= start:
        return Decimal(0)
    return Decimal((end - start).total_seconds()) / HOUR


def week_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The calendar week (Monday to Monday, local time) that ``moment`` lies in."""
    day = moment.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    return Period(datetime.combine(monday, time(), tz), datetime.combine(monday + timedelta(days=7), time(), tz))


def season_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The season (the calendar year, local time) that ``moment`` lies in."""
    year = moment.astimezone(tz).year
    return Period(datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz))


def _windows(of: Callable[[datetime, ZoneInfo], Period], period: Period, tz: ZoneInfo) -> Iterator[Period]:
    """Every week or season (``of``) that ``period`` touches."""
    window = of(period.start, tz)
    while True:
        yield window
        if window.end >= period.end:
            return
        window = of(window.end, tz)


def usage_window(rules: Rules, period: Period, tz: ZoneInfo) -> Period | None:
    """The span whose bookings the hour rules need (None: they need none)."""
    spans: list[Period] = []
    if rules.max_hours_per_farmer_week is not None:
        spans.extend(_windows(week_of, period, tz))
    if rules.max_hours_per_farmer_season is not None:
        spans.extend(_windows(season_of, period, tz))
    if not spans:
        return None
    return Period(min(span.start for span in spans), max(span.end for span in spans))


def check_timing(rules: Rules, period: Period, now: datetime) -> Broken | None:
    """The rules on when a request may be made: notice and lead time."""
    if rules.min_notice_hours is not None and period.start - now < timedelta(hours=rules.min_notice_hours):
        return Broken("min_notice_hours", rules.min_notice_hours)
    if rules.max_lead_days is not None and period.start - now > timedelta(days=rules.max_lead_days):
        return Broken("max_lead_days", rules.max_lead_days)
    return None


def check_usage(rules: Rules, period: Period, usage: Usage, tz: ZoneInfo) -> Broken | None:
    """The rules on how much one farmer may have: open requests, hours per week and per season."""
    if rules.max_open_requests_per_farmer is not None and usage.open_requests >= rules.max_open_requests_per_farmer:
        return Broken("max_open_requests_per_farmer", rules.max_open_requests_per_farmer)
    hour_rules: tuple[tuple[str, int | None, Callable[[datetime, ZoneInfo], Period]], ...] = (
        ("max_hours_per_farmer_week", rules.max_hours_per_farmer_week, week_of),
        ("max_hours_per_farmer_season", rules.max_hours_per_farmer_season, season_of),
    )
    for rule, limit, of in hour_rules:
        if limit is None:
            continue
        for window in _windows(of, period, tz):
            total = hours(period, window) + sum((hours(p, window) for p in usage.periods), Decimal(0))
            if total > limit:
                return Broken(rule, limit, total)
    return None


def check(rules: Rules, period: Period, now: datetime, usage: Usage | None, tz: ZoneInfo) -> Broken | None:
    """The first rule the request breaks, or None. ``usage`` is needed only if ``rules.needs_usage``."""
    broken = check_timing(rules, period, now)
    if broken is None and rules.needs_usage:
        if usage is None:
            raise ValueError("the item's rules need the farmer's usage")
        broken = check_usage(rules, period, usage, tz)
    return broken
