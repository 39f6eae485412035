"""Column helpers shared by the table models: timezone-aware timestamps, exact decimals, JSONB; and
``row_id``, the id of a stored row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Column, DateTime, FetchedValue, ForeignKey, Integer, Numeric, Table, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """The id of a row read from the database or flushed to it. The models type ``id`` Optional
    because a new model has none until it is flushed; a stored row always has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id


def utcnow() -> datetime:
    return datetime.now(UTC)


def ts(*, nullable: bool = False, default_now: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True),
            nullable=nullable,
            server_default=text("now()") if default_now else None,
        ),
    )


def created_at() -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )


def decimal_col(precision: int = 12, scale: int = 3, *, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(Numeric(precision, scale), nullable=nullable))


def jsonb(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSONB, nullable=nullable))


def fk(target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None,
        sa_column=Column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


def network_col(*, nullable: bool = False) -> Any:
    """``network_id`` of a tenant table: written by the database (from the parent row or the
    transaction's network, see migration 0007_networks) unless the code sets it, and read back on insert."""
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("networks.id"), nullable=nullable, server_default=FetchedValue()),
    )


def table_of(model: type[SQLModel]) -> Table:
    """The ``Table`` of a table model (its ``__table__``, which SQLModel does not declare to type checkers)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table


def pk(model: type[SQLModel]) -> Column[int]:
    """The ``id`` column of a table model, typed as the database has it: never null (the model says
    ``int | None`` for a row not inserted yet). For selecting ids: ``select(pk(Booking))``."""
    column: Column[int] = table_of(model).c.id
    return column
