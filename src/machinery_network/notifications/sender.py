"""Delivery of the outbox by SMTP (``MN_SMTP_URL=smtp://user:pass@host:port``), outside any request.

Each round claims due rows with ``FOR UPDATE SKIP LOCKED`` and a lease (``next_attempt_at`` moved
ahead) in a short transaction, sends them without holding a transaction open, then records the
result: ``sent_at`` on success; on failure ``attempts`` + 1, ``last_error`` (the reason: the message
is marked failed) and a backed-off ``next_attempt_at``. A crash between sending and recording means
the lease expires and the message is sent again (at least once, never lost). Without ``MN_SMTP_URL``
messages simply stay in the table.

Each message is built and sent on its own: one that cannot be built (a recipient address with a line
break) or that the server refuses is marked failed and the rest of the batch is still sent. Only when
the server cannot be reached at all does the round stop early. Subjects go out as one line without
control characters (``text.one_line``), whatever the stored text holds.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from machinery_network import clock
from machinery_network.config import Settings
from machinery_network.db import for_network, network_ids
from machinery_network.notifications.models import OutboxMessage
from machinery_network.text import one_line

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(minutes=5)
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT = 20


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str  # "none" | "starttls" | "ssl"


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://user:pass@host:port (plain; STARTTLS when the server offers it), smtps://… (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise ValueError(f"unsupported MN_SMTP_URL: {parts.scheme}://…")
    tls = {"smtp": "none", "smtps": "ssl", "smtp+starttls": "starttls"}[parts.scheme]
    port = parts.port or (465 if tls == "ssl" else 25)
    return SmtpTarget(
        host=parts.hostname, port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(BASE_BACKOFF * factor, MAX_BACKOFF)


def _reason(exc: BaseException) -> str:
    return one_line(f"{type(exc).__name__}: {exc}", 2000)


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    if target.tls == "ssl":
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
    try:
        smtp.ehlo()
        if target.tls == "starttls" or (target.tls == "none" and smtp.has_extn("starttls") and target.user):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if target.user:
            smtp.login(target.user, target.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@dataclass
class SendResult:
    errors: list[str | None]  # per message: None (sent) or the reason it was not
    reachable: bool  # False: the server could not be reached (the round stops, the rest waits)


def _send_blocking(target: SmtpTarget, sender: str, messages: list[EmailMessage | str]) -> SendResult:
    """Send each message on its own over one connection, opened when first needed and opened again
    after the server dropped it. A message given as a string could not be built: that is its error.
    A refused message is reset (RSET) and the next one is sent."""
    errors: list[str | None] = []
    smtp: smtplib.SMTP | None = None
    try:
        for message in messages:
            if isinstance(message, str):
                errors.append(message)
                continue
            if smtp is None:
                try:
                    smtp = _connect(target)
                except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError is an OSError
                    reason = _reason(exc)
                    errors.extend([reason] * (len(messages) - len(errors)))
                    return SendResult(errors, reachable=False)
            try:
                smtp.send_message(message, from_addr=sender)
                errors.append(None)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                errors.append(_reason(exc))
                smtp.close()
                smtp = None  # the next message opens a new connection
            except (smtplib.SMTPException, ValueError, UnicodeError) as exc:
                errors.append(_reason(exc))
                try:
                    smtp.rset()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
                    smtp = None
    finally:
        if smtp is not None:
            _close(smtp)
    return SendResult(errors, reachable=True)


def _email(row: OutboxMessage, sender: str) -> EmailMessage:
    """The mail of ``row``; raises ValueError when it cannot be a mail (an address with a line break
    is refused, not repaired: it would name another recipient)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient_email
    message["Subject"] = one_line(row.subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}")
    message.set_content(row.body)
    return message


def _build(row: OutboxMessage, sender: str) -> EmailMessage | str:
    """The mail of ``row``, or the reason it cannot be built (the row is then marked failed)."""
    try:
        return _email(row, sender)
    except (ValueError, TypeError, UnicodeError, IndexError) as exc:
        return _reason(exc)


async def _claim(session: AsyncSession) -> list[OutboxMessage]:
    now = clock.now()
    rows = list(
        await session.scalars(
            select(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None),
                   or_(col(OutboxMessage.next_attempt_at).is_(None), col(OutboxMessage.next_attempt_at) <= now))
            .order_by(col(OutboxMessage.id))
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.next_attempt_at = now + LEASE
    return rows


async def deliver_pending(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Send every due outbox message once; returns how many were sent. Never raises for SMTP trouble."""
    if not settings.smtp_url:
        return 0
    target = parse_smtp_url(settings.smtp_url)
    async with sessionmaker() as session:
        networks = await network_ids(session)
    sent = 0
    for network_id in networks:  # each network's outbox inside that network (row-level security)
        sent += await _deliver(for_network(sessionmaker, network_id), settings, target)
    return sent


async def _deliver(sessionmaker: Any, settings: Settings, target: SmtpTarget) -> int:
    sent = 0
    while True:
        async with sessionmaker() as session:
            rows = await _claim(session)
            await session.commit()
        if not rows:
            return sent
        emails = [_build(row, settings.smtp_from) for row in rows]
        result = await asyncio.to_thread(_send_blocking, target, settings.smtp_from, emails)
        async with sessionmaker() as session:
            now = clock.now()
            for row, error in zip(rows, result.errors, strict=True):
                values: dict[str, Any]
                if error is None:
                    values = {"sent_at": now, "next_attempt_at": None, "attempts": row.attempts + 1,
                              "last_error": None}
                    sent += 1
                else:
                    log.warning("outbox message %s not sent: %s", row.id, error)
                    values = {"attempts": row.attempts + 1, "last_error": error,
                              "next_attempt_at": now + backoff(row.attempts + 1)}
                await session.execute(update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values))
            await session.commit()
        if len(rows) < BATCH or not result.reachable:
            return sent  # all done, or the server is unreachable: leave the rest for the next round


def start_outbox_worker(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, interval: float = 15.0
) -> asyncio.Task[None] | None:
    """A background task delivering the outbox every ``interval`` seconds (None without MN_SMTP_URL).

    Cancel the returned task on shutdown.
    """
    if not settings.smtp_url:
        return None
    parse_smtp_url(settings.smtp_url)  # fail fast on a malformed URL

    async def loop() -> None:
        while True:
            try:
                await deliver_pending(sessionmaker, settings)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be down; try again next round
                log.exception("outbox delivery round failed")
            await asyncio.sleep(interval)

    return asyncio.create_task(loop(), name="outbox-worker")
