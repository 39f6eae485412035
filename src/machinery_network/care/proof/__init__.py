"""The winter-service proof: the query with its gaps (``query``) and its CSV and PDF files (``files``)."""

from __future__ import annotations

from machinery_network.care.proof.files import FORMATS, ProofFile, check_format, duty_text, filename, render
from machinery_network.care.proof.query import PROOF_MAX_DAYS, Gap, ProofRow, WinterProof, winter_proof

__all__ = [
    "FORMATS",
    "PROOF_MAX_DAYS",
    "Gap",
    "ProofFile",
    "ProofRow",
    "WinterProof",
    "check_format",
    "duty_text",
    "filename",
    "render",
    "winter_proof",
]
