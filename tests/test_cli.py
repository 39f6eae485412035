"""The command line: migrate, demo (idempotent), create-user from stdin, exit codes."""

import io

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from machinery_network import cli
from machinery_network.accounts.models import Municipality, User
from machinery_network.care.models import Assignment, Section
from machinery_network.catalogue.models import Item
from machinery_network.config import get_settings
from machinery_network.testing import scratch_database


@pytest.fixture
async def cli_database(server_url, monkeypatch):
    """A database of its own: the CLI commits for real, outside the test's rolled-back transaction."""
    async with scratch_database(server_url, "mn_cli", migrate=False) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            yield url
        finally:
            get_settings.cache_clear()


async def _counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                model.__tablename__: await conn.scalar(select(func.count()).select_from(model))
                for model in (Municipality, User, Item, Section, Assignment)
            }
    finally:
        await engine.dispose()


def run_cli(argv, stdin: str = "") -> int:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return cli.main(argv)
    finally:
        sys.stdin = old


async def test_demo_twice_gives_the_same_data(cli_database, capsys):
    import asyncio

    assert await asyncio.to_thread(run_cli, ["demo"]) == 0
    out = capsys.readouterr().out
    assert "demo-passwort" in out and "bauhof@gerstungen.example" in out
    first = await _counts(cli_database)
    assert first["municipalities"] == 5  # the Werra valley's three and the Rhön's two
    assert first["items"] >= 15
    assert "admin@rhoen.example" in out
    assert first["users"] >= 17  # admin, 3 yard heads, 3 finance, 10+ farmers
    assert await asyncio.to_thread(run_cli, ["demo"]) == 0
    assert await _counts(cli_database) == first
    engine = create_async_engine(cli_database)
    try:
        async with engine.connect() as conn:
            networks = dict((await conn.execute(text(
                "SELECT n.name, count(m.id) FROM networks n LEFT JOIN municipalities m ON m.network_id = n.id "
                "GROUP BY n.name"))).all())
            assert networks == {"Werratal": 3, "Rhön": 2}
            states = list(await conn.scalars(text("SELECT state FROM network_agreements")))
            assert states == ["active"]
            assert await conn.scalar(text("SELECT count(*) FROM items WHERE shared")) >= 2
    finally:
        await engine.dispose()


async def test_create_user_reads_the_password_from_stdin(cli_database, capsys):
    import asyncio

    assert await asyncio.to_thread(run_cli, ["migrate"]) == 0
    code = await asyncio.to_thread(
        run_cli, ["create-user", "--email", "chef@example.org", "--role", "admin", "--name", "Chef"],
        "ein-sicheres-passwort\n",
    )
    assert code == 0, capsys.readouterr().err
    engine = create_async_engine(cli_database)
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT role, name, password_hash FROM users WHERE email = 'chef@example.org'"))).one()
    await engine.dispose()
    assert row.role == "admin" and row.name == "Chef"
    assert row.password_hash.startswith("$argon2")


async def test_create_user_refusals_exit_2_with_one_line(cli_database, capsys):
    import asyncio

    # yard_head needs a municipality: bad arguments → 2 and a one-line reason.
    code = await asyncio.to_thread(
        run_cli, ["create-user", "--email", "y@example.org", "--role", "yard_head"], "ein-sicheres-passwort\n")
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err
    assert await asyncio.to_thread(run_cli, ["create-user", "--email", "y@example.org", "--role", "farmer"], "") == 2


def test_bad_arguments_exit_2():
    with pytest.raises(SystemExit) as exc:
        cli.main(["settle", "--month", "2026-13"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", "--month", "2026-10"])
    assert exc.value.code == 2
