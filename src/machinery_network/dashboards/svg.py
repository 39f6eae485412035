"""Server-rendered SVG charts, readable without colour: every bar carries its number as text, series
differ by pattern (solid, hatched, dotted) as well as shade and are named in a legend, and each chart
has a title and a text description for screen readers. The viewBox is 360 units wide, so a chart is
legible on a 360 px phone and scales up on a desk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape
from typing import TypeAlias

Number: TypeAlias = Decimal | int  # counts, and exact quantities or cents
WIDTH = 360
LABEL_H = 14
BAR_H = 12
GAP = 8
FILLS = ("url(#p-solid)", "url(#p-hatch)", "url(#p-dots)")
SWATCH = ("#2f5d3a", "#8a5a00", "#3a4f7a")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]


def _defs(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}p-solid" width="4" height="4" patternUnits="userSpaceOnUse">'
        f'<rect width="4" height="4" fill="{SWATCH[0]}"/></pattern>'
        f'<pattern id="{prefix}p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="{SWATCH[1]}"/></pattern>'
        f'<pattern id="{prefix}p-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.6" fill="{SWATCH[2]}"/></pattern>'
        "</defs>"
    )


def _fill(prefix: str, index: int) -> str:
    return FILLS[index % len(FILLS)].replace("url(#", f"url(#{prefix}")


def _open(key: str, title: str, description: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{key}-t {key}-d" class="chart" font-family="sans-serif" font-size="11">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(description)}</desc>'
        + _defs(key + "-")
    )


def _size(value: Number) -> Number:
    """``abs(value)``, keeping its type."""
    return -value if value < 0 else value


def _tenth(share: Decimal | float) -> Decimal | float:
    """A bar's length rounded to a tenth of a unit: exact for decimal numbers, a float for counts (the two
    branches differ in type only)."""
    return round(share, 1) if isinstance(share, Decimal) else round(share, 1)


def bars(
    key: str, title: str, categories: Sequence[str], series: Sequence[Series],
    fmt: Callable[[Number], str], description: str = "",
) -> str:
    """Horizontal grouped bars: per category its label, then one bar per series with its number."""
    peak: Number = 0  # the longest bar's number (1 when every number is 0)
    for s in series:
        for v in s.values:
            if _size(v) > peak:
                peak = _size(v)
    peak = peak or 1
    legend_h = LABEL_H + 4 if len(series) > 1 else 0
    group_h = LABEL_H + len(series) * (BAR_H + 2) + GAP
    height = legend_h + max(1, len(categories)) * group_h + 4
    out = [_open(key, title, description or title, height)]
    if len(series) > 1:
        x = 0
        for index, s in enumerate(series):
            out.append(f'<rect x="{x}" y="2" width="12" height="10" fill="{_fill(key + "-", index)}" stroke="#333" stroke-width="0.5"/>'
                       f'<text x="{x + 16}" y="11">{escape(s.name)}</text>')
            x += 24 + 7 * len(s.name)
    area = WIDTH - 80  # room for the number right of the bar
    y = legend_h
    for c_index, category in enumerate(categories):
        out.append(f'<text x="0" y="{y + 11}" font-weight="bold">{escape(category[:60])}</text>')
        y += LABEL_H
        for index, s in enumerate(series):
            value = s.values[c_index]
            length = _tenth(_size(value) / peak * area)
            out.append(
                f'<rect x="0" y="{y}" width="{length if length >= 0.5 else 0.5}" height="{BAR_H}" fill="{_fill(key + "-", index)}" '
                f'stroke="#333" stroke-width="0.5"><title>{escape(s.name)}: {escape(fmt(value))}</title></rect>'
                f'<text x="{length + 4}" y="{y + 10}">{escape(fmt(value))}</text>'
            )
            y += BAR_H + 2
        y += GAP
    if not categories:
        out.append('<text x="0" y="14">–</text>')
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Span:
    row: str
    start: datetime
    end: datetime
    label: str
    kind: int = 0  # 0: booking (solid), 1: block (hatched)


def timeline(key: str, title: str, start: datetime, days: int, rows: Sequence[str], spans: Sequence[Span],
             day_labels: Sequence[str]) -> str:
    """One row per item, one column per day; each booking or block a bar with its text."""
    left, top, row_h = 0, 16, 30
    width = WIDTH
    day_w = width / days
    height = top + max(1, len(rows)) * row_h + 4
    out = [_open(key, title, title, height)]
    for day in range(days):
        x = round(left + day * day_w, 1)
        out.append(f'<line x1="{x}" y1="{top - 2}" x2="{x}" y2="{height}" stroke="#ccc" stroke-width="0.5"/>'
                   f'<text x="{x + 2}" y="11">{escape(day_labels[day])}</text>')
    total = timedelta(days=days).total_seconds()
    for r_index, row in enumerate(rows):
        y = top + r_index * row_h
        out.append(f'<text x="2" y="{y + 10}" font-weight="bold">{escape(row[:50])}</text>')
        for span in (s for s in spans if s.row == row):
            a = max(0.0, (span.start - start).total_seconds() / total)
            b = min(1.0, (span.end - start).total_seconds() / total)
            x, w = round(a * width, 1), round(max((b - a) * width, 2), 1)
            out.append(f'<rect x="{x}" y="{y + 13}" width="{w}" height="12" fill="{_fill(key + "-", span.kind)}" '
                       f'stroke="#333" stroke-width="0.5"><title>{escape(span.label)}</title></rect>')
    out.append("</svg>")
    return "".join(out)
