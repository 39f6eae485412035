"""Notifications: outbox rows in the decision's transaction; delivery by SMTP to a local aiosmtpd
server started by the test, including a failed send retried later and a server that is down."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import delete, select

from machinery_network.bookings import service
from machinery_network.bookings.schemas import BookingCreate
from machinery_network.config import Settings
from machinery_network.notifications.models import OutboxMessage
from machinery_network.notifications.sender import backoff, deliver_pending, parse_smtp_url
from tests.test_bookings import make_item

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


class Inbox:
    """aiosmtpd handler: collects messages; answers 451 while ``failures`` > 0."""

    def __init__(self) -> None:
        self.messages: list = []
        self.failures = 0

    async def handle_DATA(self, server, session, envelope):
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 mailbox busy, try later"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bauhof", b"geheim")
        return AuthResult(success=ok)

    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_settings(tmp_path, url: str | None) -> Settings:
    return Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_SMTP_URL=url, MN_SMTP_FROM="bauhof@example.org")


async def approved_booking(db_session, world, settings):
    item = await make_item(db_session, world)
    booking = await service.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=NOW + timedelta(days=3), end=NOW + timedelta(days=3, hours=4)),
        settings,
    )
    await forget_request_notices(db_session)
    await service.approve(db_session, world.yard_north.actor, booking.id, settings)
    await db_session.commit()
    return booking


async def forget_request_notices(db_session) -> None:
    """These tests follow one message; the request's own notice is tested on its own below."""
    await db_session.execute(delete(OutboxMessage))


async def outbox(db_session) -> list[OutboxMessage]:
    return list(await db_session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id).execution_options(populate_existing=True)
    ))


async def test_approval_is_sent_by_smtp(db_session, sessionmaker, world, settings, smtp_server, frozen, tmp_path):
    inbox, port = smtp_server
    await approved_booking(db_session, world, settings)
    smtp = smtp_settings(tmp_path, f"smtp://bauhof:geheim@127.0.0.1:{port}")
    assert await deliver_pending(sessionmaker, smtp) == 1
    [(recipients, message)] = inbox.messages
    assert recipients == [world.farmer.user.email]
    assert str(make_header(decode_header(message["Subject"]))).startswith("Buchung genehmigt: Gerät hour")
    assert "228,48 €" in message.get_payload(decode=True).decode()
    [row] = await outbox(db_session)
    assert row.sent_at == NOW and row.attempts == 1 and row.last_error is None
    assert await deliver_pending(sessionmaker, smtp) == 0  # nothing is sent twice
    assert len(inbox.messages) == 1


async def test_failed_send_is_retried_later(db_session, sessionmaker, world, settings, smtp_server, frozen, tmp_path):
    inbox, port = smtp_server
    inbox.failures = 1
    await approved_booking(db_session, world, settings)
    smtp = smtp_settings(tmp_path, f"smtp://bauhof:geheim@127.0.0.1:{port}")
    assert await deliver_pending(sessionmaker, smtp) == 0
    [row] = await outbox(db_session)
    assert row.sent_at is None and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at == NOW + backoff(1) == NOW + timedelta(seconds=30)
    # Not due yet: nothing happens.
    assert await deliver_pending(sessionmaker, smtp) == 0
    assert inbox.messages == []
    frozen.move(NOW + timedelta(seconds=31))
    assert await deliver_pending(sessionmaker, smtp) == 1
    [row] = await outbox(db_session)
    assert row.sent_at == NOW + timedelta(seconds=31) and row.attempts == 2 and row.last_error is None
    assert len(inbox.messages) == 1


async def test_server_down_keeps_the_message_until_it_is_back(db_session, sessionmaker, world, settings, frozen,
                                                              smtp_server, tmp_path):
    inbox, port = smtp_server
    await approved_booking(db_session, world, settings)
    down = smtp_settings(tmp_path, f"smtp://127.0.0.1:{free_port()}")
    assert await deliver_pending(sessionmaker, down) == 0
    [row] = await outbox(db_session)
    assert row.attempts == 1 and "Connection" in row.last_error and row.sent_at is None
    # The next round, once due, tries again (and the backoff grows).
    frozen.move(NOW + timedelta(seconds=30))
    assert await deliver_pending(sessionmaker, down) == 0
    [row] = await outbox(db_session)
    assert row.attempts == 2 and row.next_attempt_at == NOW + timedelta(seconds=30) + timedelta(minutes=1)
    frozen.move(NOW + timedelta(seconds=90))
    assert await deliver_pending(sessionmaker, smtp_settings(tmp_path, f"smtp://127.0.0.1:{port}")) == 1
    assert len(inbox.messages) == 1


