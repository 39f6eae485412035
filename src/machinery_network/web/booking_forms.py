"""The booking form, read and prefilled: a period from date and time inputs in the network's time zone,
the booking form's fields and defaults (used for blocks too), and the repeating-booking form's defaults."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from machinery_network import clock
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.web.forms import parse_decimal

BOOKING_FORM_FIELDS = ("start_date", "start_time", "end_date", "end_time", "with_operator", "expected_quantity", "note")


def local_datetime(day: str | None, clock_time: str | None, settings: Settings) -> datetime | None:
    """A date input and a time input → an aware time in the network's zone (None when unreadable)."""
    try:
        d = date.fromisoformat((day or "").strip())
        t = time.fromisoformat((clock_time or "00:00").strip() or "00:00")
    except ValueError:
        return None
    return datetime.combine(d, t, tzinfo=settings.tz)


def booking_values(form: dict[str, str], item_id: int, settings: Settings) -> tuple[dict[str, Any], dict[str, str]]:
    """The booking form's values for ``BookingCreate`` and the errors of unreadable dates."""
    errors: dict[str, str] = {}
    start = local_datetime(form.get("start_date"), form.get("start_time"), settings)
    end = local_datetime(form.get("end_date"), form.get("end_time"), settings)
    if start is None:
        errors["start"] = gettext_de("field.date")
    if end is None:
        errors["end"] = gettext_de("field.date")
    values = {
        "item_id": item_id,
        "start": start,
        "end": end,
        "with_operator": form.get("with_operator") in ("on", "true", "1"),
        "expected_quantity": parse_decimal(form.get("expected_quantity")),
        "note": form.get("note") or None,
    }
    return values, errors


def default_booking_form(settings: Settings) -> dict[str, str]:
    """The booking form's defaults: tomorrow 08:00–12:00."""
    tomorrow = clock.today(settings.tz) + timedelta(days=1)
    return {"start_date": tomorrow.isoformat(), "start_time": "08:00", "end_date": tomorrow.isoformat(),
            "end_time": "12:00", "with_operator": "", "expected_quantity": "", "note": ""}


def default_series_form(settings: Settings) -> dict[str, str]:
    """The repeating-booking form's defaults: Tuesdays 07:00–11:00 from today to the end of September."""
    today = clock.today(settings.tz)
    until = date(today.year, 9, 30) if today < date(today.year, 9, 1) else today + timedelta(days=28)
    return {"weekday_2": "on", "start_time": "07:00", "end_time": "11:00", "first_day": today.isoformat(),
            "last_day": until.isoformat()}
