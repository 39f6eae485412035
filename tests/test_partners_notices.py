"""Notices across an agreement (migration 0032_partner_notices), tested as the application's role.

A farmer of network B asks for a shared item of network A: A's yard heads get the notice, and the mail
when they want it, although B's transaction sees none of A's users; A's decisions reach the farmer.
Without an active agreement, or for an item that is not shared, nothing crosses; the database function
that tells the yard heads answers a count and shows nothing else of the other network.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from machinery_network.accounts.models import User
from machinery_network.app import create_app
from machinery_network.bookings import notices
from machinery_network.bookings.statements import owner_notice
from machinery_network.config import Settings
from machinery_network.db import make_engine, use_network
from machinery_network.notifications.notices import Tidings, category_of, tell, tell_many
from machinery_network.notifications.service import Mail
from tests.conftest import World, make_person
from tests.test_network_isolation import _fill, _login


@pytest.fixture
async def networks(committed_sessionmaker) -> dict[str, Any]:
    """Networks A and B (a row in every tenant table each), A's north with a second yard head who wants
    booking notices on the page only; no agreement yet."""
    async with committed_sessionmaker() as session:
        a = await session.scalar(text("SELECT min(id) FROM networks"))
        b = await session.scalar(text("INSERT INTO networks (name) VALUES ('Rhön') RETURNING id"))
        await session.commit()
    async with committed_sessionmaker() as session:
        world_a = await _fill(session, a)
        page_only = await make_person(session, "yard_head", "Paula Seite", world_a.north.id)
        await session.execute(text("""UPDATE users SET notify = '{"booking": "page"}' WHERE id = :u"""),
                              {"u": page_only.id})
        await session.commit()
    async with committed_sessionmaker() as session:
        world_b = await _fill(session, b)
    return {"a": a, "b": b, "A": world_a, "B": world_b, "page_only": page_only, "item": world_a.extra["i"]}


async def _agree(committed_sessionmaker, net: dict[str, Any], *, state: str = "active", shared: bool = True) -> None:
    async with committed_sessionmaker() as session:
        await session.execute(text("INSERT INTO network_agreements (network_id, other_network_id, state) "
                                   "VALUES (:a, :b, :s)"), {"a": net["a"], "b": net["b"], "s": state})
        await session.execute(text("UPDATE items SET shared = :s WHERE id = :i"), {"s": shared, "i": net["item"]})
        await session.commit()


@pytest.fixture
async def app_client(database_url, tmp_path):
    settings = Settings(DATABASE_URL=database_url, MN_DATA_DIR=tmp_path, MN_SECRET_KEY="rls-secret")
    app = create_app(settings)  # its own pool, connected as the application role
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://rls.local") as c:
        yield c


@pytest.fixture
async def app_engine(database_url):
    engine = make_engine(database_url, pool_size=2, role="mn_app")
    yield engine
    await engine.dispose()


def _period(days: int) -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


async def _told(committed_sessionmaker, user_id: int) -> tuple[list[Any], list[Any]]:
    """A user's notices and mails (read as the owner), oldest first."""
    async with committed_sessionmaker() as session:
        told = (await session.execute(text(
            "SELECT kind, text, link, network_id FROM notices WHERE user_id = :u ORDER BY id"), {"u": user_id})).all()
        mailed = (await session.execute(text(
            "SELECT subject, body, network_id FROM outbox WHERE recipient_id = :u ORDER BY id"), {"u": user_id})).all()
    return list(told), list(mailed)


async def _counts(committed_sessionmaker) -> tuple[int, int]:
    async with committed_sessionmaker() as session:
        row = (await session.execute(text("SELECT (SELECT count(*) FROM notices), (SELECT count(*) FROM outbox)"))).one()
    return row[0], row[1]


def test_the_database_knows_the_kinds_and_their_mail_category():
    """``mn_tell_owner_yard_heads`` takes these kinds and reads the ``booking`` mail preference."""
    assert {category_of(f"booking_{kind}") for kind in notices.OWNER_KINDS} == {"booking"}
    with pytest.raises(ValueError):
        notices.owner_params("approved", booking_id=1, item_name="x", farmer_name="y", start=datetime.now(UTC),
                             end=datetime.now(UTC), estimated_cents=None, note=None, now=datetime.now(UTC),
                             settings=Settings())


