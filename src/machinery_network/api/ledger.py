"""JSON routes of the ledger domain."""

ROUTES: list = []
