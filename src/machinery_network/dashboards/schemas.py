"""The dashboards as JSON: each panel's table (raw values and as shown on the page), no chart."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from machinery_network.dashboards.service import Panel
from machinery_network.schemas import DecimalOut

Cell = int | DecimalOut | str | None


class DashboardPanelPublic(BaseModel):
    key: str
    title: str
    columns: list[str]
    # how each column is shown: eur (cents), num, text
    kinds: list[Literal["eur", "num", "text"]]
    # the CSV's values: amounts in cents, quantities as numbers
    rows: list[list[Cell]]
    # the same cells as the page shows them (German formatting)
    shown: list[list[str]]

    @classmethod
    def of(cls, panel: Panel) -> DashboardPanelPublic:
        return cls(key=panel.key, title=panel.title, columns=panel.columns, kinds=panel.kinds,
                   rows=panel.rows, shown=panel.shown())


class DashboardPublic(BaseModel):
    view: Literal["yard", "finance", "council"]
    municipality_id: int | None
    year: int | None
    panels: list[DashboardPanelPublic]

    @classmethod
    def of(cls, view: str, panels: list[Panel], *, municipality_id: int | None = None,
           year: int | None = None) -> DashboardPublic:
        return cls(view=view, municipality_id=municipality_id, year=year,
                   panels=[DashboardPanelPublic.of(p) for p in panels])
