"""The sections' map: GeoJSON features for Leaflet (``web/static/map.js``), coloured by plan status, and
a winter pass's GPS coverage: its track, and the stretches of the section it covered and did not.

The tiles come from ``MN_MAP_TILES`` (OpenStreetMap by default); the section data travels inside the page
(a ``data-`` attribute), so the map needs no API call and the page's text list says the same in words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.auth import Actor
from machinery_network.care import track
from machinery_network.care.geometry import length_m as geodesic_length
from machinery_network.care.models import CareLog, CareLogStatus, Section
from machinery_network.care.plan import PlanRow
from machinery_network.care.sections import get_section
from machinery_network.care.service import show_care_log
from machinery_network.config import Settings
from machinery_network.errors import Conflict
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de

# Plan status of the running season → line colour (colour-blind safe enough with the labels and the list).
STATUS_COLOURS = {
    "done": "#1a7f37",
    "open": "#b7791f",
    "overdue": "#c4320a",
    "upcoming": "#1d5fa8",
    "none": "#6b7280",
    "inactive": "#9ca3af",
}


def plan_status(section: Section, rows: Iterable[PlanRow], season: str) -> str:
    """The section's plan status: overdue when any season of the running plan year is overdue, else the
    running season's state (done | open | upcoming), none without a plan this season."""
    if not section.active:
        return "inactive"
    rows = list(rows)
    if any(row.state == "overdue" for row in rows):
        return "overdue"
    return next((row.state for row in rows if row.season == season), "none")


def section_features(
    sections: Sequence[Section], statuses: dict[int, str], assignees: dict[int, Any] | None = None,
    *, edit_links: bool = False, tracks: dict[int, LatestTrack] | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the sections with a geometry, each with what the popup shows (and a
    link to the newest GPS track's map, given ``tracks``)."""
    assignees = assignees or {}
    tracks = tracks or {}
    features = []
    for section in sections:
        if not section.geometry or section.id is None:
            continue
        assert section.id is not None  # a stored section
        status = statuses.get(section.id, "none")
        assignee = assignees.get(section.id)
        features.append({
            "type": "Feature",
            "geometry": section.geometry,
            "properties": {
                "id": section.id,
                "name": section.name,
                "task": gettext_de(f"care.task.{section.task}"),
                "length": f"{section.length_m} m",
                "status": status,
                "status_label": gettext_de(f"care.map_status.{status}"),
                "colour": STATUS_COLOURS[status],
                "farmer": assignee[1] if assignee else "",
                "edit": f"/manage/sections/{section.id}/edit" if edit_links else "",
                "edit_label": gettext_de("care.edit"),
                "track": latest_track_text(tracks[section.id]) if section.id in tracks else "",
                "track_link": f"/care-logs/{tracks[section.id].care_log_id}/map" if section.id in tracks else "",
            },
        })
    return {"type": "FeatureCollection", "features": features}


# --- a pass's coverage: the GPS track against the section's course -------------------------------------------

# Covered stretches green and solid, uncovered red and dashed (not told by colour alone), the track thin blue.
COVERAGE_STYLE = {
    "covered": {"colour": "#1a7f37", "dash": ""},
    "uncovered": {"colour": "#c4320a", "dash": "8 6"},
    "track": {"colour": "#1d5fa8", "dash": ""},
}


@dataclass(frozen=True)
class StretchRow:
    """A stretch in whole metres along the section (scaled to its geodesic length)."""

    from_m: int
    to_m: int
    covered: bool
    points: list[track.Point]

    @property
    def length_m(self) -> int:
        return self.to_m - self.from_m


@dataclass(frozen=True)
class PassCoverage:
    log: CareLog
    section: Section
    percent: float  # the coverage rule applied now, to the section's course as it is now
    length_m: int
    covered_m: int
    stretches: list[StretchRow]
    track: list[list[track.Point]]  # thinned for drawing

    @property
    def recorded_percent(self) -> Decimal | None:
        """The share the log recorded when the track came (part of its hash)."""
        return self.log.track_covered_percent

    @property
    def changed_since(self) -> bool:
        """The recorded share differs from today's: the section's course was changed since."""
        return self.recorded_percent is not None and Decimal(str(self.percent)) != self.recorded_percent


def coverage_text(percent: float | Decimal) -> str:
    """"85 % des Abschnitts befahren"."""
    return gettext_de("care.coverage_share", percent=format_decimal_de(Decimal(str(percent))))


def metres_de(metres: int) -> str:
    """Whole metres in German notation: 1.503."""
    return f"{metres:,}".replace(",", ".")


def measure(geometry: dict[str, Any], tracks: list[list[track.Point]]) -> tuple[float, int, int, list[StretchRow]]:
    """(percent, length, covered metres, stretches) of the tracks on the course, in metres along the section."""
    found = track.coverage(geometry, tracks)
    length = geodesic_length(geometry)
    scale = length / found.length_m if found.length_m else 0.0
    rows = [StretchRow(round(s.start_m * scale), round(s.end_m * scale), s.covered, s.points) for s in found.stretches]
    return found.percent, round(length), round(found.covered_m * scale), rows


def _compute(geometry: dict[str, Any], content: bytes) -> tuple[tuple[float, int, int, list[StretchRow]],
                                                                  list[list[track.Point]]]:
    tracks = track.parse_gpx(content)
    return measure(geometry, tracks), track.thinned(tracks)


async def pass_coverage(session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings) -> PassCoverage:
    """The stored track of a care log split against its section; for whoever may read the log."""
    log = await show_care_log(session, actor, care_log_id)
    section = await get_section(session, log.section_id)
    path = track.resolve_track(settings, log.track_path)
    if section.geometry is None:  # the course was removed after the track came
        raise Conflict("care.section_without_geometry", field="section_id")
    content = await asyncio.to_thread(path.read_bytes)
    # Up to 100,000 points: parsed and measured off the event loop.
    (percent, length, covered, rows), shown = await asyncio.to_thread(_compute, section.geometry, content)
    return PassCoverage(log=log, section=section, percent=percent, length_m=length, covered_m=covered,
                        stretches=rows, track=shown)


def _multiline(lines: list[list[track.Point]]) -> dict[str, Any]:
    return {"type": "MultiLineString", "coordinates": [[[x, y] for x, y in line] for line in lines]}


def coverage_geometries(found: PassCoverage) -> dict[str, dict[str, Any]]:
    """The covered and uncovered stretches and the track as GeoJSON MultiLineStrings."""
    return {
        "covered": _multiline([s.points for s in found.stretches if s.covered]),
        "uncovered": _multiline([s.points for s in found.stretches if not s.covered]),
        "track": _multiline(found.track),
    }


def coverage_features(found: PassCoverage) -> dict[str, Any]:
    """The coverage for the map (``data-coverage``): one feature per part that has lines, drawn in order."""
    labels = {
        "track": gettext_de("care.coverage_track"),
        "uncovered": gettext_de("care.coverage_uncovered"),
        "covered": coverage_text(found.percent),
    }
    features = []
    for part, geometry in coverage_geometries(found).items():
        if not geometry["coordinates"]:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "part": part, "label": labels[part], "colour": COVERAGE_STYLE[part]["colour"],
            "dash": COVERAGE_STYLE[part]["dash"],
        }})
    order = {"uncovered": 0, "covered": 1, "track": 2}  # the track on top, thin
    return {"type": "FeatureCollection", "features": sorted(features, key=lambda f: order[f["properties"]["part"]])}


