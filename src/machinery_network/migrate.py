"""Run Alembic from code, so `machinery-network migrate` works from an installed package."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, lambda cfg: command.downgrade(cfg, revision))


async def _run(url: str, action: Callable[[Config], None]) -> None:
    """Run an Alembic command on one async connection (works inside a running event loop)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def _sync(sync_connection: Connection) -> None:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = sync_connection
                action(cfg)

            await connection.run_sync(_sync)
            await connection.commit()
    finally:
        await engine.dispose()


def upgrade_sync(url: str, revision: str = "head") -> None:
    asyncio.run(upgrade(url, revision))
