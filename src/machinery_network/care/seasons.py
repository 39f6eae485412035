"""Care-plan seasons and the date rules that hang on them.

Seasons are meteorological: spring March–May, summer June–August, autumn September–November, winter
December–February. The winter of year Y runs from 1 December Y to the end of February Y+1, so a care plan
for year Y covers 1 March Y to the end of February Y+1 (January and February belong to the previous
year's winter).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from machinery_network.care.models import Section, SectionUnit
from machinery_network.errors import Invalid


def de_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def season_bounds(year: int, season: str) -> tuple[date, date]:
    """First and last day (inclusive) of ``season`` in care-plan year ``year``."""
    if season == "spring":
        return date(year, 3, 1), date(year, 5, 31)
    if season == "summer":
        return date(year, 6, 1), date(year, 8, 31)
    if season == "autumn":
        return date(year, 9, 1), date(year, 11, 30)
    if season == "winter":
        return date(year, 12, 1), date(year + 1, 3, 1) - timedelta(days=1)
    raise Invalid("care.season_unknown", field="season", season=season)


def season_of(day: date) -> tuple[int, str]:
    """(care-plan year, season) of a day: 15 January 2027 → (2026, "winter")."""
    if day.month in (1, 2):
        return day.year - 1, "winter"
    if day.month == 12:
        return day.year, "winter"
    return day.year, ("spring", "summer", "autumn")[(day.month - 3) // 3]


def winter_start(today: date) -> date:
    """1 December of the running (or last) winter: the default start of a winter-service proof period."""
    return date(today.year if today.month == 12 else today.year - 1, 12, 1)


def passes_of(section: Section, quantity: Decimal) -> Decimal:
    """How many passes a log stands for: metres over the section's length; one pass per hour or flat log."""
    if section.unit == SectionUnit.metre:
        return Decimal(quantity) / Decimal(section.length_m)
    return Decimal(1)
