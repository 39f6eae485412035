"""Tables of the notifications domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, network_col, ts


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int | None = fk("users.id", nullable=True)
    recipient_email: str = Field(max_length=254)
    subject: str = Field(max_length=500)
    body: str
    created_at: datetime = created_at()
    sent_at: datetime | None = ts(nullable=True)
    attempts: int = 0
    next_attempt_at: datetime | None = ts(nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)


class Notice(SQLModel, table=True):
    """An event told to a user on the page (migration 0022): newest first in his list until read.
    ``text`` is the German text of ``key`` with ``params``; ``dedupe_key`` tells an event once per user."""

    __tablename__ = "notices"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    user_id: int = fk("users.id", index=False, ondelete="CASCADE")
    network_id: int | None = network_col()
    kind: str = Field(max_length=40)
    key: str = Field(max_length=100)
    params: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=sql_text("'{}'::jsonb")))
    text: str = Field(max_length=4000)
    link: str | None = Field(default=None, max_length=500)
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at()
    read_at: datetime | None = ts(nullable=True)
