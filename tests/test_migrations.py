"""Migrations apply to an empty database, downgrade to nothing, and apply again."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network.db import scratch_database
from machinery_network.migrate import downgrade, upgrade


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            return {r[0] for r in rows}
    finally:
        await engine.dispose()


async def test_migrations_upgrade_from_empty_downgrade_and_upgrade_again(server_url):
    async with scratch_database(server_url, "mn_mig", migrate=False) as url:
        await upgrade(url)
        tables = await _tables(url)
        assert {"items", "bookings", "occupancies", "ledger_entries", "settlements"} <= tables
        await downgrade(url, "base")
        assert await _tables(url) <= {"alembic_version"}
        await upgrade(url)
        assert "ledger_entries" in await _tables(url)
