"""The one source of "now", so tests (and the scheduler's catch-up) can freeze time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def today(tz: ZoneInfo) -> date:
    return now().astimezone(tz).date()
