"""Idempotency keys: a client's retry of a care report, a machine hand-over or a return never posts twice.

A request may carry a key the client made for it: the ``Idempotency-Key`` header (JSON API) or the form
field ``idempotency_key`` (the phone pages fill it with a UUID made in the browser, and a report queued
without a connection is sent again with it). The first request with a key claims it (a row of
``idempotency_keys``, migration 0028) in its own transaction before its work and records what the work
created; a retry with the same key and the same content gets that record back instead of creating a
second one. The same key with other content is refused (422): the client reused a key by mistake.

Because the claim is part of the request's transaction, a refused request (bad input, a conflict) rolls
its claim back and the key may be sent again, corrected. Two requests with the same key at the same
moment: the second one's claim waits at the unique index until the first ends, then replays its record
(first committed) or goes ahead itself (first rolled back).

Keys belong to one user in one network; nothing is shared across users, so a key guessed or copied from
another user's request names nothing of his.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from machinery_network._sa import created_at, fk, network_col
from machinery_network.auth import Actor
from machinery_network.errors import Conflict, Invalid

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 200
# Visible ASCII without blanks: a UUID, a ULID or any token a client makes; never control characters.
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")


class IdempotencyKey(SQLModel, table=True):
    """A key a user sent with a request that creates something: what it was for (``scope``, the
    ``fingerprint`` of the content) and what it created (``resource_id``)."""

    __tablename__ = "idempotency_keys"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    network_id: int | None = network_col()
    user_id: int = fk("users.id", index=False, ondelete="CASCADE")
    key: str = Field(max_length=MAX_KEY_LENGTH)
    scope: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)
    resource_id: int | None = None
    created_at: datetime = created_at()


def checked_key(value: str | None) -> str | None:
    """The key as sent (blanks around it dropped); None when none was sent; else refused with 422."""
    if value is None or not value.strip():
        return None
    key = value.strip()
    if not _KEY.fullmatch(key):
        raise Invalid("idempotency.key_invalid", field=FORM_FIELD, max=MAX_KEY_LENGTH)
    return key


def request_key(header: str | None, field: str | None = None) -> str | None:
    """The key of a request from its header or its form field; both given must agree (else 422)."""
    from_header, from_field = checked_key(header), checked_key(field)
    if from_header is not None and from_field is not None and from_header != from_field:
        raise Invalid("idempotency.key_twice", field=FORM_FIELD)
    return from_header or from_field


def fingerprint(scope: str, data: BaseModel | dict[str, Any], files: Sequence[bytes | None] = ()) -> str:
    """SHA-256 of what a request asks for: its scope, its validated input (canonical JSON) and the
    SHA-256 of each file it carries, in order. The same form sent again gives the same fingerprint."""
    values = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    digest = hashlib.sha256()
    digest.update(json.dumps({"scope": scope, "data": values}, sort_keys=True, default=str,
                             separators=(",", ":")).encode())
    for content in files:
        digest.update(b"\x00" + (hashlib.sha256(content).digest() if content is not None else b"-"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """The outcome of ``claim``: ``first_id`` is what the first request with the key created (answer it
    again); else ``row_id`` is this request's claim, to ``record`` once the work is done."""

    key: str
    row_id: int | None = None
    first_id: int | None = None


async def claim(session: AsyncSession, actor: Actor, key: str, scope: str, print_: str) -> Claim:
    """Claim ``key`` for this request (a row in its transaction), or find the first request's record.

    Refused with 422 when the key was used for another scope or other content."""
    claimed = await session.scalar(
        insert(IdempotencyKey)
        .values(user_id=actor.id, key=key, scope=scope, fingerprint=print_)
        .on_conflict_do_nothing(index_elements=["network_id", "user_id", "key"])
        .returning(col(IdempotencyKey.id))
    )
    if claimed is not None:
        return Claim(key, row_id=int(claimed))
    first = (await session.execute(
        select(col(IdempotencyKey.scope), col(IdempotencyKey.fingerprint), col(IdempotencyKey.resource_id))
        .where(col(IdempotencyKey.user_id) == actor.id, col(IdempotencyKey.key) == key)
    )).one()
    if first.scope != scope or first.fingerprint != print_:
        raise Invalid("idempotency.mismatch", field=FORM_FIELD)
    if first.resource_id is None:  # committed without a record: never by this module's callers
        raise Conflict("idempotency.unfinished", field=FORM_FIELD)
    return Claim(key, first_id=int(first.resource_id))


async def record(session: AsyncSession, claimed: Claim, resource_id: int) -> None:
    """What the request that claimed the key created (in the same transaction as the claim)."""
    if claimed.row_id is None:
        raise ValueError("record() needs a claim of this request, not a replay")
    await session.execute(
        update(IdempotencyKey).where(col(IdempotencyKey.id) == claimed.row_id).values(resource_id=resource_id))
