"""What several care pages use: the context every care template gets, and the clock times of a winter
pass as the report form and the correction form send them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from machinery_network import clock
from machinery_network.care import service
from machinery_network.care.schemas import SEASONS
from machinery_network.config import Settings

RECENT_LOGS = 30
"""The latest decided reports under the yard head's inbox."""


def care_context(settings: Settings) -> dict[str, Any]:
    return {"de_date": service.de_date, "today": clock.today(settings.tz), "seasons": SEASONS}


def instant(day_text: str | None, time_text: str | None, settings: Settings) -> datetime | str | None:
    """A winter pass's clock time on the work day, in the network's zone (unreadable text passes on to
    the schema, which names the field)."""
    if not (time_text or "").strip():
        return None
    try:
        day = date.fromisoformat((day_text or "").strip())
        at = time.fromisoformat((time_text or "").strip())
    except ValueError:
        return (time_text or "").strip()
    return datetime.combine(day, at, tzinfo=settings.tz)


def pass_times(form: dict[str, str], settings: Settings) -> tuple[datetime | str | None, datetime | str | None]:
    """Start and end of a winter pass from the form's day and clock times; an end at or before the start
    is on the next day (a pass past midnight)."""
    started = instant(form.get("performed_on"), form.get("started_time"), settings)
    ended = instant(form.get("performed_on"), form.get("ended_time"), settings)
    if isinstance(started, datetime) and isinstance(ended, datetime) and ended <= started:
        ended += timedelta(days=1)
    return started, ended


TIME_FIELDS = {"started_at": "started_time", "ended_at": "ended_time"}
"""Schema field → form field of a pass's clock times."""
