"""The JSON API under /api/v1: thin controllers over the domain services (one module per domain)."""

from machinery_network.api import (
    accounts,
    bookings,
    care,
    catalogue,
    exports,
    ledger,
    mandates,
    partners,
    settlement,
)

ROUTES = [
    *accounts.ROUTES,
    *catalogue.ROUTES,
    *bookings.ROUTES,
    *care.ROUTES,
    *ledger.ROUTES,
    *partners.ROUTES,
    *mandates.ROUTES,
    *settlement.ROUTES,
    *exports.ROUTES,
]
