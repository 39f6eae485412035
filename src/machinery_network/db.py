"""Engine, sessions and the one place every table model is imported.

Services take an ``AsyncSession`` argument; HTTP requests get one session each (committed on success,
rolled back on error, see ``middleware.DbSessionMiddleware``); jobs and the CLI use ``session_scope``.
"""

from __future__ import annotations

import contextlib
import enum
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from machinery_network.config import Settings


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when set, otherwise start (or attach to) the embedded server in MN_DATA_DIR."""
    if settings.database_url:
        return settings.database_url
    from machinery_network import embedded

    return embedded.start(settings.data_dir)


def make_engine(url: str, *, pool_size: int = 10, role: str = "mn_app", **kwargs: Any) -> AsyncEngine:
    """The engine: a fixed pool of ``pool_size`` connections, checked for life on checkout without a
    round trip (``_refuse_closed``).

    No overflow: under sustained load an overflow connection is opened for a request and closed
    again when it is returned, and a new PostgreSQL backend per request cost more CPU than the
    request itself (the README's "Benchmarks and drills" has the figures). A request that finds the
    pool busy waits for a connection (``pool_timeout``, then 503).
    """
    server_settings = {"application_name": "machinery-network"}
    if role:
        # Every connection acts as the application role from its start (a startup parameter, no round
        # trip): not a superuser, not the tables' owner, so row-level security applies to it.
        server_settings["role"] = role
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"server_settings": server_settings},
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
# (dependencies.provide_optional_actor), the CLI and the scheduler call it; later transactions of the same
# session get it again when they begin (``_network_on_begin``).

NETWORK_SETTING = "mn.network_id"
SET_NETWORK = "SELECT set_config('mn.network_id', $1, true)"
_SET_NETWORK_TEXT = text("SELECT set_config('mn.network_id', :n, true)")


async def use_network(session: AsyncSession, network_id: int | None) -> None:
    """From now on, the session's transactions see (and write) the rows of ``network_id`` only.

    Sent at once through the driver, in the session's transaction; later transactions of the same
    session get it when they begin. When the session has not begun its transaction yet (every HTTP
    request: the actor is its first question), BEGIN and the setting go to the server together, in
    one round trip (``begin_in_network``); otherwise the setting is one prepared statement.
    """
    session.info.pop("network_id", None)  # the begin below must not apply an earlier network
    value = "" if network_id is None else str(int(network_id))
    raw = await (await session.connection()).get_raw_connection()
    adapted, conn = raw.dbapi_connection, cast(asyncpg.Connection, raw.driver_connection)
    if not await begin_in_network(adapted, conn, value):
        await begin_on_adapter(adapted)
        await conn.execute(SET_NETWORK, value)
    session.info["network_id"] = network_id


def session_network(session: AsyncSession) -> int | None:
    return session.info.get("network_id")


OPERATOR_NETWORK = 0  # the setting of the operator's transactions: no network's rows, the operators' own


def for_network(
    sessionmaker: async_sessionmaker[AsyncSession], network_id: int
) -> Callable[[], AsyncSession]:
    """A session factory whose sessions work inside ``network_id`` (jobs that run per network)."""
    return functools.partial(sessionmaker, info={"network_id": network_id})


async def network_ids(session: AsyncSession) -> list[int]:
    """Every network of the installation (the networks table is the installation's, not a tenant's)."""
    return list(await session.scalars(text("SELECT id FROM networks ORDER BY id")))


async def network_of(session: AsyncSession, kind: str, key: object) -> int | None:
    """The network of a user (by id or e-mail; 0 for the operator), a municipality or a calendar token,
    looked up before the transaction's network is known (SECURITY DEFINER functions, migration 0018_network_rls)."""
    function = {"user": "mn_network_of_user", "email": "mn_network_of_email",
                "municipality": "mn_network_of_municipality", "calendar": "mn_network_of_calendar",
                "reset": "mn_network_of_reset"}[kind]
    network: int | None = await session.scalar(text(f"SELECT {function}(:key)"), {"key": key})
    return network


@event.listens_for(Session, "after_begin")
def _network_on_begin(session: Session, transaction: Any, connection: Any) -> None:
    if session.info.get("network_id") is not None:
        connection.execute(_SET_NETWORK_TEXT, {"n": str(session.info["network_id"])})


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# SQLSTATEs the services turn into friendly answers (the constraints stay the guarantee).
EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"


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
    if begin:
        await begin_on_adapter(raw.dbapi_connection)
    return raw.driver_connection


class DriverAdapterChanged(RuntimeError):
    """SQLAlchemy's asyncpg adapter no longer looks as ``driver`` expects (an untested SQLAlchemy)."""


# What ``begin_on_adapter`` relies on in SQLAlchemy's ``AsyncAdapt_asyncpg_connection`` (2.0 and 2.1;
# pyproject pins SQLAlchemy below the next minor release, which has not been tested).
_ADAPTER_ATTRIBUTES = ("_transaction", "_start_transaction", "isolation_level", "readonly", "deferrable")
_checked_adapters: set[type] = set()


async def begin_on_adapter(adapted: Any, *, begin: bool = True) -> None:
    """Send the adapter's lazy BEGIN now unless it has been sent (``begin=False``: only check the
    adapter). Raises ``DriverAdapterChanged`` when the adapter lacks what this relies on: silently
    sending no BEGIN would run the driver statements outside the session's transaction (committed at
    once, never rolled back with it)."""
    kind = type(adapted)
    if kind not in _checked_adapters:
        missing = [name for name in _ADAPTER_ATTRIBUTES if not hasattr(adapted, name)]
        if missing:
            import sqlalchemy

            raise DriverAdapterChanged(
                f"SQLAlchemy {sqlalchemy.__version__}: {kind.__name__} has no {', '.join(missing)}; "
                "db.driver cannot begin the session's transaction on the asyncpg connection"
            )
        _checked_adapters.add(kind)
    if begin and adapted._transaction is None:
        await adapted._start_transaction()


class _Begun:
    """The transaction ``begin_in_network`` began, as SQLAlchemy's asyncpg adapter holds one (its
    ``_transaction``): the adapter ends it through ``commit`` or ``rollback``, as it would its own."""

    __slots__ = ("_connection",)

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def commit(self) -> None:
        await self._connection.execute("COMMIT")

    async def rollback(self) -> None:
        await self._connection.execute("ROLLBACK")


async def begin_in_network(adapted: Any, conn: asyncpg.Connection, value: str) -> bool:
    """BEGIN and ``SET LOCAL mn.network_id`` in one round trip (a simple query of two statements), when
    the adapter has not begun a transaction and would begin a plain one (no isolation level, not read
    only, not deferrable: what the app's engines use). False when it did nothing: the caller begins and
    sets the network the ordinary way.

    The adapter is told of the transaction before it is sent, so that a failure on the way still ends
    in a ROLLBACK when the session rolls back, and never leaves a pooled connection inside a
    transaction. ``value`` is digits or empty (``use_network`` makes it from an int), never user text.
    """
    await begin_on_adapter(adapted, begin=False)  # checks the adapter's shape, sends nothing
    if (adapted._transaction is not None or adapted.isolation_level is not None or adapted.readonly
            or adapted.deferrable or conn.is_in_transaction()):
        return False
    adapted._transaction = _Begun(conn)
    await conn.execute(f"BEGIN; SELECT set_config('{NETWORK_SETTING}', '{value}', true)")
    return True


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
        rows: list[asyncpg.Record] = await conn.fetch(self.sql, *self.args(params))
        return rows

    async def fetchrow(self, conn: asyncpg.Connection, params: dict[str, Any]) -> asyncpg.Record | None:
        return await conn.fetchrow(self.sql, *self.args(params))

    async def fetchval(self, conn: asyncpg.Connection, params: dict[str, Any]) -> Any:
        return await conn.fetchval(self.sql, *self.args(params))


def for_driver(statement: ClauseElement) -> DriverStatement:
    """Compile ``statement`` for ``DriverStatement`` use (call it once, e.g. under functools.cache)."""
    dialect = make_url("postgresql+asyncpg://").get_dialect()()
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)  # a Core statement compiles to SQL
    names = tuple(compiled.positiontup or ())
    defaults = {}
    for name, value in compiled.params.items():
        defaults[name] = value.value if isinstance(value, enum.Enum) else value
    processors: dict[str, Callable[[Any], Any]] = {}
    for name in names:
        processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return DriverStatement(sql=compiled.string, names=names, defaults=defaults, processors=processors)


@contextlib.asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession] | Callable[[], AsyncSession],
    network_id: int | None = None,
) -> AsyncIterator[AsyncSession]:
    """A session committed when the block ends normally, rolled back on any error (CLI, jobs);
    inside ``network_id`` when given."""
    async with sessionmaker() as session:
        if network_id is not None:
            session.info["network_id"] = network_id
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def import_models() -> None:
    """Import every table model once, so SQLModel.metadata knows all tables (Alembic, tests)."""
    from machinery_network import models  # noqa: F401
