"""The one translation layer. The UI speaks German; the JSON API answers in English.

Messages live in per-domain catalogues (``<domain>/messages.py`` exporting ``MESSAGES``) so each
domain owns its words; ``translate`` looks a key up in the merged catalogue. Templates get ``_``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

DEFAULT_LANG = "de"
_DOMAINS = ("accounts", "networks", "catalogue", "bookings", "care", "ledger", "settlement", "exports", "web")

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
    "field.creditor_id": {
        "de": "Ungültige Gläubiger-Identifikationsnummer: {reason}",
        "en": "Invalid SEPA creditor identifier: {reason}",
    },
}


@lru_cache
def catalogue() -> dict[str, dict[str, str]]:
    merged = dict(COMMON)
    for domain in _DOMAINS:
        try:
            module = importlib.import_module(f"machinery_network.{domain}.messages")
        except ModuleNotFoundError as exc:
            if exc.name != f"machinery_network.{domain}.messages":
                raise
            continue
        merged.update(module.MESSAGES)
    return merged


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key.format(**params) if params else key
    text = entry.get(lang) or entry.get("en") or next(iter(entry.values()))
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def gettext_de(key: str, /, **params: Any) -> str:
    return translate(key, "de", **params)
