"""The monthly settlement job (APScheduler 3). Filled in by the settlement work (issue 3)."""

from __future__ import annotations


async def start_scheduler(sessionmaker, settings):  # pragma: no cover - replaced by the settlement work
    return None
