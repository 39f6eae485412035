"""Migrations apply to an empty database, downgrade to nothing, and apply again."""

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network.migrate import downgrade, upgrade
from machinery_network.testing import scratch_database


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


def test_one_head_and_file_names_sort_in_revision_order():
    from alembic.script import ScriptDirectory

    from machinery_network.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("postgresql+asyncpg://unused/none"))
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    in_order = [Path(s.path).name for s in reversed(list(scripts.walk_revisions("base", "heads")))]
    assert in_order == sorted(in_order)
    assert len(in_order) == len({name.split("_")[0] for name in in_order})  # no two files share a number
