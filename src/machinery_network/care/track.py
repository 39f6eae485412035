"""GPS tracks of winter-service passes: how much of a section a GPX track covered.

A GPX file (1.0 or 1.1) is parsed with the standard library's XML parser through ``defusedxml`` (no
entities, no external references). The covered share is the part of the section's length that lies within
``TOLERANCE_M`` of the track, computed in a local equirectangular plane around the section (metres; the
error over a few kilometres is far below the tolerance). The same rule gives the covered and uncovered
stretches that the maps draw (``coverage``), so the map and the recorded share never disagree. It runs in
Python on every server, with or without PostGIS: the share is part of the hashed record, and must not
depend on which database computed it.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotFound

TOLERANCE_M = 15.0
GPX_MAX_BYTES = 5 * 1024 * 1024
MAX_TRACK_POINTS = 100_000
MAX_SAMPLES = 5000
MAX_SHOWN_POINTS = 5000  # of a track drawn on a map (``thinned``)
EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_gpx(content: bytes) -> list[list[Point]]:
    """Track segments (and routes) of a GPX file as lists of (lon, lat); 422 if it is no usable GPX."""
    if not content.strip():
        raise Invalid("care.track_empty", field="file")
    if len(content) > GPX_MAX_BYTES:
        raise Invalid("care.track_too_large", field="file", mb=GPX_MAX_BYTES // (1024 * 1024))
    try:
        root: Element = SafeET.fromstring(content, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise Invalid("care.track_invalid", field="file") from exc
    if _local(root.tag) != "gpx":
        raise Invalid("care.track_invalid", field="file")
    lines: list[list[Point]] = []
    count = 0
    for element in root.iter():
        if _local(element.tag) not in ("trkseg", "rte"):
            continue
        line: list[Point] = []
        for point in element:
            if _local(point.tag) not in ("trkpt", "rtept"):
                continue
            try:
                lat, lon = float(point.attrib["lat"]), float(point.attrib["lon"])
            except (KeyError, ValueError) as exc:
                raise Invalid("care.track_invalid", field="file") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
                raise Invalid("care.track_invalid", field="file")
            line.append((lon, lat))
            count += 1
            if count > MAX_TRACK_POINTS:
                raise Invalid("care.track_too_many_points", field="file", max=MAX_TRACK_POINTS)
        if line:
            lines.append(line)
    if not lines:
        raise Invalid("care.track_no_points", field="file")
    return lines


def section_line(geometry: dict[str, Any]) -> list[Point]:
    """The section's course: a LineString's points or a Polygon's outer ring."""
    coordinates = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [(float(p[0]), float(p[1])) for p in coordinates]


