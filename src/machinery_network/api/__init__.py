"""The JSON API under /api/v1: thin controllers over the domain services (one module per domain)."""

from machinery_network.api import accounts, bookings, care, catalogue, exports, ledger, networks, settlement

ROUTES = [
    *accounts.ROUTES,
    *networks.ROUTES,
    *catalogue.ROUTES,
    *bookings.ROUTES,
    *care.ROUTES,
    *ledger.ROUTES,
    *settlement.ROUTES,
    *exports.ROUTES,
]
