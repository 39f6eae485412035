"""The JSON API: thin controllers over the domain services (one module per domain), mounted under one
``Router`` at ``API_PREFIX`` (/api/v1); handlers name their paths relative to it."""

from litestar import Router
from litestar.di import Provide

from machinery_network.api import (
    accounts,
    bookings,
    care,
    catalogue,
    costing,
    dashboards,
    draws,
    exports,
    ledger,
    machine,
    mandates,
    networks,
    notices,
    paging,
    partners,
    people,
    settlement,
)

API_PREFIX = "/api/v1"

ROUTES = [
    *accounts.ROUTES,
    *networks.ROUTES,
    *people.ROUTES,
    *notices.ROUTES,
    *catalogue.ROUTES,
    *costing.ROUTES,
    *dashboards.ROUTES,
    *bookings.ROUTES,
    *draws.ROUTES,
    *machine.ROUTES,
    *care.ROUTES,
    *ledger.ROUTES,
    *partners.ROUTES,
    *mandates.ROUTES,
    *settlement.ROUTES,
    *exports.ROUTES,
]


def api_router() -> Router:
    """A fresh router per app (Litestar binds a router to the app it is registered on)."""
    return Router(path=API_PREFIX, route_handlers=ROUTES, dependencies={"paging": Provide(paging.provide_paging)})
