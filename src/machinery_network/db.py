"""Engine, sessions and the one place every table model is imported.

Services take an ``AsyncSession`` argument; HTTP requests get one session each (committed on success,
rolled back on error, see ``app.DbSessionMiddleware``); jobs and the CLI use ``session_scope``.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

from machinery_network.config import Settings, get_settings


def resolve_database_url(settings: Settings | None = None) -> str:
    """DATABASE_URL when set, otherwise start (or attach to) the embedded server in MN_DATA_DIR."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from machinery_network import embedded

    return embedded.start(settings.data_dir)


def make_engine(url: str, *, pool_size: int = 10, **kwargs) -> AsyncEngine:
    """The engine: a fixed pool of ``pool_size`` connections, checked for life on checkout without a
    round trip (``_refuse_closed``).

    No overflow: under sustained load an overflow connection is opened for a request and closed
    again when it is returned, and a new PostgreSQL backend per request cost more CPU than the
    request itself (scripts/bench_bookings.py: 760 → 1,790 requests/s). A request that finds the
    pool busy waits for a connection (``pool_timeout``, then 503).
    """
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"server_settings": {"application_name": "machinery-network"}},
        **kwargs,
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    """Pool checkout: hand out no connection the server has closed (a restart, an idle timeout).

    Instead of ``pool_pre_ping``, whose ping on asyncpg is three round trips (BEGIN, a query,
    ROLLBACK) on every checkout, this asks asyncpg whether the socket is still open, which it knows
    from the server's goodbye. ``DisconnectionError`` makes the pool discard the connection and
    try a fresh one; a connection that dies silently still fails its request with a 503 and is
    invalidated then (``app.database_down_handler``).
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this connection")


# --- the network of a session (row-level security) ------------------------------------------------
#
# Every tenant table's rows belong to one network; PostgreSQL shows a transaction only the rows of the
# network in the setting ``mn.network_id`` (SET LOCAL, so it ends with the transaction and never leaks
# to the next user of a pooled connection). ``use_network`` is the one place it is set: HTTP requests
# (app.provide_optional_actor), the CLI and the scheduler call it; later transactions of the same
# session get it again when they begin (``_network_on_begin``).

NETWORK_SETTING = "mn.network_id"
_SET_NETWORK = "SELECT set_config('mn.network_id', $1, true)"
_SET_NETWORK_TEXT = text("SELECT set_config('mn.network_id', :n, true)")


async def use_network(session: AsyncSession, network_id: int | None) -> None:
    """From now on, the session's transactions see (and write) the rows of ``network_id`` only."""
    begun = session.in_transaction()
    session.info["network_id"] = network_id
    if begun:  # otherwise the transaction's begin sets it (_network_on_begin)
        conn = await driver(session)
        await conn.execute(_SET_NETWORK, "" if network_id is None else str(network_id))


def session_network(session: AsyncSession) -> int | None:
    return session.info.get("network_id")


