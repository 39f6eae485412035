"""JSON routes of the settlement domain."""

ROUTES: list = []