async def test_a_partner_farmers_request_tells_the_owning_yard_heads(networks, app_client, committed_sessionmaker):
    await _agree(committed_sessionmaker, networks)
    world_a: World = networks["A"]
    world_b: World = networks["B"]
    farmer_b = await _login(app_client, world_b.farmer.user.email)
    before_b = await _told(committed_sessionmaker, world_b.yard_north.id)
    r = await app_client.post("/api/v1/bookings", headers=farmer_b,
                              json={"item_id": networks["item"], **_period(10), "note": "Hecke am Feldweg"})
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]

    told, mailed = await _told(committed_sessionmaker, world_a.yard_north.id)
    assert [(t.kind, t.link, t.network_id) for t in told] == [
        ("booking_requested", f"/manage/bookings/{booking_id}", networks["a"])]
    assert "Franz Bauer" in told[0].text and "Mulcher" in told[0].text
    assert len(mailed) == 1, "the yard head wants booking mail (the default)"
    subject, body, network_id = mailed[0]
    assert network_id == networks["a"], "the mail is the recipient's network's, not the partner's"
    assert subject.startswith("Neue Buchungsanfrage: Mulcher")
    assert "Guten Tag Yannick Nord," in body and "Franz Bauer fragt an" in body and "Hecke am Feldweg" in body
    assert f"/manage/bookings/{booking_id}" in body
    # The yard head who wants the page only: the notice, no mail.
    told, mailed = await _told(committed_sessionmaker, networks["page_only"].id)
    assert [t.kind for t in told] == ["booking_requested"] and mailed == []
    # Another municipality's yard head, and the farmer's own network's yard heads: nothing.
    assert (await _told(committed_sessionmaker, world_a.yard_south.id)) == ([], [])
    assert (await _told(committed_sessionmaker, world_b.yard_north.id)) == before_b
    # The yard head finds it in his list (his own network, as the application's role).
    yard_a = await _login(app_client, world_a.yard_north.user.email)
    r = await app_client.get("/api/v1/me/notices", headers=yard_a)
    assert [(n["kind"], n["read"]) for n in r.json()][:1] == [("booking_requested", False)], r.text
    # The partner network holds none of it: its transaction sees no notice or mail to A's yard heads.
    async with committed_sessionmaker() as session:
        in_b = await session.scalar(text(
            "SELECT count(*) FROM outbox WHERE network_id = :b AND recipient_email = :e"),
            {"b": networks["b"], "e": world_a.yard_north.user.email})
    assert in_b == 0

    # The decision travels back to the farmer: the notice in his network, and his mail.
    r = await app_client.post(f"/api/v1/bookings/{booking_id}/approve", headers=yard_a)
    assert r.status_code == 200, r.text
    told, mailed = await _told(committed_sessionmaker, world_b.farmer.id)
    assert [(t.kind, t.network_id) for t in told][-1:] == [("booking_approved", networks["b"])]
    assert "Mulcher" in mailed[-1].body and "Franz Bauer" in mailed[-1].body
    r = await app_client.get("/api/v1/me/notices", headers=farmer_b)
    assert [n["kind"] for n in r.json()][:1] == ["booking_approved"], r.text


async def test_a_rejection_and_a_cancellation_cross_too(networks, app_client, committed_sessionmaker):
    await _agree(committed_sessionmaker, networks)
    world_a: World = networks["A"]
    world_b: World = networks["B"]
    farmer_b = await _login(app_client, world_b.farmer.user.email)
    yard_a = await _login(app_client, world_a.yard_north.user.email)
    first = await app_client.post("/api/v1/bookings", headers=farmer_b, json={"item_id": networks["item"], **_period(11)})
    second = await app_client.post("/api/v1/bookings", headers=farmer_b, json={"item_id": networks["item"], **_period(12)})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    r = await app_client.post(f"/api/v1/bookings/{first.json()['id']}/reject", headers=yard_a,
                              json={"reason": "Gerät in Reparatur"})
    assert r.status_code == 200, r.text
    told, mailed = await _told(committed_sessionmaker, world_b.farmer.id)
    assert told[-1].kind == "booking_rejected" and "Gerät in Reparatur" in told[-1].text
    assert "Gerät in Reparatur" in mailed[-1].body
    # The farmer cancels the other request: the owning yard heads are told, once each.
    booking_id = second.json()["id"]
    r = await app_client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=farmer_b)
    assert r.status_code == 200, r.text
    told, mailed = await _told(committed_sessionmaker, world_a.yard_north.id)
    assert [t.kind for t in told] == ["booking_requested", "booking_requested", "booking_cancelled"]
    assert told[-1].link == f"/manage/bookings/{booking_id}" and "Franz Bauer" in told[-1].text
    assert mailed[-1].subject.startswith("Buchung storniert: Mulcher") and "Guten Tag Yannick Nord," in mailed[-1].body
    told, mailed = await _told(committed_sessionmaker, networks["page_only"].id)
    assert [t.kind for t in told][-1] == "booking_cancelled" and mailed == []
    told, _ = await _told(committed_sessionmaker, world_b.farmer.id)
    assert told[-1].kind == "booking_cancelled", "the farmer's own notice, as within one network"


