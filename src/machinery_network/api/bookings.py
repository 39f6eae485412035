"""JSON routes of the bookings domain."""

ROUTES: list = []
