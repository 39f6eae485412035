"""Ledger: append-only money movements per (farmer, municipality) account."""
