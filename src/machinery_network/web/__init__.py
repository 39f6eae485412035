"""HTML front end (Jinja + htmx): thin handlers over the same services as the JSON API."""

from machinery_network.web import (
    accessibility,
    accounts,
    admin,
    assets,
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
    people,
    settlement,
)

ROUTES = [
    *accessibility.ROUTES,
    *assets.ROUTES,
    *accounts.ROUTES,
    *admin.ROUTES,
    *people.ROUTES,
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
