"""The use cases of the ledger, named in one place for the web and API layers and the other domains:
``posting`` writes the entries (charges, credits, adjustments, reversals; the only code that writes
money movements), ``queries`` reads accounts and balances.
"""

from __future__ import annotations

from machinery_network.ledger.posting import (
    AMOUNT_MAX,
    REASON_MAX,
    check_value_date,
    post_adjustment,
    post_charge,
    post_credit,
    reverse_entry,
    value_date_bounds,
)
from machinery_network.ledger.queries import (
    BALANCE_ORDER,
    BALANCE_SORTS,
    ENTRY_KEYS,
    ENTRY_ORDER,
    Account,
    EntryView,
    FarmerBalance,
    farmer_balances,
    get_account,
    page_entries,
    page_farmer_balances,
    unsettled_balance,
)

__all__ = [
    "AMOUNT_MAX",
    "BALANCE_ORDER",
    "BALANCE_SORTS",
    "ENTRY_KEYS",
    "ENTRY_ORDER",
    "REASON_MAX",
    "Account",
    "EntryView",
    "FarmerBalance",
    "check_value_date",
    "farmer_balances",
    "get_account",
    "page_entries",
    "page_farmer_balances",
    "post_adjustment",
    "post_charge",
    "post_credit",
    "reverse_entry",
    "unsettled_balance",
    "value_date_bounds",
]