@dataclass(frozen=True)
class LatestTrack:
    care_log_id: int
    performed_on: date
    percent: Decimal  # as recorded with the pass


def latest_track_text(latest: LatestTrack) -> str:
    """"GPS-Spur 12.01.2027: 85 % des Abschnitts befahren"."""
    return (f"{gettext_de('care.coverage_track')} {latest.performed_on.strftime('%d.%m.%Y')}: "
            f"{coverage_text(latest.percent)}")


async def latest_tracks(session: AsyncSession, section_ids: Sequence[int]) -> dict[int, LatestTrack]:
    """Per section, the newest pass (not rejected) that carries a GPS track."""
    if not section_ids:
        return {}
    # The newest per section by a window (DISTINCT ON needs SQLAlchemy 2.1's dialect construct).
    newest = func.row_number().over(
        partition_by=col(CareLog.section_id),
        order_by=(col(CareLog.performed_on).desc(), col(CareLog.id).desc()),
    )
    ranked = (
        select(col(CareLog.section_id), col(CareLog.id), col(CareLog.performed_on),
               col(CareLog.track_covered_percent), newest.label("n"))
        .where(col(CareLog.section_id).in_(section_ids), col(CareLog.track_path).is_not(None),
               col(CareLog.status) != CareLogStatus.rejected)
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.section_id, ranked.c.id, ranked.c.performed_on, ranked.c.track_covered_percent)
        .where(ranked.c.n == 1)
    )
    return {section_id: LatestTrack(log_id, day, percent) for section_id, log_id, day, percent in rows
            if percent is not None and log_id is not None}
