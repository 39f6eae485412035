"""HTML front end (Jinja + htmx): thin handlers over the same services as the JSON API."""

from machinery_network.web import (
    accounts,
    admin,
    bookings,
    care,
    catalogue,
    costing,
    dashboards,
    exports,
    ledger,
    machine,
    mandates,
    municipalities,
    networks,
    notices,
    people,
    settlement,
)

ROUTES = [
    *accounts.ROUTES,
    *admin.ROUTES,
    *networks.ROUTES,
    *people.ROUTES,
    *notices.ROUTES,
    *catalogue.ROUTES,
    *costing.ROUTES,
    *dashboards.ROUTES,
    *bookings.ROUTES,
    *machine.ROUTES,
    *care.ROUTES,
    *ledger.ROUTES,
    *settlement.ROUTES,
    *exports.ROUTES,
    *mandates.ROUTES,
    *municipalities.ROUTES,
]
