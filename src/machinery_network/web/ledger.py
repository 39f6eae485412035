"""HTML pages of the ledger domain."""

ROUTES: list = []
