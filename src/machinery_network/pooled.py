"""One transaction on a pooled connection, without an ORM session: what ``api.lane`` serves a booking
request on. The session and SQLAlchemy's connection around a connection cost more CPU than the
request's own statements (figures in docs/operations.md, "Booking throughput").
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from machinery_network.db import SET_NETWORK, begin_in_network, begin_on_adapter


class PooledTransaction:
    """One transaction on a connection of ``engine``'s pool, sent through the driver alone: no ORM
    session and no SQLAlchemy connection around it, which cost more CPU than a booking request's own
    statements (``api.lane``; figures in docs/operations.md, "Booking throughput").

    ``connect`` checks a connection out as a session would (waiting up to the pool's timeout);
    statements before ``begin`` run each in its own transaction; ``begin`` opens the transaction inside
    a network (``use_network``'s one round trip); ``commit`` commits it; ``close`` always returns the
    connection, and the pool rolls back a transaction left open on the way (the adapter knows of it).
    A connection whose commit failed is discarded, not reused.
    """

    __slots__ = ("_engine", "_fairy")

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._fairy: PoolProxiedConnection | None = None

    async def connect(self) -> asyncpg.Connection:
        self._fairy = await self._engine.raw_connection()
        return self._fairy.driver_connection

    def _checked_out(self) -> PoolProxiedConnection:
        if self._fairy is None:
            raise RuntimeError("PooledTransaction: not connected")
        return self._fairy

    async def begin(self, network_id: int) -> None:
        fairy = self._checked_out()
        adapted: Any = fairy.dbapi_connection
        conn: asyncpg.Connection = fairy.driver_connection
        value = str(int(network_id))
        if not await begin_in_network(adapted, conn, value):
            await begin_on_adapter(adapted)
            await conn.execute(SET_NETWORK, value)

    async def commit(self) -> None:
        fairy = self._checked_out()
        adapted: Any = fairy.dbapi_connection
        transaction = adapted._transaction
        if transaction is None:
            raise RuntimeError("PooledTransaction: commit without begin")
        try:
            await transaction.commit()
        except BaseException as exc:
            await greenlet_spawn(fairy.invalidate, exc)  # its state is unknown: never reused
            raise
        finally:
            adapted._transaction = None

    async def close(self) -> None:
        if self._fairy is not None:
            fairy, self._fairy = self._fairy, None
            await greenlet_spawn(fairy.close)
