"""Contract partners of a municipality and the SEPA mandates its farmers signed.

``partners`` answers who a municipality may charge or credit (``is_partner``, ``partner_ids``);
``service`` records, amends and revokes mandates and picks the one a debit file uses.
"""
