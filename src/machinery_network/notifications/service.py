"""The outbox: notifications are written as rows in the same transaction as the change they report.

Delivery (``notifications.sender``) happens later, outside any request, so a slow or broken mail
server never blocks or fails a decision, and a message is never lost: it stays in the table until
it was sent.

This module knows no domain. A domain keeps its mail texts as Jinja templates (a ``subject`` and a
``body`` block each) and renders them with ``MailTemplates``; it writes the outbox rows either one by
one (``enqueue``) or, on a hot path, with one INSERT … SELECT over the recipients in which the
per-recipient fields (the recipient's name, …) are filled in by the database: ``render_split`` renders
the template with markers in place of those fields and cuts the text into bound parameters
``<part>_0``, ``<part>_1``, …, and ``sql_text`` joins them with the fields' column expressions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, nodes
from sqlalchemy import ColumnElement, String, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import SQLCoreOperations

from machinery_network import clock
from machinery_network._sa import table_of
from machinery_network.accounts.models import User
from machinery_network.notifications.models import OutboxMessage

OUTBOX_COLUMNS = ("recipient_id", "recipient_email", "subject", "body", "attempts", "created_at")
SUBJECT_LENGTH = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CONTROL_BUT_NUL = re.compile(r"[\x01-\x1f\x7f]+")


def format_period(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'24.11.2026 08:00 – 12:00' or '24.11.2026 08:00 – 25.11.2026 12:00', in the network's zone."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    if s.date() == e.date():
        return f"{s:%d.%m.%Y %H:%M} – {e:%H:%M}"
    return f"{s:%d.%m.%Y %H:%M} – {e:%d.%m.%Y %H:%M}"


def one_line(text: str) -> str:
    """A mail subject: control characters (line breaks included) become one blank."""
    return _CONTROL.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Mail:
    subject: str
    body: str


class MailTemplates:
    """The mail templates of one package's ``mail/`` folder (``<name>.txt``, with the blocks
    ``subject`` and ``body``), plain text: nothing is HTML-escaped."""

    def __init__(self, package: str) -> None:
        self._loader = PackageLoader(package, "mail")
        self._env = Environment(
            loader=self._loader, autoescape=False, undefined=StrictUndefined,
            keep_trailing_newline=True, trim_blocks=True, auto_reload=False,
        )
        self._env.globals.clear()  # mail texts need none of range, lipsum, …; each render copies them
        self._templates: dict[str, Template] = {}
        self._splitters: dict[tuple[str, ...], re.Pattern[str]] = {}

    def _template(self, name: str) -> Template:
        """Loaded once per process (no file check per message: a changed text takes a restart)."""
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self._env.get_template(f"{name}.txt")
        return template

    def render(self, name: str, params: dict[str, Any]) -> Mail:
        template = self._template(name)
        context = template.new_context(params)
        subject = "".join(template.blocks["subject"](context))
        body = "".join(template.blocks["body"](context))
        return Mail(subject=one_line(subject), body=body.lstrip("\n"))

    def render_split(self, name: str, params: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
        """The template rendered with markers for ``fields`` and cut at them: the parameters
        ``subject_<n>`` and ``body_<n>`` of ``sql_text``. The fields must not sit inside a condition
        (their order is read once from the template, ``field_order``)."""
        markers = {field: f"\x00{field}\x00" for field in fields}
        template = self._template(name)
        context = template.new_context({**params, **markers})
        splitter = self._splitters.get(fields)
        if splitter is None:
            splitter = self._splitters[fields] = re.compile("\x00(?:" + "|".join(fields) + ")\x00")
        values: dict[str, str] = {}
        for part in ("subject", "body"):
            text = "".join(template.blocks[part](context))
            # the subject on one line (the markers, NUL, kept)
            text = text.lstrip("\n") if part == "body" else _CONTROL_BUT_NUL.sub(" ", text).strip()
            for index, piece in enumerate(splitter.split(text)):
                values[f"{part}_{index}"] = piece
        return values

    def field_order(self, name: str, part: str, fields: tuple[str, ...]) -> list[str]:
        """The per-recipient fields in the order they occur in the template's ``part`` block."""
        source, _, _ = self._loader.get_source(self._env, f"{name}.txt")
        tree = self._env.parse(source)
        block = next(b for b in tree.find_all(nodes.Block) if b.name == part)
        return [node.name for node in block.find_all(nodes.Name) if node.name in fields]


def sql_text(part: str, order: list[str], columns: Mapping[str, SQLCoreOperations[str]]) -> ColumnElement[str]:
    """``<part>_0 || column || <part>_1 || …``: a rendered text with per-recipient columns, in the
    order ``MailTemplates.field_order`` found them."""
    expression: ColumnElement[str] = bindparam(f"{part}_0", type_=String)
    for index, field in enumerate(order, start=1):
        expression = expression + columns[field] + bindparam(f"{part}_{index}", type_=String)
    return expression


def _outbox_fields(recipient: User, mail: Mail, now: datetime) -> dict[str, Any]:
    """The columns of one outbox row, for ``enqueue`` and ``enqueue_many`` alike."""
    return {"recipient_id": recipient.id, "recipient_email": recipient.email,
            "subject": mail.subject[:SUBJECT_LENGTH], "body": mail.body, "attempts": 0, "created_at": now}


async def enqueue_many(session: AsyncSession, messages: list[tuple[User, Mail]], *, batch: int = 1000) -> None:
    """``enqueue`` for thousands (a settlement's statements): one INSERT per ``batch`` messages instead of
    an ORM object each. For recipients of the session's own network (the tenant trigger names it)."""
    now = clock.now()
    stmt = insert(table_of(OutboxMessage))  # Core rows as one executemany: no ORM objects
    for start in range(0, len(messages), batch):
        await session.execute(stmt, [_outbox_fields(recipient, mail, now) for recipient, mail in
                                     messages[start:start + batch]])


def enqueue(session: AsyncSession, *, recipient: User, mail: Mail) -> OutboxMessage:
    """One message to one user (for callers that already hold the user)."""
    message = OutboxMessage(**_outbox_fields(recipient, mail, clock.now()))
    session.add(message)
    return message
