"""The hash of a confirmed care log: SHA-256 over the record's canonical form.

The canonical form is a JSON object of the fields below with keys sorted, no blanks
(``separators=(",", ":")``), UTF-8 without escaping; dates ISO 8601, instants in UTC
(``2027-01-20T04:10:00+00:00``, microseconds only when there are any), decimals as plain numbers in a
string without trailing zeros (``"1.5"``), absent values ``null``. Anyone holding a printed proof can
recompute it from the record (``python -c`` and ``hashlib``), and the proof recomputes it from the
database: a record that differs from its printed hash was changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from machinery_network.care.models import CareLog

FIELDS = (
    "id", "section_id", "farmer_id", "performed_on", "quantity", "note", "status", "credit_cents",
    "started_at", "ended_at", "activity", "material", "amount_kg", "photo_path", "decided_by", "decided_at",
    "corrects_id", "track_sha256", "track_covered_percent", "weather", "road_condition",
)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def canonical(log: CareLog) -> bytes:
    record = {name: _value(getattr(log, name)) for name in FIELDS}
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(log: CareLog) -> str:
    return hashlib.sha256(canonical(log)).hexdigest()
