"""The one translation layer. The UI speaks German; the JSON API answers in English.

Messages live in per-domain catalogues (``<domain>/messages.py`` exporting ``MESSAGES``) so each
domain owns its words; ``translate`` looks a key up in the merged catalogue. Templates get ``_``.
A new domain catalogue is imported by name in ``catalogues``; tests/test_i18n.py checks that every
entry has German and English and that every key the code and templates use exists.
"""

from __future__ import annotations

import string
from datetime import date
from functools import lru_cache
from typing import Any

DEFAULT_LANG = "de"
LANGUAGES = ("de", "en")

# Words shared by several domains.
COMMON: dict[str, dict[str, str]] = {
    "auth.required": {"de": "Bitte melden Sie sich an.", "en": "Authentication required."},
    "auth.forbidden": {"de": "Dafür fehlt Ihnen die Berechtigung.", "en": "You are not allowed to do this."},
    "auth.wrong_municipality": {
        "de": "Sie handeln nur für Ihre eigene Gemeinde.",
        "en": "You may only act for your own municipality.",
    },
    "auth.bad_credentials": {"de": "E-Mail oder Passwort ist falsch.", "en": "Wrong e-mail or password."},
    "auth.throttled": {
        "de": "Zu viele Fehlversuche. Bitte warten Sie {seconds} Sekunden.",
        "en": "Too many failed logins; try again in {seconds} seconds.",
    },
    "auth.csrf": {"de": "Das Formular ist abgelaufen. Bitte erneut senden.", "en": "CSRF token missing or wrong."},
    "validation": {"de": "Bitte prüfen Sie die Eingaben.", "en": "Validation failed."},
    "not_found": {"de": "Nicht gefunden.", "en": "Not found."},
    "db.unavailable": {
        "de": "Die Datenbank ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        "en": "The database is unavailable; try again shortly.",
    },
    "field.required": {"de": "Pflichtfeld.", "en": "This field is required."},
    "field.too_long": {"de": "Höchstens {max} Zeichen.", "en": "At most {max} characters."},
    "field.not_negative": {"de": "Darf nicht negativ sein.", "en": "Must not be negative."},
    "field.positive": {"de": "Muss größer als null sein.", "en": "Must be greater than zero."},
    "field.invalid": {"de": "Ungültiger Wert.", "en": "Invalid value."},
    "field.date": {"de": "Ungültiges Datum.", "en": "Invalid date."},
    "field.month": {"de": "Monat im Format JJJJ-MM angeben.", "en": "Month must be YYYY-MM."},
    "field.iban": {"de": "Ungültige IBAN: {reason}", "en": "Invalid IBAN: {reason}"},
    "field.bic": {"de": "Ungültige BIC: {reason}", "en": "Invalid BIC: {reason}"},
    # A client's retry of a request that creates something (``idempotency``).
    "idempotency.key_invalid": {
        "de": "Die Kennung der Meldung ist ungültig (1 bis {max} sichtbare Zeichen). Bitte laden Sie die Seite "
              "neu und senden Sie erneut.",
        "en": "Invalid Idempotency-Key: 1 to {max} visible ASCII characters (a UUID, say).",
    },
    "idempotency.key_twice": {
        "de": "Die Meldung trägt zwei verschiedene Kennungen. Bitte laden Sie die Seite neu.",
        "en": "The Idempotency-Key header and the form field idempotency_key differ.",
    },
    "idempotency.mismatch": {
        "de": "Dieses Formular wurde schon einmal mit anderen Angaben gesendet. Bitte prüfen Sie die Eingaben "
              "und senden Sie es erneut: es wird dann als neue Meldung gespeichert.",
        "en": "This Idempotency-Key was already used for another request; send a new key for a new request.",
    },
    "idempotency.unfinished": {
        "de": "Diese Meldung wird gerade noch verarbeitet. Bitte versuchen Sie es gleich noch einmal.",
        "en": "The first request with this Idempotency-Key has not finished; try again shortly.",
    },
    "field.creditor_id": {
        "de": "Ungültige Gläubiger-Identifikationsnummer: {reason}",
        "en": "Invalid SEPA creditor identifier: {reason}",
    },
}


Catalogue = dict[str, dict[str, str]]


def catalogues() -> dict[str, Catalogue]:
    """Every catalogue by its domain (imported here, not at module level: the domains import i18n)."""
    from machinery_network.accounts.messages import MESSAGES as accounts
    from machinery_network.bookings.messages import MESSAGES as bookings
    from machinery_network.care.messages import MESSAGES as care
    from machinery_network.catalogue.messages import MESSAGES as catalogue_
    from machinery_network.costing.messages import MESSAGES as costing
    from machinery_network.dashboards.messages import MESSAGES as dashboards
    from machinery_network.exports.messages import MESSAGES as exports
    from machinery_network.ledger.messages import MESSAGES as ledger
    from machinery_network.machine.messages import MESSAGES as machine
    from machinery_network.mandates.messages import MESSAGES as mandates
    from machinery_network.networks.messages import MESSAGES as networks
    from machinery_network.notifications.messages import MESSAGES as notices
    from machinery_network.settlement.messages import MESSAGES as settlement
    from machinery_network.web.messages import MESSAGES as web

    return {"common": COMMON, "accounts": accounts, "networks": networks, "catalogue": catalogue_, "bookings": bookings, "care": care,
            "costing": costing, "dashboards": dashboards, "ledger": ledger, "machine": machine,
            "settlement": settlement, "exports": exports, "mandates": mandates, "notices": notices, "web": web}


@lru_cache
def catalogue() -> Catalogue:
    merged: Catalogue = {}
    for domain_messages in catalogues().values():
        merged.update(domain_messages)
    return merged


class _TermFormatter(string.Formatter):
    """``{status:@status}`` in a message: the parameter is itself a word of the catalogue (``status.<value>``),
    shown in the message's language (a German message never shows the English value)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("@"):
            return translate(f"{format_spec[1:]}.{value}", self.lang)
        return str(super().format_field(value, format_spec))


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key.format(**params) if params else key
    text = entry.get(lang) or entry.get("en") or next(iter(entry.values()))
    try:
        return _TermFormatter(lang).format(text, **params) if ":@" in text else text.format(**params)
    except (KeyError, IndexError):
        return text


def gettext_de(key: str, /, **params: Any) -> str:
    return translate(key, "de", **params)


MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")


def month_label(month: date) -> str:
    """A month as German pages and messages name it: "November 2026" (never "2026-11")."""
    return f"{MONTHS_DE[month.month - 1]} {month.year}"
