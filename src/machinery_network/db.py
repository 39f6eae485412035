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


def import_models() -> None:
    """Import every table model once, so SQLModel.metadata knows all tables (Alembic, tests)."""
    from machinery_network import models  # noqa: F401
