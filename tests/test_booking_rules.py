"""Issue #18, booking rules of an item: the pure rules (no database) and the API (422 naming the rule)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from machinery_network.bookings import service
from machinery_network.bookings.models import Booking
from machinery_network.bookings.rules import (
    Broken,
    Period,
    Rules,
    Usage,
    check,
    check_timing,
    check_usage,
    season_of,
    usage_window,
    week_of,
)
from tests.test_bookings import at, make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)  # a Thursday; Monday 5 October starts the next week


def local(day: int, hour: int, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BERLIN)


def period(day: int, start: int, end: int, month: int = 10) -> Period:
    return Period(local(day, start, month), local(day, end, month))


NO_USAGE = Usage([], 0)


# --- the pure rules --------------------------------------------------------------------------------


def test_no_rules_break_nothing_and_need_no_usage():
    assert not Rules().needs_usage
    assert check(Rules(), period(2, 8, 9), NOW, None, BERLIN) is None
    assert usage_window(Rules(min_notice_hours=5), period(2, 8, 9), BERLIN) is None
    with pytest.raises(ValueError):
        check(Rules(max_open_requests_per_farmer=1), period(2, 8, 9), NOW, None, BERLIN)


def test_notice_and_lead_time_at_their_edges():
    rules = Rules(min_notice_hours=24, max_lead_days=14)
    assert check_timing(rules, Period(NOW + timedelta(hours=24), NOW + timedelta(hours=25)), NOW) is None
    assert check_timing(rules, Period(NOW + timedelta(hours=23, minutes=59), NOW + timedelta(hours=25)), NOW) == \
        Broken("min_notice_hours", 24)
    assert check_timing(rules, Period(NOW + timedelta(days=14), NOW + timedelta(days=14, hours=1)), NOW) is None
    assert check_timing(rules, Period(NOW + timedelta(days=14, minutes=1), NOW + timedelta(days=15)), NOW) == \
        Broken("max_lead_days", 14)
    # Zero notice: anything not in the past.
    assert check_timing(Rules(min_notice_hours=0), Period(NOW, NOW + timedelta(hours=1)), NOW) is None


def test_week_is_monday_to_monday_local_time_and_season_the_calendar_year():
    assert week_of(local(1, 10), BERLIN) == Period(local(28, 0, 9), local(5, 0))
    assert week_of(local(5, 0), BERLIN) == Period(local(5, 0), local(12, 0))
    # Across the change to winter time (25 October) the week still ends at local midnight.
    assert week_of(local(25, 12), BERLIN) == Period(local(19, 0), local(26, 0))
    assert season_of(local(31, 23, 12), BERLIN) == Period(local(1, 0, 1), local(1, 0, 1, 2027))


def test_week_hours_count_only_the_part_inside_the_week():
    rules = Rules(max_hours_per_farmer_week=10)
    # 6 h already this week (Mon 5th), 4 h more is exactly the limit.
    usage = Usage([period(5, 8, 14)], 0)
    assert check_usage(rules, period(7, 8, 12), usage, BERLIN) is None
    assert check_usage(rules, period(7, 8, 13), usage, BERLIN) == Broken("max_hours_per_farmer_week", 10, Decimal(11))
    # A booking from Sunday 20:00 to Monday 04:00 counts 4 h in each week.
    overnight = Usage([Period(local(4, 20), local(5, 4))], 0)
    assert check_usage(rules, period(7, 8, 14), overnight, BERLIN) is None
    assert check_usage(rules, period(7, 8, 15), overnight, BERLIN) == Broken(
        "max_hours_per_farmer_week", 10, Decimal(11))
    # Other weeks do not count at all.
    assert check_usage(rules, period(7, 8, 18), Usage([period(13, 0, 23)], 0), BERLIN) is None


def test_a_request_over_two_weeks_must_fit_each():
    rules = Rules(max_hours_per_farmer_week=30)
    # Sat 10th 00:00 to Tue 13th 00:00: 48 h in one week, 24 h in the next.
    long = Period(local(10, 0), local(13, 0))
    assert check_usage(rules, long, NO_USAGE, BERLIN) == Broken("max_hours_per_farmer_week", 30, Decimal(48))
    assert check_usage(Rules(max_hours_per_farmer_week=48), long, NO_USAGE, BERLIN) is None
    window = usage_window(rules, long, BERLIN)
    assert window == Period(local(5, 0), local(19, 0))


def test_season_hours_and_the_usage_window_for_both_hour_rules():
    rules = Rules(max_hours_per_farmer_season=20, max_hours_per_farmer_week=100)
    usage = Usage([Period(local(1, 0, 3), local(1, 18, 3)), Period(local(30, 0, 12, 2025), local(31, 0, 12, 2025))], 0)
    assert check_usage(rules, period(7, 8, 10), usage, BERLIN) is None  # 18 + 2
    assert check_usage(rules, period(7, 8, 11), usage, BERLIN) == Broken(
        "max_hours_per_farmer_season", 20, Decimal(21))
    assert usage_window(rules, period(7, 8, 11), BERLIN) == season_of(local(7, 8), BERLIN)


def test_open_requests_limit():
    rules = Rules(max_open_requests_per_farmer=2)
    assert check_usage(rules, period(7, 8, 9), Usage([], 1), BERLIN) is None
    assert check_usage(rules, period(7, 8, 9), Usage([], 2), BERLIN) == Broken("max_open_requests_per_farmer", 2)
    assert check(rules, period(7, 8, 9), NOW, Usage([], 2), BERLIN).rule == "max_open_requests_per_farmer"


# --- the API -----------------------------------------------------------------------------------------


RULE_BODY = {"min_notice_hours": 24, "max_lead_days": 30, "max_hours_per_farmer_week": 10,
             "max_hours_per_farmer_season": 100, "max_open_requests_per_farmer": 3}


async def set_rules(client, world, item, **rules):
    r = await client.patch(f"/api/v1/items/{item.id}", json=rules, headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def bookings_of(db_session, item) -> int:
    return await db_session.scalar(select(func.count()).select_from(Booking).where(Booking.item_id == item.id))


def assert_rule_refusal(r, rule: str, german_name: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["extra"]["rule"] == rule
    assert rule in body["detail"]
    assert "Buchungsregel" in body["extra"]["message"] and german_name in body["extra"]["message"]


async def test_rules_unset_by_default_set_shown_and_cleared(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    shown = (await client.get(f"/api/v1/items/{item.id}", headers=world.farmer.headers)).json()
    assert all(shown[name] is None for name in RULE_BODY)
    assert (await set_rules(client, world, item, **RULE_BODY)) | RULE_BODY == \
        (await client.get(f"/api/v1/items/{item.id}", headers=world.farmer.headers)).json()
    cleared = await set_rules(client, world, item, max_lead_days=None, min_notice_hours=None)
    assert cleared["max_lead_days"] is None and cleared["min_notice_hours"] is None
    assert cleared["max_hours_per_farmer_week"] == 10  # the others unchanged


async def test_setting_rules_is_refused_to_others_and_for_bad_values(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    url = f"/api/v1/items/{item.id}"
    assert (await client.patch(url, json={"max_lead_days": 5})).status_code == 401
    assert (await client.patch(url, json={"max_lead_days": 5}, headers=world.farmer.headers)).status_code == 403
    assert (await client.patch(url, json={"max_lead_days": 5}, headers=world.yard_south.headers)).status_code == 403
    assert (await client.patch(url, json={"max_lead_days": 5},
                               headers=world.finance_north.headers)).status_code == 403
    assert (await client.patch("/api/v1/items/999999", json={"max_lead_days": 5},
                               headers=world.yard_north.headers)).status_code == 404
    for body in ({"min_notice_hours": -1}, {"max_lead_days": 0}, {"max_hours_per_farmer_week": 0},
                 {"max_hours_per_farmer_season": 100000}, {"max_open_requests_per_farmer": "many"},
                 {"max_open_requests_per_farmer": 1.5}):
        r = await client.patch(url, json=body, headers=world.yard_north.headers)
        assert r.status_code == 422, (body, r.text)
    shown = (await client.get(url, headers=world.yard_north.headers)).json()
    assert all(shown[name] is None for name in RULE_BODY)


async def test_min_notice_and_max_lead_refuse_and_write_nothing(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    await set_rules(client, world, item, min_notice_hours=48, max_lead_days=10)
    # NOW is 1 October 10:00; 2 October 09:00 is 23 hours away.
    r = await request(client, world.farmer, item.id, at(2, 9), at(2, 11))
    assert_rule_refusal(r, "min_notice_hours", "Mindestvorlauf")
    assert r.json()["extra"]["limit"] == 48
    r = await request(client, world.farmer, item.id, at(15, 9), at(15, 11))
    assert_rule_refusal(r, "max_lead_days", "Höchstvorlauf")
    assert await bookings_of(db_session, item) == 0
    r = await request(client, world.farmer, item.id, at(5, 9), at(5, 11))
    assert r.status_code == 201, r.text


async def test_hours_per_week_count_requested_and_approved_but_not_cancelled_nor_others(
    client, db_session, world, frozen
):
    item = await make_item(db_session, world)
    await set_rules(client, world, item, max_hours_per_farmer_week=10)
    first = await request(client, world.farmer, item.id, at(5, 8), at(5, 14))  # 6 h requested
    assert first.status_code == 201, first.text
    r = await client.post(f"/api/v1/bookings/{first.json()['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    second = await request(client, world.farmer, item.id, at(6, 8), at(6, 11))  # 9 h
    assert second.status_code == 201, second.text
    r = await request(client, world.farmer, item.id, at(7, 8), at(7, 10))  # would be 11 h
    assert_rule_refusal(r, "max_hours_per_farmer_week", "Woche")
    assert r.json()["extra"]["hours"] == 11 and r.json()["extra"]["limit"] == 10
    assert "11 Stunden" in r.json()["extra"]["message"]
    # Another farmer has his own hours; the next week is a new week.
    assert (await request(client, world.farmer2, item.id, at(7, 8), at(7, 18))).status_code == 201
    assert (await request(client, world.farmer, item.id, at(12, 8), at(12, 18))).status_code == 201
    # A cancelled request no longer counts.
    r = await client.post(f"/api/v1/bookings/{second.json()['id']}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    assert (await request(client, world.farmer, item.id, at(7, 8), at(7, 10))).status_code == 201


async def test_hours_per_season(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    await set_rules(client, world, item, max_hours_per_farmer_season=12)
    assert (await request(client, world.farmer, item.id, at(5, 8), at(5, 18))).status_code == 201
    r = await request(client, world.farmer, item.id, at(20, 8), at(20, 11))
    assert_rule_refusal(r, "max_hours_per_farmer_season", "Saison")
    assert r.json()["extra"]["hours"] == 13
    assert (await request(client, world.farmer, item.id, at(20, 8), at(20, 10))).status_code == 201


async def test_open_requests_limit_frees_up_when_one_is_decided(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    await set_rules(client, world, item, max_open_requests_per_farmer=2)
    ids = []
    for day in (5, 6):
        r = await request(client, world.farmer, item.id, at(day, 8), at(day, 9))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await request(client, world.farmer, item.id, at(7, 8), at(7, 9))
    assert_rule_refusal(r, "max_open_requests_per_farmer", "offener Anfragen")
    assert await bookings_of(db_session, item) == 2
    r = await client.post(f"/api/v1/bookings/{ids[0]}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    assert (await request(client, world.farmer, item.id, at(7, 8), at(7, 9))).status_code == 201


async def test_usage_is_read_only_for_items_with_a_usage_rule(client, db_session, world, frozen, monkeypatch):
    """The hot path: a request for an item without usage rules sends no usage query."""
    asked: list[tuple[bool, bool]] = []
    original = service.usage_lookup

    def counting(hours: bool, open_requests: bool):
        asked.append((hours, open_requests))
        return original(hours, open_requests)

    monkeypatch.setattr(service, "usage_lookup", counting)
    plain = await make_item(db_session, world)
    timed = await make_item(db_session, world)
    await set_rules(client, world, timed, min_notice_hours=1, max_lead_days=300)
    counted = await make_item(db_session, world)
    await set_rules(client, world, counted, max_open_requests_per_farmer=5)
    for item in (plain, timed):
        assert (await request(client, world.farmer, item.id, at(5, 8), at(5, 9))).status_code == 201
    assert asked == []
    assert (await request(client, world.farmer, counted.id, at(5, 8), at(5, 9))).status_code == 201
    assert asked == [(False, True)]
