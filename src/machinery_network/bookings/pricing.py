"""Pricing of a booking: the estimate, booked hours, days touched, operator hours, and the bounds of
what a completion may charge.

The functions are typed against ``Priced`` (the four rate fields of an item, or the rates a booking
was approved at), so the ORM ``Item`` and the driver's plain rows are priced by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from machinery_network.catalogue.models import ItemUnit
from machinery_network.config import Settings
from machinery_network.money import LineAmounts, line_amounts

OPERATOR_HOURS_PER_DAY = Decimal(8)
DEFAULT_MAX_QUANTITY = Decimal(1000)  # hectare/km without expected quantity or item limit
_MICROS_PER_HOUR = Decimal(3_600_000_000)


class Priced(Protocol):
    """What pricing reads of an item (or of the rates fixed at a booking's approval)."""

    @property
    def unit(self) -> str: ...
    @property
    def rate_cents(self) -> int: ...
    @property
    def operator_rate_cents(self) -> int | None: ...
    @property
    def vat_percent(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class Rates:
    """An item's rates as plain data (the driver's rows, the rates a booking was approved at)."""

    unit: str
    rate_cents: int
    operator_rate_cents: int | None
    vat_percent: Decimal


@dataclass(frozen=True)
class Estimate:
    """What the farmer will probably pay: None amounts when the unit needs an expected quantity."""

    unit: str
    quantity: Decimal | None
    operator_hours: Decimal | None
    amounts: LineAmounts | None

    @property
    def gross_cents(self) -> int | None:
        return self.amounts.gross_cents if self.amounts else None


def booked_hours(start: datetime, end: datetime) -> Decimal:
    """Elapsed hours of [start, end) (real time: a DST night has 23 or 25 hours)."""
    # In UTC: Python subtracts two times of the same tzinfo as wall-clock times, ignoring DST.
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    return Decimal(elapsed // timedelta(microseconds=1)) / _MICROS_PER_HOUR


def days_touched(start: datetime, end: datetime, settings: Settings) -> int:
    """Calendar days of the network's time zone that [start, end) touches (the end itself excluded)."""
    tz = settings.tz
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return (last - first).days + 1


def operator_hours(unit: str, quantity: Decimal) -> Decimal | None:
    """The operator's hours for ``quantity`` of ``unit`` when nobody counted them: he works the
    machine's hours, 8 hours a day; None for units whose operator time cannot be derived."""
    if unit == ItemUnit.hour:
        return quantity
    if unit == ItemUnit.day:
        return quantity * OPERATOR_HOURS_PER_DAY
    return None


def period_quantity(unit: str, start: datetime, end: datetime, settings: Settings) -> Decimal | None:
    """The quantity the booked period itself gives (hour: its hours; day: the days it touches);
    None for the other units."""
    if unit == ItemUnit.hour:
        return booked_hours(start, end)
    if unit == ItemUnit.day:
        return Decimal(days_touched(start, end, settings))
    return None


def estimate(
    item: Priced,
    start: datetime,
    end: datetime,
    *,
    with_operator: bool,
    expected_quantity: Decimal | None,
    settings: Settings,
) -> Estimate:
    """The contract's estimate rules per unit; VAT on top, rounded once (``money.line_amounts``)."""
    operator = with_operator and item.operator_rate_cents is not None
    quantity = period_quantity(item.unit, start, end, settings)
    if item.unit == ItemUnit.flat:
        quantity = Decimal(1)
    elif quantity is None:  # hectare, km: only the farmer knows how much
        quantity = expected_quantity
    if quantity is None:
        return Estimate(unit=item.unit, quantity=None, operator_hours=None, amounts=None)
    hours = operator_hours(item.unit, quantity) if operator else None
    amounts = line_amounts(
        quantity, item.rate_cents, item.vat_percent,
        operator_hours=hours or 0,
        operator_rate_cents=item.operator_rate_cents if operator else None,
    )
    return Estimate(unit=item.unit, quantity=quantity, operator_hours=hours, amounts=amounts)


def max_quantity(
    unit: str, start: datetime, end: datetime, *, expected_quantity: Decimal | None,
    item_max_quantity: Decimal | None, settings: Settings,
) -> Decimal:
    """The most a completion may record: the booked period's hours or days; for the other units
    the item's ``max_quantity`` when set, else twice the expected quantity, else 1,000. An item's
    ``max_quantity`` also caps the period's figure."""
    limit = period_quantity(unit, start, end, settings)
    if limit is None:
        if item_max_quantity is not None:
            return item_max_quantity
        return expected_quantity * 2 if expected_quantity else DEFAULT_MAX_QUANTITY
    return min(limit, item_max_quantity) if item_max_quantity is not None else limit


def max_operator_hours(
    unit: str, start: datetime, end: datetime, quantity_limit: Decimal, *, item_max_operator_hours: Decimal | None,
) -> Decimal:
    """The most operator hours a completion may record: the item's cap when set, else the larger of
    the booked period's hours and the hours the quantity limit gives (8 a day)."""
    if item_max_operator_hours is not None:
        return item_max_operator_hours
    return max(booked_hours(start, end), operator_hours(unit, quantity_limit) or Decimal(0))