@pytest.mark.parametrize("state, shared", [(None, True), ("proposed", True), ("revoked", True), ("active", False)])
async def test_without_an_active_agreement_for_a_shared_item_nothing_crosses(
    networks, app_client, committed_sessionmaker, state, shared
):
    if state is not None:
        await _agree(committed_sessionmaker, networks, state=state, shared=shared)
    farmer_b = await _login(app_client, networks["B"].farmer.user.email)
    before = await _counts(committed_sessionmaker)
    r = await app_client.post("/api/v1/bookings", headers=farmer_b, json={"item_id": networks["item"], **_period(10)})
    assert r.status_code == 404, r.text
    assert await _counts(committed_sessionmaker) == before


async def _call(conn, network: int | None, booking_id: int, kind: str = "booking_requested") -> int:
    await conn.execute(text("SELECT set_config('mn.network_id', :n, false)"),
                       {"n": "" if network is None else str(network)})
    params = notices.owner_params(
        "requested", booking_id=booking_id, item_name="Mulcher", farmer_name="Franz Bauer", start=datetime.now(UTC),
        end=datetime.now(UTC) + timedelta(hours=1), estimated_cents=None, note=None, now=datetime.now(UTC),
        settings=Settings())
    params["kind"] = kind  # also kinds the application never asks for
    statement = owner_notice()
    raw = await conn.get_raw_connection()
    return int(await statement.fetchval(raw.driver_connection, params))


async def _booking(session, item_id: int, farmer_id: int, days: int, status: str = "requested") -> int:
    start = datetime.now(UTC) + timedelta(days=20 + days)
    return int(await session.scalar(text(
        "INSERT INTO bookings (item_id, farmer_id, start_at, end_at, with_operator, status) "
        "VALUES (:i, :f, :s, :e, false, :st) RETURNING id"),
        {"i": item_id, "f": farmer_id, "s": start, "e": start + timedelta(hours=1), "st": status}))


async def test_the_function_tells_nothing_of_another_network(networks, app_engine, committed_sessionmaker):
    """Called directly as the application's role, the function writes only for a request of the
    transaction's farmer on a shared item under an active agreement, once, and answers a count."""
    a, b, world_a, world_b = networks["a"], networks["b"], networks["A"], networks["B"]
    async with committed_sessionmaker() as session:  # as the owner, past the application's checks
        not_shared = await _booking(session, networks["item"], world_b.farmer.id, 0)
        own_item = await _booking(session, world_b.extra["i"], world_b.farmer.id, 1)
        a_farmer = await _booking(session, networks["item"], world_a.farmer.id, 2)
        await session.commit()
    before = await _counts(committed_sessionmaker)
    async with app_engine.connect() as conn:
        assert await conn.scalar(text("SELECT current_user")) == "mn_app"
        assert await _call(conn, b, not_shared) == 0, "the item is not shared"
    await _agree(committed_sessionmaker, networks, state="proposed")
    async with app_engine.connect() as conn:
        assert await _call(conn, b, not_shared) == 0, "the agreement is not confirmed"
    async with committed_sessionmaker() as session:
        await session.execute(text("UPDATE network_agreements SET state = 'active'"))
        across = await _booking(session, networks["item"], world_b.farmer.id, 3)
        approved = await _booking(session, networks["item"], world_b.farmer.id, 4, status="approved")
        await session.commit()
    async with app_engine.connect() as conn:
        assert await _call(conn, b, own_item) == 0, "an item of the farmer's own network"
        assert await _call(conn, b, a_farmer) == 0, "a booking of the other network's farmer"
        assert await _call(conn, a, across) == 0, "the owning network is not the farmer's"
        assert await _call(conn, None, across) == 0, "no network set"
        assert await _call(conn, b, 2_000_000_000) == 0, "no such booking"
        assert await _call(conn, b, approved) == 0, "not a request"
        assert await _call(conn, b, across, "booking_cancelled") == 0, "not cancelled"
        assert await _call(conn, b, across, "booking_approved") == 0, "a kind it does not tell"
        assert await _counts(committed_sessionmaker) == before
        # The one case it is for: both yard heads of the item's municipality, the mail to one; once.
        assert await _call(conn, b, across) == 2
        assert await _call(conn, b, across) == 0, "told already"
        # Nothing of A came back into B's transaction: it still sees no user, notice or mail of A.
        for table in ("users", "notices", "outbox"):
            assert await conn.scalar(text(f"SELECT count(*) FROM {table} WHERE network_id = :a"), {"a": a}) == 0
        await conn.commit()
    notices_now, outbox_now = await _counts(committed_sessionmaker)
    assert (notices_now, outbox_now) == (before[0] + 2, before[1] + 1)


