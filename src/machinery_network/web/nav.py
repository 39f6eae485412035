"""The menu of each role, in one place: the layout renders it (with ``aria-current`` on the entry of
the page shown) and the browser tests walk it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavEntry:
    href: str
    key: str  # message key of the entry's text


_START = NavEntry("/start", "start.nav")  # what needs attention (``dashboards.start``)
_CATALOGUE = NavEntry("/", "nav.catalogue")
_COVERAGE = NavEntry("/manage/cost-coverage", "costing.nav")
_DASHBOARD = NavEntry("/dashboard", "dash.nav")
_SETTLEMENTS = NavEntry("/finance/settlements", "nav.settlements")
_ACCOUNTS = NavEntry("/manage/accounts", "ledger.nav_accounts")

NOTICES = NavEntry("/notices", "notices.nav")  # with the unread count, loaded by htmx (``web/notices``)

MENUS: dict[str, tuple[NavEntry, ...]] = {
    "farmer": (_START, _CATALOGUE, NavEntry("/bookings", "nav.my_bookings"), NavEntry("/care", "nav.my_sections"),
               NavEntry("/account", "nav.my_account"), NOTICES),
    "yard_head": (_START, _CATALOGUE, NavEntry("/manage/bookings", "nav.inbox"), NavEntry("/manage/items", "nav.my_items"),
                  NavEntry("/manage/sections", "nav.sections"), NavEntry("/manage/care-logs", "nav.care_inbox"),
                  _ACCOUNTS, _COVERAGE, _DASHBOARD, NOTICES),
    "finance": (_START, _CATALOGUE, _SETTLEMENTS, _ACCOUNTS, _COVERAGE, _DASHBOARD, NOTICES),
    "admin": (_START, _CATALOGUE, NavEntry("/admin", "admin.nav"), NavEntry("/admin/network", "networks.agreements_nav"),
              _SETTLEMENTS, _COVERAGE, _DASHBOARD, NOTICES),
    "operator": (NavEntry("/operator", "networks.nav"), NOTICES),
}


def menu(role: str | None) -> tuple[NavEntry, ...]:
    return MENUS.get(role or "", (_CATALOGUE,))


def current_entry(entries: tuple[NavEntry, ...], path: str) -> NavEntry | None:
    """The entry of the page at ``path``: the one whose address is the path or, failing that, the
    longest one the path lies under ("/" only for itself and item pages of the catalogue)."""
    best: NavEntry | None = None
    for entry in entries:
        if path == entry.href:
            return entry
        under = path.startswith(entry.href.rstrip("/") + "/") if entry.href != "/" else path.startswith("/items/")
        if under and (best is None or len(entry.href) > len(best.href)):
            best = entry
    return best


MENU_COUNTS_KEY = "mn_menu_counts"
"""Scope key of {menu address: count of things waiting there}, set when the page's actor is resolved."""


def nav_items(actor: Any, request: Any) -> list[tuple[NavEntry, bool, int]]:
    """The actor's menu as (entry, is the current page, things waiting there) (the Jinja global
    ``nav_items``)."""
    path = request.url.path if request is not None else ""
    counts = (request.scope.get(MENU_COUNTS_KEY) or {}) if request is not None else {}
    entries = menu(getattr(actor, "role", None))
    current = current_entry(entries, path)
    return [(entry, entry == current, counts.get(entry.href, 0)) for entry in entries]