@event.listens_for(Session, "after_begin")
def _network_on_begin(session: Session, transaction: Any, connection: Any) -> None:
    if session.info.get("network_id") is not None:
        connection.execute(_SET_NETWORK_TEXT, {"n": str(session.info["network_id"])})


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# SQLSTATEs the services turn into friendly answers (the constraints stay the guarantee).
EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind a database error, raised through SQLAlchemy (asyncpg keeps it
    on the original error) or by asyncpg itself."""
    chain: BaseException | None = exc
    for _ in range(5):
        if chain is None:
            break
        code = getattr(chain, "sqlstate", None) or getattr(chain, "pgcode", None)
        if isinstance(code, str):
            return code
        chain = getattr(chain, "orig", None) or chain.__cause__
    return None


# --- hand-written statements on the hot paths ------------------------------------------------------
#
# The busiest routes (a token lookup, a booking request, an approval) send their statements straight
# through asyncpg, inside the request session's transaction: SQLAlchemy's execution machinery costs
# several times what asyncpg needs for the same prepared statement. The statements themselves are
# still built with SQLAlchemy Core where they share parts with the rest of the code, compiled once.


async def driver(session: AsyncSession, *, begin: bool = True) -> asyncpg.Connection:
    """The asyncpg connection under ``session``, with the session's transaction begun on it.

    What runs on it belongs to the session's transaction (or savepoint): committed or rolled back
    with the session. SQLAlchemy's asyncpg adapter sends BEGIN lazily, before its first statement;
    a connection used only through the driver must have it sent here.

    ``begin=False`` is for a caller whose statements need no common transaction (reads, and at most
    one writing statement, which is atomic by itself): if the session has not begun one yet, each
    statement runs in its own, which saves the BEGIN and COMMIT round trips. Once begun (by a later
    ``driver`` call or any ORM statement), everything after is in the session's transaction.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if begin and getattr(adapted, "_transaction", False) is None:  # SQLAlchemy 2.x adapter, none sent yet
        await adapted._start_transaction()
    return raw.driver_connection


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement compiled once for asyncpg: its SQL, and how to order named parameters."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]  # values bound at build time (literals)
    processors: dict[str, Callable[[Any], Any]]  # the types' bind processors, where they have one

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = []
        for name in self.names:
            value = params[name] if name in params else self.defaults[name]
            processor = self.processors.get(name)
            values.append(processor(value) if processor is not None else value)
        return values

    async def fetch(self, conn: asyncpg.Connection, params: dict[str, Any]) -> list[asyncpg.Record]:
        return await conn.fetch(self.sql, *self.args(params))

    async def fetchrow(self, conn: asyncpg.Connection, params: dict[str, Any]) -> asyncpg.Record | None:
        return await conn.fetchrow(self.sql, *self.args(params))

    async def fetchval(self, conn: asyncpg.Connection, params: dict[str, Any]) -> Any:
        return await conn.fetchval(self.sql, *self.args(params))


def for_driver(statement: Executable) -> DriverStatement:
    """Compile ``statement`` for ``DriverStatement`` use (call it once, e.g. under functools.cache)."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

    dialect = asyncpg_dialect()
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    defaults = {}
    for name, value in compiled.params.items():
        defaults[name] = value.value if isinstance(value, enum.Enum) else value
    processors = {}
    for name in names:
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return DriverStatement(sql=compiled.string, names=names, defaults=defaults, processors=processors)


@lru_cache
def _default_sessionmaker() -> async_sessionmaker[AsyncSession]:
    settings = get_settings()
    return make_sessionmaker(make_engine(resolve_database_url(settings), pool_size=settings.db_pool_size))


@contextlib.asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> AsyncIterator[AsyncSession]:
    """A session committed when the block ends normally, rolled back on any error (CLI, jobs)."""
    maker = sessionmaker or _default_sessionmaker()
    async with maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def scratch_server_url(explicit: str | None = None) -> tuple[str, bool]:
    """A server to create scratch databases on (benchmarks, drills): ``explicit`` or DATABASE_URL, else
    the embedded server in MN_DATA_DIR; the flag says the embedded one was used (stop it afterwards)."""
    import os
    from pathlib import Path

    from machinery_network.config import asyncpg_url

    url = explicit or os.environ.get("DATABASE_URL")
    if url:
        return asyncpg_url(url), False
    from machinery_network import embedded

    return embedded.start(Path(os.environ.get("MN_DATA_DIR", "./var")), database="postgres"), True


@contextlib.asynccontextmanager
async def scratch_database(
    server_url: str, prefix: str = "mn_scratch", *, migrate: bool = True, keep: bool = False
) -> AsyncIterator[str]:
    """A fresh database on the server of ``server_url`` (migrated unless ``migrate=False``), dropped
    afterwards unless ``keep``: for tests, benchmarks and fault drills, which must never share data."""
    import uuid

    from sqlalchemy import make_url, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            if migrate:
                from machinery_network.migrate import upgrade

                await upgrade(url)
            yield url
        finally:
            if not keep:
                async with admin.connect() as conn:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@contextlib.asynccontextmanager
async def scratch_database_on(
    explicit: str | None, prefix: str, *, migrate: bool = True, keep: bool = False
) -> AsyncIterator[str]:
    """``scratch_database`` on ``scratch_server_url(explicit)``; stops the embedded server if it used it."""
    server_url, embedded_server = scratch_server_url(explicit)
    try:
        async with scratch_database(server_url, prefix, migrate=migrate, keep=keep) as url:
            yield url
    finally:
        if embedded_server:
            from machinery_network import embedded

            embedded.stop()


def import_models() -> None:
    """Import every table model once, so SQLModel.metadata knows all tables (Alembic, tests)."""
    from machinery_network import models  # noqa: F401
