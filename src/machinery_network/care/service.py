"""The use cases of the care domain, named in one place so that controllers, the CLI and the scheduler
import one module for every care use case. Each lives beside this module, one concern each:

- ``sections`` and ``assignments``: who looks after which road or path, from when to when;
- ``reporting``: the farmer's report of care work and its checks;
- ``decisions``: the yard head's confirmation (which credits the farmer), rejection and correction;
- ``attachments``: the photo and the GPX track of a care log;
- ``logs``: one care log and the lists of logs an actor may see;
- ``seasons`` (the care-plan calendar), ``plan`` (planned against done passes), ``photos`` (upload checks
  and storage), ``proof`` (the winter-service proof and its files) and ``map`` (the sections on the map).
"""

from __future__ import annotations

from machinery_network.care.assignments import assign, current_assignees, end_assignment, list_assignments
from machinery_network.care.attachments import attach_photo, photo_file, track_coverage, track_file
from machinery_network.care.decisions import confirm, correct, reject
from machinery_network.care.logs import (
    CARE_LOG_KEYS,
    CARE_LOG_ORDER,
    CARE_LOG_SORTS,
    CareLogRow,
    get_care_log,
    list_care_logs,
    page_care_logs,
    show_care_log,
)
from machinery_network.care.photos import megabytes
from machinery_network.care.plan import (
    DEFAULT_DUE_WITHIN_DAYS,
    FarmerSection,
    PlanRow,
    farmer_sections,
    season_plan,
)
from machinery_network.care.proof import WinterProof, winter_proof
from machinery_network.care.reporting import check_quantity, check_winter_fields, report, report_once
from machinery_network.care.seasons import de_date, season_bounds, season_of
from machinery_network.care.sections import (
    create_section,
    get_section,
    import_sections,
    list_sections,
    update_section,
)

__all__ = [
    "CARE_LOG_KEYS",
    "CARE_LOG_ORDER",
    "CARE_LOG_SORTS",
    "DEFAULT_DUE_WITHIN_DAYS",
    "CareLogRow",
    "FarmerSection",
    "PlanRow",
    "WinterProof",
    "assign",
    "attach_photo",
    "check_quantity",
    "check_winter_fields",
    "confirm",
    "correct",
    "create_section",
    "current_assignees",
    "de_date",
    "end_assignment",
    "farmer_sections",
    "get_care_log",
    "get_section",
    "import_sections",
    "list_assignments",
    "list_care_logs",
    "list_sections",
    "megabytes",
    "page_care_logs",
    "photo_file",
    "reject",
    "report",
    "report_once",
    "season_bounds",
    "season_of",
    "season_plan",
    "show_care_log",
    "track_coverage",
    "track_file",
    "update_section",
    "winter_proof",
]