async def test_the_function_is_narrow_by_construction(app_engine):
    async with app_engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) AS owner, "
            "has_function_privilege('mn_app', p.oid, 'EXECUTE') AS app, "
            "coalesce(array_to_string(p.proacl, ','), '') AS acl "
            "FROM pg_proc p WHERE p.proname = 'mn_tell_owner_yard_heads'"))).one()
    assert row.prosecdef and row.proconfig == ["search_path=pg_catalog, public"]
    assert row.owner != "mn_app" and row.app
    assert not any(entry.startswith("=") for entry in row.acl.split(",")), f"PUBLIC may execute it: {row.acl}"


async def test_a_network_tells_a_partner_farmer_of_its_booking_once(networks, app_engine, committed_sessionmaker):
    """``tell`` and ``tell_many`` from the owning network (reminders, rejections, statements): the
    farmer's notice is his network's row, which the writing network may write but not read."""
    await _agree(committed_sessionmaker, networks)
    a, b, world_a, world_b = networks["a"], networks["b"], networks["A"], networks["B"]
    async with committed_sessionmaker() as session:
        await _booking(session, networks["item"], world_b.farmer.id, 0)
        await session.commit()
    params = {"item": "Mulcher", "period": "morgen"}
    async with async_sessionmaker(app_engine, expire_on_commit=False)() as session:
        await use_network(session, a)
        partner = await session.get(User, world_b.farmer.id)
        own = await session.get(User, world_a.farmer.id)
        assert partner is not None and own is not None and partner.network_id == b
        told = await tell(session, partner, "booking_reminder", "notice.booking_reminder", params,
                          mail=Mail("Erinnerung", "Morgen"), dedupe_key="reminder:x")
        assert told is not None and told.mailed
        assert await tell(session, partner, "booking_reminder", "notice.booking_reminder", params,
                          dedupe_key="reminder:x") is None, "told already"
        tidings = [Tidings(partner, params, dedupe_key="digest:1", mail=Mail("Woche", "Text")),
                   Tidings(own, params, dedupe_key="digest:1")]
        assert await tell_many(session, "booking_reminder", "notice.booking_reminder", tidings) == 2
        assert await tell_many(session, "booking_reminder", "notice.booking_reminder", tidings) == 0
        await session.commit()
    async with committed_sessionmaker() as session:
        rows = (await session.execute(text(
            "SELECT id, network_id, dedupe_key FROM notices WHERE user_id = :u AND dedupe_key IS NOT NULL "
            "ORDER BY id"), {"u": world_b.farmer.id})).all()
        mails = (await session.execute(text(
            "SELECT subject, network_id FROM outbox WHERE recipient_id = :u ORDER BY id"),
            {"u": world_b.farmer.id})).all()
    assert [tuple(r) for r in rows] == [(told.notice_id, b, "reminder:x"), (rows[1].id, b, "digest:1")]
    assert [tuple(m) for m in mails][-2:] == [("Erinnerung", a), ("Woche", a)], "the writing network's mail"