class _Plane:
    """Equirectangular projection to metres around a reference point."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_RADIUS_M

    def __call__(self, point: Point) -> Point:
        return ((point[0] - self.lon0) * self.kx, (point[1] - self.lat0) * self.ky)


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


@dataclass(frozen=True)
class Stretch:
    """A stretch of the section's course that the track covered, or did not: from and to in metres
    along the course (in the local plane), and its points as (lon, lat)."""

    start_m: float
    end_m: float
    covered: bool
    points: list[Point]


@dataclass(frozen=True)
class Coverage:
    percent: float  # 0–100, one decimal: what the log records
    length_m: float  # the course's length in the local plane
    covered_m: float
    stretches: list[Stretch]


def _grid(tracks: list[list[Point]], plane: _Plane, cell: float) -> dict[tuple[int, int], list[tuple[Point, Point]]]:
    """Track segments in a grid of tolerance-sized cells; a lone point counts as a zero-length segment."""
    grid: dict[tuple[int, int], list[tuple[Point, Point]]] = defaultdict(list)
    for track in tracks:
        xy = [plane(p) for p in track]
        pairs = list(zip(xy, xy[1:], strict=False)) or [(xy[0], xy[0])]
        for a, b in pairs:
            x0, x1 = sorted((a[0], b[0]))
            y0, y1 = sorted((a[1], b[1]))
            if (x1 - x0) / cell * (y1 - y0) / cell > 10_000:  # a wild jump across the map covers nothing useful
                continue
            for i in range(math.floor(x0 / cell), math.floor(x1 / cell) + 1):
                for j in range(math.floor(y0 / cell), math.floor(y1 / cell) + 1):
                    grid[(i, j)].append((a, b))
    return grid


def _along(a: Point, b: Point, t: float) -> Point:
    return (round(a[0] + t * (b[0] - a[0]), 7), round(a[1] + t * (b[1] - a[1]), 7))


class _Stretches:
    """Joins the sampled pieces of the course into stretches of one state (covered or not)."""

    def __init__(self, course: list[Point]) -> None:
        self.course = course
        self.done: list[Stretch] = []
        self.covered: bool | None = None
        self.start_m = self.end_m = 0.0
        self.points: list[Point] = []
        self.end: Point = (0.0, 0.0)

    def piece(self, segment: int, t0: float, t1: float, start_m: float, end_m: float, covered: bool) -> None:
        a, b = self.course[segment], self.course[segment + 1]
        if covered != self.covered:
            self.close()
            self.covered, self.start_m, self.points = covered, start_m, [_along(a, b, t0)]
        elif t0 == 0.0:
            self.points.append(_along(a, b, 0.0))  # the course's vertex between two pieces of one stretch
        self.end_m = end_m
        self.end = _along(a, b, t1)

    def close(self) -> None:
        if self.covered is not None:
            self.done.append(Stretch(self.start_m, self.end_m, self.covered, [*self.points, self.end]))
        self.covered = None


def coverage(geometry: dict[str, Any], tracks: list[list[Point]], tolerance_m: float = TOLERANCE_M) -> Coverage:
    """How much of the section's course lies within ``tolerance_m`` of any track segment, and where.

    The course is cut into pieces of at most ``total / MAX_SAMPLES`` (at least 0.5 m); the middle of each
    piece stands for it. Consecutive pieces of one state make a stretch."""
    course = section_line(geometry)
    plane = _Plane(sum(p[0] for p in course) / len(course), sum(p[1] for p in course) / len(course))
    course_xy = [plane(p) for p in course]
    cell = tolerance_m
    grid = _grid(tracks, plane, cell)
    total = sum(math.dist(a, b) for a, b in zip(course_xy, course_xy[1:], strict=False))
    if total <= 0:
        return Coverage(0.0, 0.0, 0.0, [])
    step = max(0.5, total / MAX_SAMPLES)
    covered = 0.0
    position = 0.0
    stretches = _Stretches(course)
    for segment, (a, b) in enumerate(zip(course_xy, course_xy[1:], strict=False)):
        length = math.dist(a, b)
        pieces = max(1, math.ceil(length / step))
        for k in range(pieces):
            t = (k + 0.5) / pieces  # the middle of each piece stands for it
            p = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            ci, cj = math.floor(p[0] / cell), math.floor(p[1] / cell)
            near = (
                seg for di in (-1, 0, 1) for dj in (-1, 0, 1) for seg in grid.get((ci + di, cj + dj), ())
            )
            hit = any(_distance_to_segment(p, s, e) <= tolerance_m for s, e in near)
            if hit:
                covered += length / pieces
            stretches.piece(segment, k / pieces, (k + 1) / pieces, position + length * k / pieces,
                            position + length * (k + 1) / pieces, hit)
        position += length
    stretches.close()
    return Coverage(round(min(100.0, 100 * covered / total), 1), total, covered, stretches.done)


def covered_percent(geometry: dict[str, Any], tracks: list[list[Point]], tolerance_m: float = TOLERANCE_M) -> float:
    """Share (0–100, one decimal) of the section's length within ``tolerance_m`` of any track segment."""
    return coverage(geometry, tracks, tolerance_m).percent


def thinned(tracks: list[list[Point]], min_step_m: float = 3.0, max_points: int = MAX_SHOWN_POINTS) -> list[list[Point]]:
    """The tracks for drawing on a map: points closer than ``min_step_m`` to the last one kept are left out
    (each segment's last point stays), then every n-th point if there are still more than ``max_points``."""
    if not tracks:
        return []
    first = tracks[0][0]
    plane = _Plane(first[0], first[1])
    kept: list[list[Point]] = []
    for track in tracks:
        line = [track[0]]
        last = plane(track[0])
        for point in track[1:-1]:
            here = plane(point)
            if math.dist(here, last) >= min_step_m:
                line.append(point)
                last = here
        if len(track) > 1:
            line.append(track[-1])
        kept.append(line)
    count = sum(len(line) for line in kept)
    if count > max_points:
        every = math.ceil(count / max_points)
        kept = [line[::every] + ([line[-1]] if (len(line) - 1) % every else []) for line in kept]
    return [[(round(x, 7), round(y, 7)) for x, y in line] for line in kept]


TRACK_SUBDIR = "tracks"


def store_track(settings: Settings, content: bytes) -> tuple[str, str]:
    """Keep the GPX file as it came (the evidence) under a random name: (path relative to the upload
    directory, SHA-256 of the content)."""
    directory = settings.upload_dir / TRACK_SUBDIR
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.gpx"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return f"{TRACK_SUBDIR}/{name}", hashlib.sha256(content).hexdigest()


def resolve_track(settings: Settings, track_path: str | None) -> Path:
    if not track_path:
        raise NotFound("care.track_missing")
    root = settings.upload_dir.resolve()
    path = (root / track_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("care.track_missing")
    return path
