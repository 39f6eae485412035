"""The driver fast path refuses to run on an adapter it does not know, instead of sending no BEGIN."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from machinery_network.db import DriverAdapterChanged, begin_on_adapter, driver


class _OldAdapter:
    """An adapter as a future SQLAlchemy might shape it: the transaction handled some other way."""

    def __init__(self) -> None:
        self.began = False


async def test_an_adapter_without_the_lazy_begin_is_refused():
    with pytest.raises(DriverAdapterChanged, match="_transaction, _start_transaction"):
        await begin_on_adapter(_OldAdapter())


async def test_driver_begins_the_session_transaction_on_the_connection(engine):
    from sqlalchemy.ext.asyncio import async_sessionmaker

    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        conn = await driver(session, begin=False)
        assert not conn.is_in_transaction()  # nothing sent yet: each statement its own transaction
        conn = await driver(session)
        assert conn.is_in_transaction()  # BEGIN sent before the first statement
        await conn.execute("CREATE TEMP TABLE driver_probe (x int)")
        assert (await session.execute(text("SELECT count(*) FROM driver_probe"))).scalar() == 0
        await session.rollback()
        assert not conn.is_in_transaction()  # the session's rollback ended what the driver ran


async def test_use_network_begins_the_session_transaction_inside_the_network(engine):
    """A session that has not begun: BEGIN and the network go together (``db.begin_in_network``), and the
    session ends that transaction as its own."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from machinery_network.db import _Begun, use_network

    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        await use_network(session, 7)
        conn = await driver(session, begin=False)
        adapted = (await (await session.connection()).get_raw_connection()).dbapi_connection
        assert isinstance(adapted._transaction, _Begun)
        assert conn.is_in_transaction()
        assert (await session.execute(text("SELECT current_setting('mn.network_id')"))).scalar() == "7"
        await conn.execute("CREATE TEMP TABLE network_probe (x int)")
        await session.rollback()
        assert not conn.is_in_transaction()  # the session's rollback ended it
        assert (await session.execute(text("SELECT to_regclass('pg_temp.network_probe')"))).scalar() is None
        # The session's next transaction is inside the network again (``_network_on_begin``).
        assert (await session.execute(text("SELECT current_setting('mn.network_id')"))).scalar() == "7"
        await session.commit()


async def test_use_network_inside_a_begun_transaction_sets_it_there(engine):
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from machinery_network.db import use_network

    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        await session.execute(text("CREATE TEMP TABLE begun_probe (x int)"))  # SQLAlchemy's own BEGIN
        await use_network(session, 3)
        assert (await session.execute(text("SELECT current_setting('mn.network_id')"))).scalar() == "3"
        assert (await session.execute(text("SELECT to_regclass('pg_temp.begun_probe')"))).scalar() is not None
        await session.rollback()
