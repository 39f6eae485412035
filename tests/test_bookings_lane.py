"""The booking request's lane (``api.lane``): a served app answers ``POST /api/v1/bookings`` in front of
its routing, and every answer but a success still comes from the app, unchanged.

The app here is a served one (its own engine and pool, connected as the application role) on committed
data; each case is sent once through the lane and once through the app alone (the lane taken out), and
the two answers must be the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select, text

from machinery_network.api.lane import BookingLane
from machinery_network.app import create_app
from machinery_network.bookings import service
from machinery_network.bookings.models import Booking, BookingEvent
from machinery_network.catalogue import service as catalogue
from machinery_network.catalogue.schemas import ItemCreate
from machinery_network.config import Settings
from machinery_network.db import _Begun
from machinery_network.middleware import MAX_JSON_DEPTH
from machinery_network.notifications.models import Notice, OutboxMessage
from machinery_network.pooled import PooledTransaction
from tests.conftest import World, build_world

START = (datetime.now(UTC) + timedelta(days=20)).replace(hour=8, minute=0, second=0, microsecond=0)
VOLATILE = ("id", "created_at", "start", "end")  # differ between two bookings made alike


def period(day: int, hours: int = 2) -> dict[str, str]:
    start = START + timedelta(days=day)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


@pytest.fixture
async def served(committed_sessionmaker, database_url, tmp_path) -> AsyncIterator[dict[str, Any]]:
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        item = await catalogue.create_item(
            session, world.yard_north.actor,
            ItemCreate(municipality_id=world.north.id, name="Mulcher", kind="machine", unit="hour",
                       rate_cents=4800, vat_percent=Decimal(19)),
            Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path),
        )
        await session.commit()
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="lane-secret")
    app = create_app(settings)  # its own pool, connected as the application role
    lane = app.asgi_handler
    assert isinstance(lane, BookingLane)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lane.local") as client:
        yield {"app": app, "lane": lane, "client": client, "world": world, "item": item,
               "sessionmaker": committed_sessionmaker}
    await lane.engine.dispose()


async def both(served: dict[str, Any], **request: Any) -> tuple[httpx.Response, httpx.Response]:
    """The same request through the lane, then through the app alone."""
    app, lane, client = served["app"], served["lane"], served["client"]
    through_lane = await client.post("/api/v1/bookings", **request)
    app.asgi_handler = lane.app
    try:
        alone = await client.post("/api/v1/bookings", **request)
    finally:
        app.asgi_handler = lane
    return through_lane, alone


async def bookings_count(served: dict[str, Any]) -> int:
    async with served["sessionmaker"]() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


async def test_the_lane_answers_an_ordinary_request_as_the_route_does(served):
    world: World = served["world"]
    lane: BookingLane = served["lane"]
    body = {"item_id": served["item"].id, **period(1), "note": "Hecke am Feldweg"}
    through_lane = await served["client"].post("/api/v1/bookings", json=body, headers=world.farmer.headers)
    assert through_lane.status_code == 201, through_lane.text
    assert lane.served == 1
    served["app"].asgi_handler = lane.app
    alone = await served["client"].post("/api/v1/bookings", json={**body, **period(2)}, headers=world.farmer.headers)
    served["app"].asgi_handler = lane
    assert alone.status_code == 201, alone.text
    assert lane.served == 1
    # The same headers (the app's security headers included) and the same answer but for its own values.
    assert {k: v for k, v in through_lane.headers.items() if k != "content-length"} == {
        k: v for k, v in alone.headers.items() if k != "content-length"}
    mine, theirs = through_lane.json(), alone.json()
    assert list(mine) == list(theirs)
    assert {k: v for k, v in mine.items() if k not in VOLATILE} == {k: v for k, v in theirs.items() if k not in VOLATILE}
    assert (mine["status"], mine["estimated_cents"], mine["note"]) == ("requested", 11424, "Hecke am Feldweg")
    # The rows are those the route writes: the booking in the item's network, its farmer's network, its
    # first event, the yard head's mail and notice in his network.
    async with served["sessionmaker"]() as session:
        row = (await session.execute(text(
            "SELECT b.network_id, b.farmer_network_id, i.network_id, u.network_id FROM bookings b"
            " JOIN items i ON i.id = b.item_id JOIN users u ON u.id = b.farmer_id WHERE b.id = :id"),
            {"id": mine["id"]})).one()
        assert row[0] == row[2] and row[1] == row[3]
        events = (await session.scalars(select(BookingEvent).where(BookingEvent.booking_id == mine["id"]))).all()
        assert [(e.to_status, e.actor_id) for e in events] == [("requested", world.farmer.id)]
        notices = (await session.execute(text(
            "SELECT n.user_id, n.network_id = u.network_id, n.link FROM notices n JOIN users u ON u.id = n.user_id"
            " WHERE n.link = :link"), {"link": f"/manage/bookings/{mine['id']}"})).all()
        assert [tuple(n) for n in notices] == [(world.yard_north.id, True, f"/manage/bookings/{mine['id']}")]
        mails = (await session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == world.yard_north.id)
                                       .order_by(OutboxMessage.id))).all()
        assert len(mails) == 2 and f"/manage/bookings/{mine['id']}" in mails[0].body
        assert await session.scalar(select(func.count()).select_from(Notice)) == 2


@pytest.mark.parametrize("case", [
    "unknown token", "yard head", "no such item", "inactive item", "end before start", "unknown field",
    "not json", "too deep", "taken",
])
async def test_every_refusal_is_the_apps_answer(served, case):
    world: World = served["world"]
    lane: BookingLane = served["lane"]
    item_id = served["item"].id
    headers, body = world.farmer.headers, {"item_id": item_id, **period(3)}
    content: bytes | None = None
    if case == "unknown token":
        headers = {"Authorization": "Bearer mn_" + "A" * 40}
    elif case == "yard head":
        headers = world.yard_north.headers
    elif case == "no such item":
        body["item_id"] = 999_999
    elif case == "inactive item":
        async with served["sessionmaker"]() as session:
            await session.execute(text("UPDATE items SET active = false WHERE id = :i"), {"i": item_id})
            await session.commit()
    elif case == "end before start":
        body["end"] = (START + timedelta(days=2)).isoformat()
    elif case == "unknown field":
        body["colour"] = "green"
    elif case == "not json":
        content = b'{"item_id": 1, "start": '
    elif case == "too deep":
        content = b'{"note": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}"
    elif case == "taken":  # an approved booking in the way: 409 naming it
        async with served["sessionmaker"]() as session:
            taken = await service.request(session, world.farmer2.actor, _create(item_id, 3), _settings(served))
            await service.approve(session, world.yard_north.actor, taken.id, _settings(served))
            await session.commit()
    before = await bookings_count(served)
    if content is None:
        through_lane, alone = await both(served, json=body, headers=headers)
    else:
        through_lane, alone = await both(served, content=content,
                                         headers={**headers, "Content-Type": "application/json"})
    assert through_lane.status_code in (400, 401, 403, 404, 409, 422), through_lane.text
    assert (through_lane.status_code, through_lane.json()) == (alone.status_code, alone.json())
    assert lane.served == 0
    assert await bookings_count(served) == before
    assert lane.engine.pool.checkedout() == 0  # the lane gave its connection back


async def test_a_request_for_the_waiting_list_is_the_apps(served):
    world: World = served["world"]
    item_id = served["item"].id
    async with served["sessionmaker"]() as session:
        taken = await service.request(session, world.farmer2.actor, _create(item_id, 4), _settings(served))
        await service.approve(session, world.yard_north.actor, taken.id, _settings(served))
        await session.commit()
    r = await served["client"].post("/api/v1/bookings", json={"item_id": item_id, **period(4), "waitlist": True},
                                    headers=world.farmer.headers)
    assert r.status_code == 201 and r.json()["status"] == "waiting", r.text
    assert served["lane"].served == 0


@pytest.mark.parametrize(("error", "status"), [
    (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"), 503),
    (RuntimeError("a bug"), 500),
])
async def test_a_failure_in_the_lane_is_answered_by_the_apps_handler_without_a_second_try(
    served, monkeypatch, error, status
):
    calls = []

    async def failing(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        raise error

    monkeypatch.setattr(service, "request_on", failing)
    world: World = served["world"]
    r = await served["client"].post("/api/v1/bookings", json={"item_id": served["item"].id, **period(5)},
                                    headers=world.farmer.headers)
    assert r.status_code == status and r.json()["status_code"] == status, r.text
    assert len(calls) == 1  # answered from the exception, not by running the request again
    assert served["lane"].served == 0 and served["lane"].engine.pool.checkedout() == 0


async def test_a_failed_commit_is_not_reported_as_success_and_keeps_nothing(served, monkeypatch):
    async def lost(self: _Begun) -> None:
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    monkeypatch.setattr(_Begun, "commit", lost)
    before = await bookings_count(served)
    world: World = served["world"]
    r = await served["client"].post("/api/v1/bookings", json={"item_id": served["item"].id, **period(6)},
                                    headers=world.farmer.headers)
    assert r.status_code == 503, r.text
    assert await bookings_count(served) == before  # the connection was discarded, its transaction with it
    assert served["lane"].engine.pool.checkedout() == 0


async def test_a_revoked_token_stops_working_in_the_lane_at_once(served):
    world: World = served["world"]
    client = served["client"]
    body = {"item_id": served["item"].id, **period(7)}
    assert (await client.post("/api/v1/bookings", json=body, headers=world.farmer.headers)).status_code == 201
    r = await client.post("/api/v1/auth/logout", headers=world.farmer.headers)
    assert r.status_code in (200, 204), r.text
    r = await client.post("/api/v1/bookings", json={**body, **period(8)}, headers=world.farmer.headers)
    assert r.status_code == 401, r.text


async def test_a_pooled_transaction_works_inside_its_network_and_rolls_back_unless_committed(served):
    engine = served["lane"].engine
    network = served["world"].farmer.user.network_id
    transaction = PooledTransaction(engine)
    conn = await transaction.connect()
    assert not conn.is_in_transaction()
    await transaction.begin(network)
    assert conn.is_in_transaction()
    assert await conn.fetchval("SELECT current_setting('mn.network_id')") == str(network)
    await conn.execute("CREATE TEMP TABLE lane_probe (x int)")
    await transaction.close()  # not committed: the pool rolls it back on the way in
    assert engine.pool.checkedout() == 0
    transaction = PooledTransaction(engine)
    conn = await transaction.connect()
    assert not conn.is_in_transaction()
    assert await conn.fetchval("SELECT to_regclass('pg_temp.lane_probe')") is None
    assert await conn.fetchval("SELECT current_setting('mn.network_id', true)") in (None, "")
    await transaction.begin(network)
    await transaction.commit()
    assert not conn.is_in_transaction()
    await transaction.close()


def _settings(served: dict[str, Any]) -> Settings:
    settings: Settings = served["lane"].settings
    return settings


def _create(item_id: int, day: int) -> Any:
    from machinery_network.bookings.schemas import BookingCreate

    return BookingCreate.model_validate({"item_id": item_id, **period(day)})


def test_the_route_takes_what_the_lane_takes():
    """The lane does what the route does with these parameters; a route that takes more (a header, a
    query parameter) must teach the lane first."""
    import inspect

    from machinery_network.api.bookings import BookingController

    assert list(inspect.signature(BookingController.create.fn).parameters) == [
        "self", "data", "actor", "db_session", "settings"]
