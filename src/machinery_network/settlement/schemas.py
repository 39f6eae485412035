"""Request and response shapes of the settlement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from machinery_network.schemas import Id, Input, Month
from machinery_network.settlement.models import Settlement
from machinery_network.settlement.queries import LineView


class SettleRequest(Input):
    month: Month  # "YYYY-MM"
    municipality_id: Id


class LinePublic(BaseModel):
    farmer_id: int
    farmer_name: str
    charges_cents: int
    credits_cents: int
    net_cents: int
    entry_count: int


class SettlementSummary(BaseModel):
    id: int
    month: str
    municipality_id: int
    cutoff: date
    entry_count: int
    farmer_count: int
    total_charges_cents: int
    total_credits_cents: int
    total_net_cents: int
    run_by: int | None
    run_by_label: str
    created_at: datetime

    @classmethod
    def fields_of(cls, s: Settlement) -> dict[str, Any]:
        return {
            "id": s.id, "month": f"{s.month:%Y-%m}", "municipality_id": s.municipality_id, "cutoff": s.cutoff,
            "entry_count": s.entry_count, "farmer_count": s.farmer_count,
            "total_charges_cents": s.total_charges_cents, "total_credits_cents": s.total_credits_cents,
            "total_net_cents": s.total_net_cents, "run_by": s.run_by, "run_by_label": s.run_by_label,
            "created_at": s.created_at,
        }

    @classmethod
    def of(cls, s: Settlement) -> SettlementSummary:
        return cls(**cls.fields_of(s))


class SettlementPublic(SettlementSummary):
    lines: list[LinePublic]

    @classmethod
    def with_lines(cls, s: Settlement, lines: list[LineView]) -> SettlementPublic:
        return cls(
            **cls.fields_of(s),
            lines=[LinePublic.model_validate(ln, from_attributes=True) for ln in lines],
        )
