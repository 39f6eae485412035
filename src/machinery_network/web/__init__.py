"""HTML front end (Jinja + htmx): thin handlers over the same services as the JSON API."""

from machinery_network.web import (
    accounts,
    admin,
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
    municipalities,
    networks,
    people,
    settlement,
)

ROUTES = [
    *accounts.ROUTES,
    *admin.ROUTES,
    *networks.ROUTES,
    *people.ROUTES,
    *catalogue.ROUTES,
    *costing.ROUTES,
    *dashboards.ROUTES,
    *bookings.ROUTES,
    *draws.ROUTES,
    *machine.ROUTES,
    *care.ROUTES,
    *ledger.ROUTES,
    *settlement.ROUTES,
    *exports.ROUTES,
    *mandates.ROUTES,
    *municipalities.ROUTES,
]
