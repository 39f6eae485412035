"""The served process's start and stop: the scheduler and the mail outbox worker started with the app,
and everything stopped again (the engine the app opened, hooks such as the embedded PostgreSQL);
the garbage collector tuned for a long-running server.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from machinery_network.config import Settings


def app_lifespan(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    scheduler: bool,
    owned_engine: AsyncEngine | None,
    shutdown_hooks: list[Callable[[], None]] | None,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The app's lifespan. ``owned_engine`` is the engine the app opened itself (None when a test
    passed its sessionmaker): only then is the outbox worker started and the engine disposed."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        job_scheduler = None
        if scheduler:
            from machinery_network.scheduler import start_scheduler

            job_scheduler = await start_scheduler(sessionmaker, settings)
        outbox_worker = None
        if owned_engine is not None:  # a served process (tests drive delivery themselves)
            from machinery_network.notifications.sender import start_outbox_worker

            outbox_worker = start_outbox_worker(sessionmaker, settings)  # None without MN_SMTP_URL
        try:
            yield
        finally:
            if outbox_worker is not None:
                outbox_worker.cancel()
            if job_scheduler is not None:
                job_scheduler.shutdown(wait=False)
            if owned_engine is not None:
                await owned_engine.dispose()
            # e.g. stopping the embedded PostgreSQL: here, because uvicorn re-raises SIGTERM after
            # its graceful shutdown and atexit hooks would never run.
            for hook in shutdown_hooks or []:
                hook()

    return lifespan


def tune_gc() -> None:
    """For a served process: the long-lived heap (routes, models, metadata) leaves the collector's sight
    and young objects are collected less often. Full collections were the tail of request latency
    (figures in the README, "Benchmarks and drills")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
