"""Shared input types: the contract's limits (names ≤ 200, notes ≤ 2,000 characters, integer cents)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters(value: str) -> str:
    """A name is one line of text: no control characters (line breaks, tabs, NUL, …). Other programs
    read names: mail subjects, calendar summaries, DATEV and SEPA fields."""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (line breaks, tabs, …)")
    return value


def no_control_but_lines(value: str) -> str:
    """Free text (notes, reasons) may have line breaks and tabs, but no other control characters."""
    if _CONTROL_BUT_LINES.search(value):
        raise ValueError("must not contain control characters")
    return value


# Every name field of every domain (items, municipalities, users, sections, …) is a ``Name``.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_control_characters)
]
Note = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
]


def _whole_number(value: object) -> object:
    """Integers only: no "12", no 12.5, no true. (Field(strict=True) is not enough: Litestar
    validates bodies with strict=False, which overrides field-level strictness.)"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


Cents = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=10**11)]
SignedCents = Annotated[int, BeforeValidator(_whole_number), Field(ge=-(10**11), le=10**11)]
Id = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=2**31 - 1)]
WeekMinutes = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=7 * 24 * 60)]
Quantity = Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), max_digits=12, decimal_places=3)]
VatPercent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]

_D = TypeVar("_D", date, datetime)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2199  # the database's CHECK constraints allow [2000, 2200)


def _sane_instant(value: _D) -> _D:
    """A time between the years 2000 and 2199, checked before any conversion (year 1 or 9999 with a
    ±14:00 offset would overflow it: a 500 instead of a 422)."""
    if not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


# A point in time of a booking or block: with an offset, within sane years.
Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
# A calendar day given as input (a care log's day, an assignment's period, a mandate's signature, a rate's
# start): within the same years, so that year 1 or 9999 is a 422 here and not a CHECK violation later.
Day = Annotated[date, AfterValidator(_sane_instant)]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: str) -> date:
    """'2026-10' → date(2026, 10, 1); raises ValueError otherwise."""
    match = _MONTH.match(value or "")
    if not match:
        raise ValueError("month must be YYYY-MM")
    return date(int(match.group(1)), int(match.group(2)), 1)


Month = Annotated[str, AfterValidator(lambda v: (parse_month(v), v)[1])]


class Input(BaseModel):
    """Base of every request body: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


def json_number(value: Decimal) -> int | float:
    """Decimals that are not money (percentages, quantities) go out as JSON numbers."""
    return int(value) if value == value.to_integral_value() else float(value)


DecimalOut = Annotated[Decimal, PlainSerializer(json_number, return_type=int | float)]


def apply_changes(target: object, changes: dict[str, Any], *, clearable: tuple[str, ...] = ()) -> None:
    """Apply a PATCH body's set fields; null clears only the optional fields in ``clearable`` and
    means "unchanged" for the required ones."""
    for field, value in changes.items():
        if value is None and field not in clearable:
            continue
        setattr(target, field, value)
