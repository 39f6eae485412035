"""JSON routes of the care domain."""

ROUTES: list = []
