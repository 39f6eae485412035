"""HTML pages of the bookings domain."""

ROUTES: list = []
