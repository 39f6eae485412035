"""HTML pages of the care domain, one module per concern:

- ``farmer``: the farmer's sections, his report form and his reports (``/care``), a report's photo;
- ``sections``: the yard head's sections with plan status, new section and section edit (``/manage/sections``);
- ``assignments``: assigning a section to a farmer (found by a search) and ending an assignment;
- ``proof``: the winter-service proof download of the sections page;
- ``inbox``: the yard head's care reports to confirm or reject (``/manage/care-logs``);
- ``corrections``: correcting a confirmed winter-service pass (a new linked record).

``shared`` holds what several of them use. The map pages of the care domain are ``web/map.py``.
"""

from __future__ import annotations

from typing import Any

from machinery_network.web.care import assignments, corrections, farmer, inbox, proof, sections
from machinery_network.web.care.assignments import find_farmer

__all__ = ["ROUTES", "find_farmer"]

ROUTES: list[Any] = [
    *corrections.ROUTES,
    *farmer.ROUTES,
    *sections.ROUTES,
    *assignments.ROUTES,
    *proof.ROUTES,
    *inbox.ROUTES,
]
