"""The use cases of the settlement domain, named in one place for the web and API layers, the CLI and
the scheduler. Each lives beside this module, one concern each:

- ``settling``: settling a month for a municipality, exactly once (locks, lines, freezing);
- ``months``: the calendar months a settlement counts in;
- ``queries``: settled months and their lines, pending months, a farmer's statements, recorded runs;
- ``catch_up``: the months missed while the service was down;
- ``notices``: telling the farmers that their statement is ready.
"""

from __future__ import annotations

from machinery_network.settlement.catch_up import (
    MAX_CATCH_UP_MONTHS,
    CatchUpPlan,
    catch_up_plan,
    months_to_catch_up,
    municipality_ids,
)
from machinery_network.settlement.months import (
    check_month_ended,
    month_bounds,
    month_has_ended,
    next_month,
    previous_month,
)
from machinery_network.settlement.queries import (
    LINE_SORTS,
    SETTLEMENT_KEYS,
    SETTLEMENT_ORDER,
    SETTLEMENT_SORTS,
    LineView,
    PendingMonth,
    Statement,
    farmer_statements,
    find_settlement,
    get_settlement,
    get_settlement_view,
    list_settlements,
    page_settlement_lines,
    page_settlements,
    pending_months,
    recent_runs,
)
from machinery_network.settlement.settling import CHARGE_SIDE, RUN_LOCK, SettleResult, settle

__all__ = [
    "CHARGE_SIDE",
    "MAX_CATCH_UP_MONTHS",
    "RUN_LOCK",
    "SETTLEMENT_KEYS",
    "LINE_SORTS",
    "SETTLEMENT_ORDER",
    "SETTLEMENT_SORTS",
    "CatchUpPlan",
    "LineView",
    "PendingMonth",
    "SettleResult",
    "Statement",
    "catch_up_plan",
    "check_month_ended",
    "farmer_statements",
    "find_settlement",
    "get_settlement",
    "get_settlement_view",
    "list_settlements",
    "month_bounds",
    "month_has_ended",
    "months_to_catch_up",
    "municipality_ids",
    "next_month",
    "page_settlement_lines",
    "page_settlements",
    "pending_months",
    "previous_month",
    "recent_runs",
    "settle",
]
