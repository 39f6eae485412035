"""The outbox as other programs read it: one failing message never stalls the rest, a failing one is
marked failed with its reason and retried with back-off, and no control character reaches a header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from machinery_network import clock
from machinery_network.config import Settings
from machinery_network.notifications.models import OutboxMessage
from machinery_network.notifications.sender import backoff, deliver_pending
from machinery_network.text import clean_lines, one_line
from tests.test_notifications import Inbox, free_port

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
REFUSED = "gesperrt@example.org"


class PickyInbox(Inbox):
    """Refuses one recipient address (550), as a real server refuses an unknown mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_server():
    inbox = PickyInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def test_one_failing_message_never_stalls_the_outbox(db_session, sessionmaker, picky_server, frozen, tmp_path):
    inbox, port = picky_server
    messages = [
        OutboxMessage(recipient_email="eins@example.org", subject="Mäher\r\nBcc: x@example.org\x1b genehmigt",
                      body="eins"),
        OutboxMessage(recipient_email="zwei@example.org\nBcc: boese@example.org", subject="zwei", body="zwei"),
        OutboxMessage(recipient_email=REFUSED, subject="drei", body="drei"),
        OutboxMessage(recipient_email="vier@example.org", subject="vier", body="vier"),
    ]
    db_session.add_all(messages)
    await db_session.flush()
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_SMTP_URL=f"smtp://127.0.0.1:{port}")

    assert await deliver_pending(sessionmaker, settings) == 2

    # The good ones went out, the header injection attempt as one harmless line.
    delivered = {tuple(recipients): message for recipients, message in inbox.messages}
    assert set(delivered) == {("eins@example.org",), ("vier@example.org",)}
    assert _subject(delivered[("eins@example.org",)]) == "Mäher Bcc: x@example.org genehmigt"
    assert delivered[("eins@example.org",)]["Bcc"] is None
    rows = {row.id: row for row in await db_session.scalars(
        select(OutboxMessage).execution_options(populate_existing=True).order_by(OutboxMessage.id))}
    first, bad_address, refused, last = (rows[m.id] for m in messages)
    assert first.sent_at == NOW and last.sent_at == NOW
    # The failing ones are marked failed with the reason, and retried with back-off.
    assert bad_address.sent_at is None and bad_address.attempts == 1
    assert "linefeed" in bad_address.last_error.lower() or "newline" in bad_address.last_error.lower()
    assert refused.sent_at is None and refused.attempts == 1 and "550" in refused.last_error
    assert bad_address.next_attempt_at == refused.next_attempt_at == NOW + backoff(1)

    # Not due yet: the next round sends nothing and touches nothing.
    assert await deliver_pending(sessionmaker, settings) == 0
    assert len(inbox.messages) == 2
    # Due again: tried again, still failing, the back-off grows; the sent ones are not sent twice.
    frozen.move(NOW + backoff(1))
    assert await deliver_pending(sessionmaker, settings) == 0
    refused = await db_session.get(OutboxMessage, refused.id, populate_existing=True)
    assert refused.attempts == 2 and refused.next_attempt_at == NOW + backoff(1) + backoff(2)
    assert backoff(2) == timedelta(minutes=1)
    assert len(inbox.messages) == 2


async def test_more_than_a_batch_with_a_failure_in_each_is_all_sent(db_session, sessionmaker, picky_server, frozen,
                                                                  tmp_path):
    from machinery_network.notifications.sender import BATCH

    inbox, port = picky_server
    rows = [OutboxMessage(recipient_email=REFUSED if i % 10 == 0 else f"p{i}@example.org", subject=f"Nr. {i}",
                          body="x") for i in range(BATCH + 20)]
    db_session.add_all(rows)
    await db_session.flush()
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_SMTP_URL=f"smtp://127.0.0.1:{port}")
    failing = sum(1 for i in range(BATCH + 20) if i % 10 == 0)
    assert await deliver_pending(sessionmaker, settings) == BATCH + 20 - failing
    assert len(inbox.messages) == BATCH + 20 - failing


def test_one_line_removes_every_control_character():
    assert one_line("Mäher\nzwei\r\n\x00\x1b[31m\u2028rot\x7f\x85 ") == "Mäher zwei [31m rot"
    assert one_line("a" * 10, 5) == "aaaa…"
    assert clean_lines("eins\r\nzwei\rdrei\x00\x1b vier\tfünf") == "eins\nzwei\ndrei vier\tfünf"


async def test_an_item_name_with_a_line_break_still_gives_its_calendar_feed(client, db_session, world, settings):
    from datetime import timedelta

    from icalendar import Calendar

    from machinery_network.bookings import calendar, service
    from machinery_network.bookings.schemas import BlockCreate
    from tests.test_bookings import make_item

    item = await make_item(db_session, world)
    item.name = "Mäher\r\nX-INJECTED:1\x1b"
    await db_session.flush()
    start = clock.now() + timedelta(days=2)
    await service.create_block(db_session, world.yard_north.actor, item.id,
                               BlockCreate(start=start, end=start + timedelta(days=1),
                                           reason="TÜV\r\nzweite Zeile\x07"), settings)
    token = await calendar.item_token(db_session, world.farmer.actor, item.id)
    await db_session.commit()

    r = await client.get(f"/calendar/items/{token}.ics")
    assert r.status_code == 200
    [event] = Calendar.from_ical(r.content).walk("VEVENT")
    assert str(event["summary"]).startswith("Mäher X-INJECTED:1 :")
    assert str(event["description"]) == "TÜV\nzweite Zeile"
    assert not any(line.startswith(b"X-INJECTED") for line in r.content.split(b"\r\n"))
