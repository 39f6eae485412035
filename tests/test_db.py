"""The engine and the driver path of the hot routes, on the real server."""

from __future__ import annotations

import asyncio

from sqlalchemy import Integer, bindparam, literal, select, text

from machinery_network.accounts.models import Role
from machinery_network.db import driver, for_driver, make_engine, make_sessionmaker


async def test_the_pool_never_hands_out_a_connection_the_server_closed(database_url, engine):
    """Without a ping per checkout: a pooled connection terminated by the server is replaced."""
    pooled = make_engine(database_url, pool_size=1)
    try:
        async with pooled.connect() as conn:
            first_pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with engine.connect() as admin:  # as a restart or an idle timeout would
            assert await admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        for _ in range(100):  # asyncpg notices the closed socket once the loop reads it
            await asyncio.sleep(0.01)
            if pooled.sync_engine.pool.checkedin() == 0:
                break
        async with pooled.connect() as conn:
            second_pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert second_pid != first_pid
    finally:
        await pooled.dispose()


async def test_driver_statements_belong_to_the_sessions_transaction(database_url):
    """Committed with the session, rolled back with it; BEGIN is sent even when nothing else ran."""
    engine = make_engine(database_url, pool_size=1, role="")  # the owner: it creates a table
    sessionmaker = make_sessionmaker(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE IF NOT EXISTS driver_probe (v int)"))
            await conn.execute(text("TRUNCATE driver_probe"))
        async with sessionmaker() as session:
            await (await driver(session)).execute("INSERT INTO driver_probe VALUES (1)")
            await session.rollback()
        async with sessionmaker() as session:
            conn = await driver(session)
            assert await conn.fetchval("SELECT txid_current_if_assigned() IS NULL")  # inside a transaction
            await conn.execute("INSERT INTO driver_probe VALUES (2)")
            await session.commit()
        async with engine.connect() as conn:
            assert list(await conn.scalars(text("SELECT v FROM driver_probe"))) == [2]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE IF EXISTS driver_probe"))
        await engine.dispose()


async def test_a_compiled_statement_orders_parameters_and_fills_literals(db_session):
    statement = for_driver(
        select(bindparam("b", type_=Integer) + bindparam("a", type_=Integer), literal(Role.farmer),
               bindparam("a", type_=Integer))
    )
    assert statement.names.count("a") == 1  # one placeholder for a name used twice
    row = await statement.fetchrow(await driver(db_session), {"a": 2, "b": 40})
    assert tuple(row) == (42, "farmer", 2)


async def test_a_request_that_finds_every_connection_busy_gets_503_not_500(database_url, settings):
    """The pool has no overflow: past its timeout a waiting request is told to come back later."""
    import httpx

    from machinery_network.app import create_app

    engine = make_engine(database_url, pool_size=1, pool_timeout=0.2)
    try:
        app = create_app(settings, make_sessionmaker(engine))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            async with engine.connect() as held:  # the pool's only connection
                await held.execute(text("SELECT 1"))
                busy = await client.get("/api/v1/health")
            free = await client.get("/api/v1/health")
        assert busy.status_code == 503, busy.text
        assert free.status_code == 200
    finally:
        await engine.dispose()
