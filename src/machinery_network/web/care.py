"""HTML pages of the care domain."""

ROUTES: list = []
