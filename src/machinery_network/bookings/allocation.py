"""The fair draw's allocation (issue #18): a pure function of its inputs, no database.

Inputs: the requests for one item's contested week (booking id, farmer, period), each farmer's hours of
this item in the season so far, the periods already taken (approved bookings, blocks), the item's buffer
and a seed. Output: one decision per request, in the order they were decided.

The rule, in plain words (the README's "Fairness rules" says the same):

1. Before anything, the seed draws a lot for every farmer: a random order of the farmers (Python's
   ``random.Random(seed)``, Mersenne Twister, shuffling the farmers sorted by id), so the same seed and
   requests always give the same lots.
2. Then, again and again, the farmer with the fewest hours comes next: his season hours so far plus
   what he has already won in this draw. Between farmers with equal hours the lot decides.
3. He gets his earliest undecided request if its period is still free (not taken before the draw, not
   given to anyone in this draw). Otherwise it goes to nobody else this round and he has lost it, with
   the reason: the period was taken before the draw, it overlaps one of his own won requests, it went to
   a farmer with fewer hours, or (equal hours) the lot decided.
4. Until every request is decided.

So the slot of a contested day goes to the farmer who has had least of the machine this season, and a
farmer who wins grows his hours and lets the others come first. ``weighted=False`` leaves out the season
hours (only what is won in this draw counts): the plain lottery the statistical test compares with.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

HOUR = Decimal(3600)


class Reason(StrEnum):
    won = "won"
    occupied = "occupied"  # taken before the draw (approved booking or block)
    own = "own"  # overlaps one of the farmer's own won requests
    fewer_hours = "fewer_hours"  # went to a farmer with fewer hours this season
    lot = "lot"  # went to a farmer with as many hours; the lot decided


@dataclass(frozen=True, slots=True)
class Request:
    booking_id: int
    farmer_id: int
    start: datetime
    end: datetime

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / HOUR


@dataclass(frozen=True, slots=True)
class Decision:
    booking_id: int
    farmer_id: int
    position: int  # 1, 2, …: the order of the decisions
    won: bool
    reason: Reason
    season_hours: Decimal  # the farmer's hours of the item this season before the draw
    against_booking_id: int | None = None  # the won request in the way, if any


def lots(farmer_ids: Iterable[int], seed: int) -> dict[int, int]:
    """Each farmer's lot (0 = first) drawn with ``seed``."""
    farmers = sorted(set(farmer_ids))
    random.Random(seed).shuffle(farmers)
    return {farmer: n for n, farmer in enumerate(farmers)}


def allocate(
    requests: Sequence[Request], season_hours: Mapping[int, Decimal], occupied: Sequence[tuple[datetime, datetime]],
    seed: int, *, buffer_minutes: int = 0, weighted: bool = True,
) -> list[Decision]:
    """Decide every request of one item's contested week (see the module's rule)."""
    buffer = timedelta(minutes=buffer_minutes)
    lot = lots((r.farmer_id for r in requests), seed)
    pending: dict[int, list[Request]] = {}
    for request in sorted(requests, key=lambda r: (r.start, r.end, r.booking_id), reverse=True):
        pending.setdefault(request.farmer_id, []).append(request)  # reversed: pop() gives the earliest
    before = {farmer: Decimal(season_hours.get(farmer, 0)) for farmer in pending}
    hours = {farmer: before[farmer] if weighted else Decimal(0) for farmer in pending}
    heap = [(hours[farmer], lot[farmer], farmer) for farmer in pending]
    heapq.heapify(heap)
    taken = sorted(occupied)
    # Won requests: (start, end, booking id, farmer, the hours of every farmer when it was won).
    won: list[tuple[datetime, datetime, int, int, dict[int, Decimal]]] = []
    decisions: list[Decision] = []

    def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
        return start < other_end + buffer and other_start < end + buffer

    while heap:
        _, _, farmer = heapq.heappop(heap)
        request = pending[farmer].pop()
        position = len(decisions) + 1
        decision = None
        if any(overlaps(request.start, request.end, s, e) for s, e in taken):
            decision = Decision(request.booking_id, farmer, position, False, Reason.occupied, before[farmer])
        else:
            for start, end, booking_id, winner, then in won:
                if overlaps(request.start, request.end, start, end):
                    if winner == farmer:
                        reason = Reason.own
                    else:
                        reason = Reason.fewer_hours if then[winner] < then[farmer] else Reason.lot
                    decision = Decision(request.booking_id, farmer, position, False, reason, before[farmer],
                                        booking_id)
                    break
        if decision is None:
            won.append((request.start, request.end, request.booking_id, farmer, dict(hours)))
            hours[farmer] += request.hours
            decision = Decision(request.booking_id, farmer, position, True, Reason.won, before[farmer])
        decisions.append(decision)
        if pending[farmer]:
            heapq.heappush(heap, (hours[farmer], lot[farmer], farmer))
    return decisions


def spread(hours: Mapping[int, Decimal | float]) -> float:
    """The difference between the most and the fewest hours of the farmers (0 for none)."""
    values = [float(v) for v in hours.values()]
    return max(values) - min(values) if values else 0.0
