"""Winter-service duty times of a section (Räum- und Streupflicht): by when a pass must be done.

By-laws on the winter service usually read "werktags bis 7 Uhr, sonn- und feiertags bis 9 Uhr"; those are
the defaults. Working days are Monday to Saturday (Saturday is a Werktag); Sundays and public holidays
have their own time. A section may set its own times and whether every winter day is a duty day
(``every_day``) or only the municipality's service days (``service_days``, the default: days on which its
building yard or farmers were out clearing or gritting any winter section, i.e. days the weather called
for it).

Public holidays: the nationwide ones, plus those of one federal state (``MN_HOLIDAY_STATE``, e.g. ``BY``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_WORKDAY_BY = "07:00"
DEFAULT_HOLIDAY_BY = "09:00"
DAYS = ("service_days", "every_day")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

STATES = ("BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH")


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month = (h + ll - 7 * m + 114) // 31
    day = (h + ll - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _repentance_day(year: int) -> date:
    """Buß- und Bettag: the Wednesday before 23 November."""
    day = date(year, 11, 22)
    return day - timedelta(days=(day.weekday() - 2) % 7)


def public_holidays(year: int, state: str = "") -> dict[date, str]:
    """German public holidays of ``year``: the nationwide ones and those of ``state`` (two-letter code)."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Neujahr",
        easter - timedelta(days=2): "Karfreitag",
        easter + timedelta(days=1): "Ostermontag",
        date(year, 5, 1): "Tag der Arbeit",
        easter + timedelta(days=39): "Christi Himmelfahrt",
        easter + timedelta(days=50): "Pfingstmontag",
        date(year, 10, 3): "Tag der Deutschen Einheit",
        date(year, 12, 25): "1. Weihnachtstag",
        date(year, 12, 26): "2. Weihnachtstag",
    }
    regional: list[tuple[tuple[str, ...], date, str]] = [
        (("BW", "BY", "ST"), date(year, 1, 6), "Heilige Drei Könige"),
        (("BE", "MV"), date(year, 3, 8), "Internationaler Frauentag"),
        (("BW", "BY", "HE", "NW", "RP", "SL"), easter + timedelta(days=60), "Fronleichnam"),
        (("SL",), date(year, 8, 15), "Mariä Himmelfahrt"),
        (("TH",), date(year, 9, 20), "Weltkindertag"),
        (("BB", "HB", "HH", "MV", "NI", "SN", "ST", "SH", "TH"), date(year, 10, 31), "Reformationstag"),
        (("BW", "BY", "NW", "RP", "SL"), date(year, 11, 1), "Allerheiligen"),
        (("SN",), _repentance_day(year), "Buß- und Bettag"),
    ]
    for states, day, name in regional:
        if state in states:
            days[day] = name
    return days


def check_duty(value: Any) -> dict[str, str] | None:
    """A cleaned duty setting ``{workday_by, holiday_by, days}``; ValueError naming what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"workday_by", "holiday_by", "days"}:
        raise ValueError("winter_duty takes workday_by, holiday_by (HH:MM) and days")
    cleaned = {
        "workday_by": value.get("workday_by", DEFAULT_WORKDAY_BY),
        "holiday_by": value.get("holiday_by", DEFAULT_HOLIDAY_BY),
        "days": value.get("days", "service_days"),
    }
    for key in ("workday_by", "holiday_by"):
        if not isinstance(cleaned[key], str) or not _TIME.match(cleaned[key]):
            raise ValueError(f"{key} must be a time HH:MM")
    if cleaned["days"] not in DAYS:
        raise ValueError("days must be service_days or every_day")
    return cleaned


@dataclass(frozen=True)
class Duty:
    workday_by: time
    holiday_by: time
    every_day: bool

    @classmethod
    def of(cls, setting: dict[str, Any] | None) -> Duty:
        cleaned = check_duty(setting) or check_duty({})
        assert cleaned is not None
        return cls(
            workday_by=time.fromisoformat(cleaned["workday_by"]),
            holiday_by=time.fromisoformat(cleaned["holiday_by"]),
            every_day=cleaned["days"] == "every_day",
        )

    def deadline(self, day: date, tz: ZoneInfo, holidays: dict[date, str]) -> datetime:
        """When the day's pass must be done: the holiday time on Sundays and holidays, else the workday time."""
        by = self.holiday_by if day.weekday() == 6 or day in holidays else self.workday_by
        return datetime.combine(day, by, tzinfo=tz)


def describe(setting: dict[str, Any] | None) -> dict[str, str]:
    """The setting with its defaults filled in (for pages and the proof's header)."""
    cleaned = check_duty(setting) or check_duty({})
    assert cleaned is not None
    return cleaned
