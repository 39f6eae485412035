"""The sections' map as inline SVG data (no tiles, no network): a projection of their GeoJSON lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from machinery_network.care.models import Section

MAP_WIDTH = 900
MAP_MAX_HEIGHT = 620
MAP_PAD = 40  # room for the north arrow and the scale bar outside the drawn sections
TASK_COLOURS = {
    "verge_mowing": "#2f6b3b",
    "hedge_cutting": "#8a5a00",
    "ditch_clearing": "#1d5fa8",
    "winter_service": "#b42318",
    "other": "#6b7280",
}


def svg_map(sections: Sequence[Section]) -> dict[str, Any] | None:
    """Project the sections' LineStrings (lon/lat) into an SVG viewbox.

    Equirectangular with the longitude scaled by cos(mean latitude): at a municipality's scale the
    distortion is negligible and it needs no projection library. North is up (y grows southwards).
    """
    lines = [(s, s.geometry["coordinates"]) for s in sections if s.geometry and s.geometry.get("coordinates")]
    if not lines:
        return None
    lons = [p[0] for _, pts in lines for p in pts]
    lats = [p[1] for _, pts in lines for p in pts]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * k, 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_MAX_HEIGHT - 2 * MAP_PAD) / span_y)
    height = round(span_y * scale + 2 * MAP_PAD)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (round(MAP_PAD + (lon - min(lons)) * k * scale, 1), round(MAP_PAD + (max(lats) - lat) * scale, 1))

    shapes = []
    for section, points in lines:
        xy = [project(lon, lat) for lon, lat in points]
        middle = xy[len(xy) // 2]
        shapes.append({
            "section": section,
            "points": " ".join(f"{x},{y}" for x, y in xy),
            "colour": TASK_COLOURS.get(section.task, "#6b7280"),
            # Labels right of the line's middle, or left of it near the right edge so they stay inside.
            "label_x": middle[0] + 8 if middle[0] < MAP_WIDTH * 0.6 else middle[0] - 8,
            "label_y": middle[1] - 8,
            "anchor": "start" if middle[0] < MAP_WIDTH * 0.6 else "end",
        })
    # A scale bar of a round length that fits about a fifth of the width.
    metres_per_px = 111_320 / scale
    bar_m = _round_length(metres_per_px * MAP_WIDTH / 5)
    return {"width": MAP_WIDTH, "height": height, "shapes": shapes, "bar_m": bar_m,
            "bar_px": round(bar_m / metres_per_px, 1)}


def _round_length(metres: float) -> int:
    """The largest round length not above ``metres`` (at least 10 m)."""
    chosen = 10
    for step in (20, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000):
        if step <= metres:
            chosen = step
    return chosen
