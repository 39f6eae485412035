"""Issue #18, the fair draw for contested days on PostgreSQL: collecting, the deadline, running once
(by hand and by the scheduler), the weighting by season hours, replaying from the seed, refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from machinery_network.auth import SYSTEM
from machinery_network.bookings import draws
from machinery_network.bookings.draw_models import Draw, DrawEntry
from machinery_network.bookings.models import Booking, BookingEvent, Occupancy
from machinery_network.errors import Conflict
from machinery_network.notifications.models import Notice, OutboxMessage
from tests.test_bookings import at, make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)  # Thursday; the week of Monday 5 October closes at 12:00
SEASON = {"first_day": "2026-10-05", "last_day": "2026-10-31", "deadline_weekday": 4, "deadline_time": "12:00"}


async def contested(client, world, item) -> dict:
    r = await client.post(f"/api/v1/items/{item.id}/contested", json=SEASON, headers=world.yard_north.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def ask(client, person, item, start, end) -> dict:
    r = await request(client, person, item.id, start, end)
    assert r.status_code == 201, r.text
    return r.json()


async def run(client, world, item, person=None):
    return await client.post(f"/api/v1/items/{item.id}/draws", headers=(person or world.yard_north).headers)


async def test_requests_are_collected_until_the_deadline_then_drawn_once(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    season = await contested(client, world, item)
    assert (season["deadline_weekday"], season["deadline_time"]) == (4, "12:00:00")
    first = await ask(client, world.farmer, item, at(5, 8), at(5, 12))
    second = await ask(client, world.farmer2, item, at(5, 9), at(5, 11))
    assert first["in_draw"] and second["in_draw"] and first["status"] == "requested"
    # Not a contested day: an ordinary request.
    assert not (await ask(client, world.farmer, item, at(2, 8), at(2, 12)))["in_draw"]
    # No hand approval of a collected request.
    r = await client.post(f"/api/v1/bookings/{first['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409 and "draw" in r.json()["detail"]
    # Before the deadline: nothing due.
    r = await run(client, world, item)
    assert r.status_code == 409, r.text
    # Refusals: a farmer, another municipality's yard head, unknown item, not logged in.
    frozen.move(NOW.replace(hour=12, minute=1))
    assert (await run(client, world, item, world.farmer)).status_code == 403
    assert (await run(client, world, item, world.yard_south)).status_code == 403
    assert (await run(client, world, item, world.finance_north)).status_code == 403
    assert (await client.post("/api/v1/items/999999/draws", headers=world.yard_north.headers)).status_code == 404
    assert (await client.post(f"/api/v1/items/{item.id}/draws")).status_code == 401

    r = await run(client, world, item)
    assert r.status_code == 201, r.text
    drawn = r.json()
    assert drawn["period_start"] == "2026-10-05" and drawn["period_end"] == "2026-10-11"
    assert drawn["trigger"] == "hand" and drawn["replays"] is True and int(drawn["seed"]) >= 0
    outcome = {e["booking_id"]: e for e in drawn["entries"]}
    assert sorted(outcome) == sorted([first["id"], second["id"]])
    winner = next(e for e in drawn["entries"] if e["won"])
    loser = next(e for e in drawn["entries"] if not e["won"])
    assert loser["reason"] == "lot" and loser["against_booking_id"] == winner["booking_id"]
    assert drawn["seed"] in loser["reason_text"]
    # The winner approved (an occupancy), the other on the waiting list with the reason.
    for entry in (winner, loser):
        booking = await db_session.get(Booking, entry["booking_id"], populate_existing=True)
        assert booking.status == ("approved" if entry["won"] else "waiting")
    waiting = await db_session.get(Booking, loser["booking_id"])
    assert "per Los" in waiting.reject_reason and f"Nr. {drawn['id']}" in waiting.reject_reason
    assert await db_session.scalar(select(func.count()).select_from(Occupancy).where(
        Occupancy.booking_id.in_([winner["booking_id"], loser["booking_id"]]))) == 1
    # Everyone is told: the winner's approval, the loser's place on the waiting list with the reason.
    for entry in (winner, loser):
        subjects = list(await db_session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient_id == entry["farmer_id"]).order_by(OutboxMessage.id)))
        assert any(("genehmigt" if entry["won"] else "Warteliste") in s for s in subjects), subjects
    told = await db_session.scalar(select(Notice.text).where(Notice.user_id == loser["farmer_id"],
                                                             Notice.kind == "booking_waiting"))
    assert told is not None and "Warteliste" in told and "per Los" in told
    # Exactly once: the week is drawn; a request for it now is an ordinary one.
    r = await run(client, world, item)
    assert r.status_code == 409
    late = await ask(client, world.farmer2, item, at(6, 8), at(6, 12))
    assert not late["in_draw"]
    r = await client.post(f"/api/v1/bookings/{late['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200
    # The database refuses a second draw of the week whatever the code does.
    with pytest.raises(IntegrityError):
        async with db_session.begin_nested():
            db_session.add(Draw(item_id=item.id, season_id=season["id"], period_start=date(2026, 10, 5),
                                period_end=date(2026, 10, 11), seed=1, occupied=[], trigger="hand",
                                ran_at=NOW))
            await db_session.flush()

    # The result page data: farmers see it, other farmers only as numbers; the lists.
    r = await client.get(f"/api/v1/draws/{drawn['id']}", headers=world.farmer.headers)
    assert r.status_code == 200
    mine = [e for e in r.json()["entries"] if e["farmer_id"] == world.farmer.id]
    others = [e for e in r.json()["entries"] if e["farmer_id"] is None]
    assert mine[0]["farmer"] == world.farmer.user.name and others[0]["farmer"].startswith("Farm ")
    assert (await client.get(f"/api/v1/draws/{drawn['id']}", headers=world.yard_south.headers)).status_code == 403
    r = await client.get(f"/api/v1/items/{item.id}/draws", headers=world.farmer2.headers)
    assert [d["id"] for d in r.json()] == [drawn["id"]]


async def test_the_farmer_with_fewer_hours_this_season_gets_the_next_contested_day(
    client, db_session, world, frozen, settings
):
    item = await make_item(db_session, world)
    await contested(client, world, item)
    # Week 1: only the first farmer asks, and wins four hours.
    await ask(client, world.farmer, item, at(5, 8), at(5, 12))
    frozen.move(NOW.replace(hour=12, minute=1))
    assert (await run(client, world, item)).status_code == 201
    # Week 2 (deadline Thursday 8 October, 12:00): both want the same morning.
    a = await ask(client, world.farmer, item, at(12, 8), at(12, 12))
    b = await ask(client, world.farmer2, item, at(12, 8), at(12, 12))
    frozen.move(datetime(2026, 10, 8, 12, 0, tzinfo=BERLIN))
    r = await run(client, world, item)
    assert r.status_code == 201, r.text
    entries = {e["booking_id"]: e for e in r.json()["entries"]}
    assert entries[b["id"]]["won"] and entries[b["id"]]["season_hours"] == 0
    assert entries[a["id"]]["reason"] == "fewer_hours" and entries[a["id"]]["season_hours"] == 4
    assert "weniger Stunden" in entries[a["id"]]["reason_text"] or "fewer hours" in entries[a["id"]]["reason_text"]
    # Replayed from its stored seed and entries: the same result; with another seed, the same here too
    # (the hours decide, not the lot).
    result = await draws.get_draw(db_session, world.yard_north.actor, r.json()["id"])
    assert draws.replays(result)
    assert [d.won for d in draws.replay(result)] == [e.won for e in result.entries]


async def test_replay_from_the_seed_gives_the_same_result_with_many_farmers(db_session, world, frozen, settings):
    from machinery_network.accounts.models import Role
    from machinery_network.bookings import service
    from machinery_network.bookings.schemas import BookingCreate
    from tests.conftest import make_person

    item = await make_item(db_session, world)
    await draws.mark_contested(db_session, world.yard_north.actor, item.id, draws.SeasonInput(
        datetime(2026, 10, 5).date(), datetime(2026, 10, 31).date(), 4, datetime(2000, 1, 1, 12).time()))
    farmers = [await make_person(db_session, Role.farmer, f"Bauer {n}") for n in range(8)]
    for n, farmer in enumerate(farmers):
        for day in (5, 6, 7):
            start = datetime(2026, 10, day, 6 + n % 3 * 2, tzinfo=BERLIN)
            await service.request(db_session, farmer.actor, BookingCreate(
                item_id=item.id, start=start, end=start + timedelta(hours=3 + n % 2)), settings)
    frozen.move(NOW.replace(hour=13))
    result = await draws.run_draw(db_session, world.yard_north.actor, item.id, settings, seed=20261005)
    assert len(result.entries) == 24 and result.draw.seed == 20261005
    stored = await draws.get_draw(db_session, world.yard_north.actor, result.draw.id)
    assert draws.replays(stored)
    assert [(d.booking_id, d.won, d.reason.value) for d in draws.replay(stored)] == [
        (e.booking_id, e.won, e.reason) for e in stored.entries]
    # The stored entries are the draw's record; changing the seed changes the lots.
    stored.draw.seed += 1
    assert not draws.replays(stored) or len({e.farmer_id for e in stored.entries if e.reason == "lot"}) == 0
    # No two winners overlap (the exclusion constraint held).
    won = [e for e in stored.entries if e.won]
    assert all(a is b or a.end_at <= b.start_at or b.end_at <= a.start_at for a in won for b in won)


async def test_the_scheduler_draws_each_due_week_exactly_once(db_session, sessionmaker, world, frozen, settings,
                                                              engine):
    item = await make_item(db_session, world)
    await draws.mark_contested(db_session, world.yard_north.actor, item.id, draws.SeasonInput(
        datetime(2026, 10, 5).date(), datetime(2026, 10, 31).date(), 4, datetime(2000, 1, 1, 12).time()))
    await db_session.commit()
    assert await draws.run_due_draws(sessionmaker, settings) == []  # before the deadline
    frozen.move(NOW.replace(hour=12, minute=5))
    item_id, yard = item.id, world.yard_north.actor
    # Another process holds the item's draw lock: skipped, not waited for.
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(:ns, :i)"), {"ns": draws.DRAW_LOCK, "i": item.id})
        with pytest.raises(Conflict) as caught:
            await draws.run_draw(db_session, SYSTEM, item.id, settings, trigger="scheduler")
        assert caught.value.key == "draw.busy"
        await db_session.rollback()
        await other.execute(text("SELECT pg_advisory_unlock(:ns, :i)"), {"ns": draws.DRAW_LOCK, "i": item_id})
    done = await draws.run_due_draws(sessionmaker, settings)
    assert len(done) == 1
    assert await draws.run_due_draws(sessionmaker, settings) == []
    draw = await db_session.get(Draw, done[0])
    assert (draw.trigger, str(draw.period_start)) == ("scheduler", "2026-10-05")
    assert await db_session.scalar(select(func.count()).select_from(DrawEntry)) == 0  # nobody asked
    # A scheduler that found the week due a moment ago, in another process: the unique constraint refuses.
    stale = draws.DueWeek(item_id, draw.season_id, date(2026, 10, 5), draw.period_start)
    with pytest.raises(Conflict) as caught:
        await draws.run_draw(db_session, SYSTEM, item_id, settings, trigger="scheduler", due=stale)
    assert caught.value.key == "draw.already_run"
    await db_session.rollback()
    # The contested-season refusals.
    with pytest.raises(Conflict):
        await draws.mark_contested(db_session, yard, item_id, draws.SeasonInput(
            datetime(2026, 10, 20).date(), datetime(2026, 11, 5).date(), 4, datetime(2000, 1, 1, 12).time()))


async def test_contested_season_refusals(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    url = f"/api/v1/items/{item.id}/contested"
    assert (await client.post(url, json=SEASON, headers=world.farmer.headers)).status_code == 403
    assert (await client.post(url, json=SEASON, headers=world.yard_south.headers)).status_code == 403
    assert (await client.post(url, json={**SEASON, "last_day": "2026-10-01"},
                              headers=world.yard_north.headers)).status_code == 422
    assert (await client.post(url, json={**SEASON, "first_day": "1900-01-01"},
                              headers=world.yard_north.headers)).status_code == 422
    assert (await client.post(url, json={**SEASON, "deadline_weekday": 8},
                              headers=world.yard_north.headers)).status_code in (400, 422)
    assert (await client.post(url, json=SEASON, headers=world.yard_north.headers)).status_code == 201
    r = await client.post(url, json=SEASON, headers=world.yard_north.headers)
    assert r.status_code == 409
    r = await client.get(url, headers=world.farmer.headers)
    assert r.status_code == 200 and len(r.json()) == 1


async def test_a_loser_waits_and_is_offered_the_slot_when_the_winner_cancels(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    await contested(client, world, item)
    first = await ask(client, world.farmer, item, at(5, 8), at(5, 12))
    second = await ask(client, world.farmer2, item, at(5, 9), at(5, 11))
    frozen.move(NOW.replace(hour=12, minute=1))
    r = await run(client, world, item)
    assert r.status_code == 201, r.text
    drawn = r.json()
    winner = next(e for e in drawn["entries"] if e["won"])
    loser = next(e for e in drawn["entries"] if not e["won"])
    assert {winner["booking_id"], loser["booking_id"]} == {first["id"], second["id"]}
    people = {world.farmer.id: world.farmer, world.farmer2.id: world.farmer2}
    r = await client.get(f"/api/v1/bookings/{loser['booking_id']}", headers=people[loser["farmer_id"]].headers)
    assert r.json()["status"] == "waiting" and "per Los" in r.json()["reject_reason"]
    # Waiting: its event (requested → waiting) carries the reason, and it holds nothing.
    event = await db_session.scalar(select(BookingEvent).where(BookingEvent.booking_id == loser["booking_id"],
                                                                BookingEvent.to_status == "waiting"))
    assert event is not None and event.from_status == "requested" and "per Los" in event.note
    # The winner cancels: the waiting list offers the period to the loser, held for him.
    r = await client.post(f"/api/v1/bookings/{winner['booking_id']}/cancel",
                          headers=people[winner["farmer_id"]].headers)
    assert r.status_code == 200, r.text
    r = await client.get(f"/api/v1/bookings/{loser['booking_id']}", headers=people[loser["farmer_id"]].headers)
    offered = r.json()
    assert offered["status"] == "offered" and offered["offer_expires_at"] is not None
    assert offered["reject_reason"] is None
    mails = list(await db_session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.recipient_id == loser["farmer_id"])))
    assert any("Angebot von der Warteliste" in subject for subject in mails), mails
    r = await client.post(f"/api/v1/bookings/{loser['booking_id']}/accept-offer",
                          headers=people[loser["farmer_id"]].headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    # The draw is the draw's record: it still replays from its seed, whatever happened afterwards.
    result = await draws.get_draw(db_session, world.yard_north.actor, drawn["id"])
    assert draws.replays(result)
    assert [(e.booking_id, e.won) for e in result.entries] == [
        (e["booking_id"], e["won"]) for e in drawn["entries"]]
    r = await client.get(f"/api/v1/draws/{drawn['id']}", headers=world.yard_north.headers)
    assert r.json()["replays"] is True


async def test_a_winner_the_constraint_refuses_waits_instead(db_session, world, frozen, settings):
    """The exclusion constraint decides for every winner (ON CONFLICT DO NOTHING): an occupancy that
    got in the way without the draw seeing it (written here behind its back) leaves the winner waiting,
    recorded as ``occupied``, and the rest of the draw stands."""
    from machinery_network.bookings.models import Block

    item = await make_item(db_session, world)
    await draws.mark_contested(db_session, world.yard_north.actor, item.id, draws.SeasonInput(
        date(2026, 10, 5), date(2026, 10, 31), 4, datetime(2000, 1, 1, 12).time()))
    from machinery_network.bookings import service
    from machinery_network.bookings.schemas import BookingCreate

    mine = await service.request(db_session, world.farmer.actor, BookingCreate(
        item_id=item.id, start=datetime.fromisoformat(at(5, 8)), end=datetime.fromisoformat(at(5, 12))), settings)
    other = await service.request(db_session, world.farmer2.actor, BookingCreate(
        item_id=item.id, start=datetime.fromisoformat(at(6, 8)), end=datetime.fromisoformat(at(6, 12))), settings)
    frozen.move(NOW.replace(hour=13))
    # A block written as if by another transaction after the draw read the taken periods.
    real_read = draws.running._read_occupied

    async def read_then_block(session, todo, by_week):
        await real_read(session, todo, by_week)
        block = Block(item_id=item.id, start_at=datetime.fromisoformat(at(5, 10)),
                      end_at=datetime.fromisoformat(at(5, 11)), reason="Reparatur", created_at=NOW)
        session.add(block)
        await session.flush()
        session.add(Occupancy(item_id=item.id, start_at=block.start_at, end_at=block.end_at, block_id=block.id))
        await session.flush()

    draws.running._read_occupied = read_then_block
    try:
        result = await draws.run_draw(db_session, world.yard_north.actor, item.id, settings, seed=7)
    finally:
        draws.running._read_occupied = real_read
    entries = {e.booking_id: e for e in result.entries}
    assert not entries[mine.id].won and entries[mine.id].reason == "occupied"
    assert entries[other.id].won
    statuses = dict((await db_session.execute(select(Booking.id, Booking.status).where(
        Booking.id.in_([mine.id, other.id])).execution_options(populate_existing=True))).all())
    assert statuses == {mine.id: "waiting", other.id: "approved"}
    # The stored result differs from the replay exactly there, and says so.
    assert not draws.replays(result)


async def test_the_demo_has_a_contested_mower_with_a_past_draw_and_requests_collected(
    client, db_session, frozen, settings
):
    from machinery_network.bookings.demo import CONTESTED, DRAW_SEED, NEXT_WEEK, PAST_DRAW
    from machinery_network.bookings.draw_models import ContestedSeason
    from machinery_network.catalogue.models import Item
    from machinery_network.demo import load_demo

    await load_demo(db_session, settings)
    item = await db_session.scalar(select(Item).where(Item.name == CONTESTED))
    seasons = list(await db_session.scalars(select(ContestedSeason).where(ContestedSeason.item_id == item.id)
                                            .order_by(ContestedSeason.first_day)))
    # Last week's season and the current one from the next week still open (Thursday 12:00 not yet passed).
    assert [(s.first_day, s.last_day) for s in seasons] == [
        (date(2026, 9, 21), date(2026, 9, 27)), (date(2026, 10, 5), date(2026, 11, 29))]
    past = list(await db_session.scalars(select(Draw).where(Draw.item_id == item.id)))
    assert len(past) == 1 and past[0].period_start == date(2026, 9, 21) and past[0].trigger == "scheduler"
    result = await draws.get_draw(db_session, SYSTEM, past[0].id)
    assert len(result.entries) == len(PAST_DRAW) and draws.replays(result)
    won = {e.booking_id for e in result.entries if e.won}
    assert won and len(won) < len(PAST_DRAW)
    statuses = dict((await db_session.execute(select(Booking.id, Booking.status).where(
        Booking.id.in_([e.booking_id for e in result.entries])))).all())
    assert {status for booking_id, status in statuses.items() if booking_id in won} == {"approved"}
    assert {status for booking_id, status in statuses.items() if booking_id not in won} == {"waiting"}
    collected = list(await db_session.scalars(select(Booking).where(
        Booking.item_id == item.id, Booking.in_draw, Booking.status == "requested")))
    assert len(collected) == len(NEXT_WEEK)
    assert all(date(2026, 10, 5) <= b.start_at.astimezone(BERLIN).date() <= date(2026, 10, 11) for b in collected)
    # The visitor sees it: the mower's draws page and last week's result, as the demo's yard head.
    from machinery_network.demo import DEMO_PASSWORD
    from tests.web_helpers import login

    await db_session.commit()
    await login(client, "bauhof@gerstungen.example", DEMO_PASSWORD)
    page = await client.get(f"/items/{item.id}/draws")
    assert page.status_code == 200 and "05.10.2026" in page.text and f"/draws/{past[0].id}" in page.text
    page = await client.get(f"/draws/{past[0].id}")
    assert page.status_code == 200 and str(DRAW_SEED) in page.text and "Zuschlag" in page.text
    count = await db_session.scalar(select(func.count()).select_from(Booking))
    await load_demo(db_session, settings)  # idempotent
    assert await db_session.scalar(select(func.count()).select_from(Booking)) == count
    assert await db_session.scalar(select(func.count()).select_from(Draw)) == 1
