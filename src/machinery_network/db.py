"""Engine, sessions and the one place every table model is imported.

Services take an ``AsyncSession`` argument; HTTP requests get one session each (committed on success,
rolled back on error, see ``app.DbSessionMiddleware``); jobs and the CLI use ``session_scope``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from machinery_network.config import Settings, get_settings


def resolve_database_url(settings: Settings | None = None) -> str:
    """DATABASE_URL when set, otherwise start (or attach to) the embedded server in MN_DATA_DIR."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from machinery_network import embedded

    return embedded.start(settings.data_dir)


def make_engine(url: str, *, pool_size: int = 10, **kwargs) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": "machinery-network"}},
        **kwargs,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


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
