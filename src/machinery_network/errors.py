"""Typed domain errors. Services raise them; one handler per front end maps them to a status code
(API: JSON ``{status_code, detail, extra}``; web: the form re-rendered with the German message).

Each error carries a message key for the translation layer plus its parameters, so the API and the
forms say the same thing in their language.
"""

from __future__ import annotations

from typing import Any

from machinery_network.i18n import translate


class DomainError(Exception):
    status_code = 400

    def __init__(self, key: str, /, *, field: str | None = None, extra: Any = None, **params: Any) -> None:
        self.key = key
        self.params = params
        self.field = field
        self.extra = extra
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return translate(self.key, lang, **self.params)


class Invalid(DomainError):
    """Bad input the schema could not catch (business validation)."""

    status_code = 422


class NotAuthenticated(DomainError):
    status_code = 401

    def __init__(self, key: str = "auth.required", /, **kwargs: Any) -> None:
        super().__init__(key, **kwargs)


class NotAllowed(DomainError):
    status_code = 403

    def __init__(self, key: str = "auth.forbidden", /, **kwargs: Any) -> None:
        super().__init__(key, **kwargs)


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooLarge(DomainError):
    """An uploaded file over its size limit."""

    status_code = 413


class TooManyRequests(DomainError):
    status_code = 429


class Unavailable(DomainError):
    status_code = 503
