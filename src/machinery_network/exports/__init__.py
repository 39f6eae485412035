"""Finance exports of a frozen settlement: CSV, DATEV, PDF statements, SEPA (see ``service``)."""
