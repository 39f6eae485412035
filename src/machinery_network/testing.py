"""Scratch databases for tests, benchmarks and fault drills (never used by the service itself).

Each caller gets a database of its own, created (and migrated) on a server it names, the embedded
server of ``MN_DATA_DIR`` otherwise, and dropped afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import create_async_engine


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
