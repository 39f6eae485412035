"""The record of what changed on an account. Every change that matters later (IBAN, role, active state,
password, erasure) is written to ``user_changes`` in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import UserChange
from machinery_network.auth import Actor


async def record(
    session: AsyncSession, user_id: int, actor: Actor | None, kind: str, **details: Any
) -> None:
    session.add(UserChange(user_id=user_id, actor_id=actor.id if actor else None, kind=kind, details=details))
