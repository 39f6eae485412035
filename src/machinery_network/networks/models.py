"""Tables of the networks domain (not tenant tables: the installation's own)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, ts


class Network(SQLModel, table=True):
    __tablename__ = "networks"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = created_at()


class AgreementState(StrEnum):
    proposed = "proposed"
    active = "active"
    revoked = "revoked"


class Agreement(SQLModel, table=True):
    """Two networks lend to each other's farmers: proposed by the admin of ``network_id``, confirmed by
    the admin of ``other_network_id``, revocable by either."""

    __tablename__ = "network_agreements"

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = fk("networks.id", index=False)
    other_network_id: int = fk("networks.id", index=False)
    state: str = Field(default=AgreementState.proposed, max_length=20)
    proposed_by: int | None = None
    confirmed_by: int | None = None
    revoked_by: int | None = None
    created_at: datetime = created_at()
    confirmed_at: datetime | None = ts(nullable=True)
    revoked_at: datetime | None = ts(nullable=True)

    def other(self, network_id: int) -> int:
        return self.other_network_id if network_id == self.network_id else self.network_id
