"""The sections' map: GeoJSON features for Leaflet (``web/static/map.js``), coloured by plan status.

The tiles come from ``MN_MAP_TILES`` (OpenStreetMap by default); the section data travels inside the page
(a ``data-`` attribute), so the map needs no API call and the page's text list says the same in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from machinery_network.care.models import Section
from machinery_network.care.plan import PlanRow
from machinery_network.i18n import gettext_de

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
    *, edit_links: bool = False,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the sections with a geometry, each with what the popup shows."""
    assignees = assignees or {}
    features = []
    for section in sections:
        if not section.geometry:
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
            },
        })
    return {"type": "FeatureCollection", "features": features}
