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
