"""The use cases at the machine, named in one place for the web and API layers. Each lives beside
this module, one concern each:

- ``handover``: hand-over (checkout) and return (checkin), the meter, the photos taken at them;
- ``idempotent``: the hand-over and the return under an idempotency key (a retry records nothing);
- ``surcharges``: the fuel and cleaning surcharges of a return and a defect's damage charge;
- ``defects``: a defect that blocks the item, and the repair that ends the block;
- ``decisions``: the yard head's move, keep or cancel of the bookings a defect hit;
- ``maintenance`` (intervals, what is due) and ``history`` (one item's record) are used directly.
"""

from __future__ import annotations

from machinery_network.machine.decisions import AffectedRow, affected_bookings, decide, free_alternatives
from machinery_network.machine.defects import OUT_OF_SERVICE_END, record_repair, report_defect
from machinery_network.machine.handover import (
    checkin,
    checkout,
    last_meter,
    photo_file,
    photos_of,
    proposed_quantity,
    require_at_machine,
)
from machinery_network.machine.idempotent import checkin_once, checkout_once, handed_over, returned
from machinery_network.machine.surcharges import (
    SURCHARGE_NAMES,
    charge_damage,
    post_surcharge,
    surcharge_entries,
)

__all__ = [
    "OUT_OF_SERVICE_END",
    "SURCHARGE_NAMES",
    "AffectedRow",
    "affected_bookings",
    "charge_damage",
    "checkin",
    "checkin_once",
    "checkout",
    "checkout_once",
    "decide",
    "free_alternatives",
    "handed_over",
    "last_meter",
    "photo_file",
    "photos_of",
    "post_surcharge",
    "proposed_quantity",
    "record_repair",
    "report_defect",
    "require_at_machine",
    "returned",
    "surcharge_entries",
]