async def test_without_smtp_url_messages_stay_in_the_outbox(db_session, sessionmaker, world, settings, frozen):
    await approved_booking(db_session, world, settings)
    assert await deliver_pending(sessionmaker, settings) == 0
    [row] = await outbox(db_session)
    assert (row.sent_at, row.attempts) == (None, 0)


async def test_rejection_reaches_the_farmer_with_the_reason(client, db_session, world, settings, frozen):
    item = await make_item(db_session, world)
    booking = await service.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=2)),
        settings,
    )
    await forget_request_notices(db_session)
    await db_session.commit()
    r = await client.post(f"/api/v1/bookings/{booking.id}/reject", json={"reason": "Mulcher defekt"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200
    [row] = await outbox(db_session)
    assert row.recipient_email == world.farmer.user.email
    assert row.subject.startswith("Buchung abgelehnt") and "Begründung: Mulcher defekt" in row.body
    # A refused decision writes no notification.
    r = await client.post(f"/api/v1/bookings/{booking.id}/approve", headers=world.yard_north.headers)
    assert r.status_code == 409
    assert len(await outbox(db_session)) == 1


def test_smtp_url_parsing():
    target = parse_smtp_url("smtp://user%40x:p%3Ass@mail.example.org:2525")
    assert (target.host, target.port, target.user, target.password, target.tls) == (
        "mail.example.org", 2525, "user@x", "p:ss", "none")
    assert parse_smtp_url("smtps://mail.example.org").port == 465
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.org")


async def test_cancelling_a_request_tells_the_building_yard(client, db_session, world, settings, frozen):
    item = await make_item(db_session, world)
    booking = await service.request(
        db_session, world.farmer.actor,
        BookingCreate(item_id=item.id, start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=2)),
        settings,
    )
    await forget_request_notices(db_session)
    await db_session.commit()
    r = await client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200
    rows = await outbox(db_session)
    assert sorted(row.recipient_id for row in rows) == sorted([world.farmer.id, world.yard_north.id])
    assert all(row.subject.startswith("Buchung storniert") and "Franz Bauer" in row.body for row in rows)


async def test_a_request_notifies_the_yard_heads_of_the_items_municipality(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    body = {"item_id": item.id, "start": "2026-10-05T08:00:00+02:00", "end": "2026-10-05T12:00:00+02:00",
            "note": "Bitte mit Mulcher"}
    r = await client.post("/api/v1/bookings", json=body, headers=world.farmer.headers)
    assert r.status_code == 201
    [row] = await outbox(db_session)
    assert (row.recipient_id, row.recipient_email) == (world.yard_north.id, world.yard_north.user.email)
    assert row.subject == "Neue Buchungsanfrage: Gerät hour, 05.10.2026 08:00 – 12:00"
    assert row.body.startswith("Guten Tag Yannick Nord,\n\nFranz Bauer fragt an:")
    assert "Kostenschätzung: 228,48 € (brutto)" in row.body and "Bemerkung: Bitte mit Mulcher" in row.body
    assert f"/manage/bookings/{r.json()['id']}\n" in row.body
    assert (row.attempts, row.sent_at, row.created_at) == (0, None, NOW)
    # A refused request notifies nobody.
    r = await client.post("/api/v1/bookings", json={**body, "end": body["start"]}, headers=world.farmer.headers)
    assert r.status_code == 422
    assert len(await outbox(db_session)) == 1


async def test_a_served_app_delivers_the_outbox_in_the_background(committed_sessionmaker, database_url, smtp_server,
                                                                 tmp_path):
    """The application's lifespan starts the worker when MN_SMTP_URL is set; shutdown cancels it."""
    import asyncio

    from machinery_network.app import create_app

    inbox, port = smtp_server
    async with committed_sessionmaker() as session:
        session.add(OutboxMessage(recipient_email="bauer@example.org", subject="Buchung genehmigt: Test",
                                  body="Hallo", attempts=0))
        await session.commit()
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, DATABASE_URL=database_url,
                        MN_SMTP_URL=f"smtp://127.0.0.1:{port}")
    app = create_app(settings)
    async with app.lifespan():
        for _ in range(200):  # until the worker has recorded the delivery, not only sent it
            async with committed_sessionmaker() as session:
                [row] = (await session.scalars(select(OutboxMessage))).all()
            if row.sent_at is not None:
                break
            await asyncio.sleep(0.1)
    assert [rcpt for rcpt, _ in inbox.messages] == [["bauer@example.org"]]
    assert row.sent_at is not None and row.attempts == 1
