"""Who is logged in, and ending it: bearer tokens (issued, looked up through a short cache, revoked),
session cookies (an epoch on the user) and ``end_access``, which ends both at once.

Ending access means three things at once: the session epoch is incremented (HTML cookies), the bearer
tokens are deleted (API) and this process's token cache is emptied; other processes keep a cached token
for at most ``TokenCache.seconds`` (10 s).
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import ApiToken, User
from machinery_network.accounts.profile import me
from machinery_network.accounts.security import new_token, token_digest
from machinery_network.auth import Actor
from machinery_network.db import DriverStatement, driver, network_of, use_network
from machinery_network.errors import NotFound

TOKEN_LIFETIME = timedelta(days=30)


def actor_of(user: User) -> Actor:
    return Actor(
        id=user.id, role=user.role, municipality_id=user.municipality_id, name=user.name, email=user.email,
        network_id=user.network_id,
    )


async def issue_token(session: AsyncSession, user: User, label: str | None = None) -> str:
    assert user.id is not None
    token = new_token()
    session.add(ApiToken(
        user_id=user.id, token_hash=token_digest(token), expires_at=datetime.now(UTC) + TOKEN_LIFETIME,
        label=label[:200] if label else None,
    ))
    await session.flush()
    return token


@functools.cache
def _token_statement() -> DriverStatement:
    """The token's user, found before his network is known: a SECURITY DEFINER function (0018_network_rls)."""
    return DriverStatement(sql="SELECT * FROM mn_token_actor($1)", names=("digest",), defaults={}, processors={})


class TokenCache:
    """The actors of recently used bearer tokens, kept for ``seconds`` at most and never past the
    token's expiry, so that a busy client costs one token lookup in a while, not one per request.

    Logout, revocation and deactivation delete the token rows and ``clear`` this process's cache; a
    process that has just seen the token keeps serving it for at most ``seconds`` (10 s).
    """

    def __init__(self, seconds: float = 10.0, size: int = 10_000) -> None:
        self.seconds, self.size = seconds, size
        self._entries: dict[str, tuple[Actor, float]] = {}

    def get(self, digest: str) -> Actor | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            self._entries.pop(digest, None)
            return None
        return entry[0]

    def put(self, digest: str, actor: Actor, expires_at: datetime) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare (more distinct tokens than size in ``seconds``) and cheap
        remaining = (expires_at - datetime.now(UTC)).total_seconds()
        self._entries[digest] = (actor, time.monotonic() + min(self.seconds, remaining))

    def clear(self) -> None:
        self._entries.clear()


token_cache = TokenCache()


async def actor_from_token(session: AsyncSession, token: str) -> Actor | None:
    """The active user behind an unexpired bearer token. Runs on every API request: from the
    ``token_cache``, else one prepared statement through the driver, outside any transaction."""
    digest = token_digest(token)
    actor = token_cache.get(digest)
    if actor is not None:
        return actor
    return await _token_actor(await driver(session, begin=False), digest)


async def actor_from_token_on(conn: asyncpg.Connection, token: str) -> Actor | None:
    """``actor_from_token`` on a driver connection of no session (``api.lane``), before its transaction."""
    digest = token_digest(token)
    actor = token_cache.get(digest)
    if actor is not None:
        return actor
    return await _token_actor(conn, digest)


async def _token_actor(conn: asyncpg.Connection, digest: str) -> Actor | None:
    row = await _token_statement().fetchrow(conn, {"digest": digest})
    if row is None:
        return None
    actor = Actor(id=row["id"], role=row["role"], municipality_id=row["municipality_id"], name=row["name"],
                  email=row["email"], network_id=row["network_id"])
    token_cache.put(digest, actor, row["expires_at"])
    return actor


async def actor_from_session(session: AsyncSession, user_id: int, epoch: object) -> Actor | None:
    """The user of an HTML session cookie, if he is active and has not logged out since it was issued."""
    network_id = await network_of(session, "user", user_id)
    if network_id is None:
        return None
    await use_network(session, network_id)
    user = await session.get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return actor_of(user)


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """Logout: every session cookie issued to the user so far stops working."""
    await session.execute(
        update(User).where(col(User.id) == user_id).values(session_epoch=col(User.session_epoch) + 1)
    )


async def end_access(session: AsyncSession, user_id: int, *, keep_token: str | None = None) -> None:
    """Every session cookie and bearer token of the user stops working (``keep_token``: but this one)."""
    await session.execute(update(User).where(col(User.id) == user_id).values(session_epoch=col(User.session_epoch) + 1))
    stmt = delete(ApiToken).where(col(ApiToken.user_id) == user_id)
    if keep_token is not None:
        stmt = stmt.where(col(ApiToken.token_hash) != token_digest(keep_token))
    await session.execute(stmt)
    token_cache.clear()


async def revoke_token(session: AsyncSession, token: str) -> None:
    """Logout of a bearer token: it stops working at once in this process (and within the token
    cache's 10 seconds in any other)."""
    digest = token_digest(token)
    await session.execute(delete(ApiToken).where(col(ApiToken.token_hash) == digest))
    token_cache.clear()


async def list_tokens(session: AsyncSession, actor: Actor) -> list[ApiToken]:
    user = await me(session, actor)
    return list(await session.scalars(
        select(ApiToken).where(col(ApiToken.user_id) == user.id, col(ApiToken.expires_at) > func.now())
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    ))


async def revoke_own_token(session: AsyncSession, actor: Actor, token_id: int) -> None:
    user = await me(session, actor)
    deleted = await session.scalar(
        delete(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == user.id)
        .returning(col(ApiToken.id))
    )
    if deleted is None:
        raise NotFound("token.not_found", id=token_id)
    token_cache.clear()
