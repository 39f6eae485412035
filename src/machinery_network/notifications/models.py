"""Tables of the notifications domain."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, ts


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
