"""Issue #18, the fair draw's allocation as a pure function: hand-made cases, replay, and a statistical
test over many simulated seasons (no database)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from machinery_network.bookings.allocation import Reason, Request, allocate, lots, spread

MONDAY = datetime(2027, 8, 2, 6, tzinfo=UTC)


def slot(day: int, hour: int = 0, hours: int = 4) -> tuple[datetime, datetime]:
    start = MONDAY + timedelta(days=day, hours=hour)
    return start, start + timedelta(hours=hours)


def test_fewer_season_hours_come_first_and_the_lot_breaks_ties():
    start, end = slot(0)
    requests = [Request(1, 10, start, end), Request(2, 20, start, end), Request(3, 30, start, end)]
    hours = {10: Decimal(12), 20: Decimal(0), 30: Decimal(0)}
    decisions = {d.booking_id: d for d in allocate(requests, hours, [], seed=7)}
    lot = lots([10, 20, 30], 7)
    first = 20 if lot[20] < lot[30] else 30
    second = 50 - first
    assert decisions[first // 10].won and decisions[first // 10].reason == Reason.won
    assert decisions[second // 10].reason == Reason.lot and decisions[second // 10].against_booking_id == first // 10
    assert decisions[1].reason == Reason.fewer_hours and not decisions[1].won
    assert decisions[1].season_hours == 12


def test_each_slot_goes_to_one_and_taken_periods_and_own_overlaps_lose():
    taken = [slot(1)]  # Tuesday 06-10 approved before the draw
    requests = [
        Request(1, 10, *slot(0)), Request(2, 20, *slot(0, hour=2)),  # overlapping Monday requests
        Request(3, 10, *slot(1, hour=2)),  # into the taken Tuesday period
        Request(4, 20, *slot(2)), Request(5, 20, *slot(2, hour=1)),  # his own two overlap
    ]
    decisions = {d.booking_id: d for d in allocate(requests, {}, taken, seed=1)}
    assert decisions[1].won != decisions[2].won
    assert decisions[3].reason == Reason.occupied
    assert decisions[4].won and decisions[5].reason == Reason.own and decisions[5].against_booking_id == 4
    won = [r for r in requests if decisions[r.booking_id].won]
    for a in won:
        for b in won:
            assert a is b or a.end <= b.start or b.end <= a.start


def test_the_buffer_keeps_won_periods_apart():
    requests = [Request(1, 10, *slot(0, hour=0)), Request(2, 20, *slot(0, hour=4))]  # back to back
    assert all(d.won for d in allocate(requests, {}, [], seed=3))
    decisions = allocate(requests, {}, [], seed=3, buffer_minutes=30)
    assert [d.won for d in decisions].count(True) == 1


def test_the_same_seed_and_requests_replay_to_the_same_result():
    rng = random.Random(99)
    requests = [Request(n, rng.randrange(1, 15), *slot(rng.randrange(7), rng.randrange(10), rng.randrange(1, 6)))
                for n in range(1, 200)]
    hours = {farmer: Decimal(rng.randrange(40)) for farmer in range(1, 15)}
    first = allocate(requests, hours, [slot(3)], seed=123456789)
    assert allocate(list(reversed(requests)), dict(hours), [slot(3)], seed=123456789) == first
    assert len(first) == len(requests) and [d.position for d in first] == list(range(1, len(requests) + 1))
    # Another seed draws other lots (with ties in the hours, another result).
    assert any(allocate(requests, hours, [slot(3)], seed=seed) != first for seed in range(5))


def simulate_season(seed: int, *, weighted: bool, farmers: int = 6, weeks: int = 20) -> dict[int, Decimal]:
    """Equal farmers over one season: each week each asks for each of five full days with the same
    chance; the week is drawn with the hours so far."""
    rng = random.Random(seed)
    season: dict[int, Decimal] = dict.fromkeys(range(1, farmers + 1), Decimal(0))
    booking_id = 0
    for week in range(weeks):
        requests = []
        for day in range(5):
            start = MONDAY + timedelta(days=7 * week + day)
            for farmer in season:
                if rng.random() < 0.7:
                    booking_id += 1
                    requests.append(Request(booking_id, farmer, start, start + timedelta(hours=8)))
        by_id = {r.booking_id: r for r in requests}
        for decision in allocate(requests, season, [], rng.randrange(2**63), weighted=weighted):
            if decision.won:
                season[decision.farmer_id] += by_id[decision.booking_id].hours
    return season


def test_over_many_seasons_the_weighting_evens_out_hours_between_equal_farmers():
    seasons = 200
    weighted = [spread(simulate_season(n, weighted=True)) for n in range(seasons)]
    plain = [spread(simulate_season(n, weighted=False)) for n in range(seasons)]
    print(f"spread of season hours, mean over {seasons} seasons: weighted {statistics.mean(weighted):.1f} h, "
          f"without weighting {statistics.mean(plain):.1f} h")
    # Without weighting, chance piles up: a few slots of 8 hours between the luckiest and the unluckiest.
    assert statistics.mean(plain) >= 24
    # With it, the farmer behind comes first: the spread stays within about one slot.
    assert statistics.mean(weighted) <= 12
    assert statistics.mean(weighted) * 3 <= statistics.mean(plain)
    assert max(weighted) <= 16
