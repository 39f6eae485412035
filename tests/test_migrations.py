"""Migrations apply to an empty database, downgrade to nothing, and apply again."""

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network.db import sqlstate
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


# What ``mn_current_network()`` answers, per setting of ``mn.network_id`` (None: never set in the session).
SETTINGS = (None, "", "0", "7", " 12 ", "not a number")


async def _current_network_answers(url: str) -> tuple[str, list[tuple[int, str | None, str]]]:
    """The function's language, and its answer (or error) for every setting with none, one and two
    networks in the installation (each case in a transaction that is rolled back)."""
    engine = create_async_engine(url)
    answers: list[tuple[int, str | None, str]] = []
    try:
        async with engine.connect() as conn:
            language = (await conn.execute(text(
                "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                " WHERE p.proname = 'mn_current_network'"))).scalar_one()
            await conn.rollback()
        for networks in (0, 1, 2):
            for setting in SETTINGS:
                async with engine.connect() as conn:  # a fresh session: the setting never defined
                    await conn.execute(text("DELETE FROM networks"))
                    for n in range(networks):
                        await conn.execute(text("INSERT INTO networks (id, name) VALUES (:i, :n)"),
                                           {"i": 41 + n, "n": f"N{n}"})
                    if setting is not None:
                        await conn.execute(text("SELECT set_config('mn.network_id', :s, true)"), {"s": setting})
                    try:
                        answer = repr((await conn.execute(text("SELECT mn_current_network()"))).scalar())
                    except DBAPIError as exc:
                        answer = f"error {sqlstate(exc)}"
                    answers.append((networks, setting, answer))
                    await conn.rollback()
    finally:
        await engine.dispose()
    return language, answers


async def test_current_network_in_plpgsql_answers_as_the_sql_function_did(server_url):
    """0033 rewrote ``mn_current_network()`` (every row-level-security policy calls it) in PL/pgSQL:
    the same answer for every setting and number of networks; the downgrade brings the SQL one back."""
    async with scratch_database(server_url, "mn_mig_cur", migrate=False) as url:
        await upgrade(url, "0032_partner_notices")
        language, before = await _current_network_answers(url)
        assert language == "sql"
        assert (0, None, "None") in before and (1, "", "41") in before and (2, None, "None") in before
        assert (2, "0", "0") in before and (1, " 12 ", "12") in before
        assert (1, "not a number", "error 22P02") in before  # invalid_text_representation
        await upgrade(url)
        language, after = await _current_network_answers(url)
        assert language == "plpgsql"
        assert after == before
        await downgrade(url, "0032_partner_notices")
        language, again = await _current_network_answers(url)
        assert (language, again) == ("sql", before)


async def test_every_network_fill_trigger_runs_only_for_rows_without_a_network(db_session):
    """0038: ``a_mn_network`` carries ``WHEN (new.network_id IS NULL)`` on every tenant table (a table added
    later with the plain trigger would pay a function call per row for nothing)."""
    rows = (await db_session.execute(text(
        "SELECT tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'a_mn_network'"
    ))).all()
    assert len(rows) >= 30
    assert [table for table, definition in rows if "WHEN ((new.network_id IS NULL))" not in definition] == []
