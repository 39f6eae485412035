"""What the app injects into handlers, declared explicitly (Litestar 3 infers nothing).

Handlers and dependency providers annotate their injected parameters with these aliases; the names of
the parameters (``db_session``, ``actor``, ``actor_or_none``, ``settings``) are the dependency keys
registered in ``app.create_app``. Path and query parameters are declared with ``FromPath`` and
``FromQuery`` (or ``Annotated[..., QueryParameter(...)]`` when the name differs), bodies as ``data``.
"""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.auth import Actor
from machinery_network.config import Settings

DbSession: TypeAlias = NamedDependency[AsyncSession]
CurrentActor: TypeAlias = NamedDependency[Actor]
OptionalActor: TypeAlias = NamedDependency[Actor | None]
AppSettings: TypeAlias = NamedDependency[Settings]
