"""HTML pages of the settlement domain."""

ROUTES: list = []
