"""Rows of any table: one by primary key or 404; one added under a name that must be unique, or 409."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlmodel import SQLModel

from machinery_network.errors import Conflict, NotFound

Row = TypeVar("Row", bound=SQLModel)


async def get_or_404(session: AsyncSession, model: type[Row], row_id: int, key: str) -> Row:
    """The row of ``model`` with primary key ``row_id``, else 404 with message ``key``."""
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound(key, id=row_id)
    return row


async def add_named(session: AsyncSession, row: Row, same_name: Executable, key: str) -> Row:
    """Add ``row``, whose name must be unique: 409 with message ``key`` naming the field ``name`` when
    ``same_name`` finds a row (the friendly answer first) or the database refuses it (the guarantee)."""
    if await session.scalar(same_name):
        raise Conflict(key, field="name")
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(key, field="name") from exc
    return row
