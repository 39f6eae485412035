"""Advisory lock keys shared by the Python code and the database's triggers.

``pg_advisory_xact_lock(POSTING_LOCK, municipality_id)``: every posting of a ledger entry takes it shared
(trigger ``mn_ledger_assign``, migration 0002, which imports it from here: the number is part of the
database's triggers and must never change); settling a municipality takes it exclusively.
"""

POSTING_LOCK = 0x4D4E0002
