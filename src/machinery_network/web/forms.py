"""Form handling of the HTML pages, in one place: reading a posted form, turning form text into the
values the schemas expect, and ``form_action``, which runs a form's use case and turns a refusal into
the re-rendered form.

The one rule for refusals: 401 and 404 propagate (the app's error handler answers with the login
redirect or the German error page: the login is gone, or the thing the form acts on does not exist, so
there is no page to show the form on); every other validation or domain error, a 403 included, is
answered on the page where it was asked: the form re-rendered with the error's status code, the German
message and everything that was typed. The page's own loaders check again who may see what, so a
re-rendered page never shows more than a fresh visit would.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.datastructures import UploadFile
from pydantic import ValidationError

from machinery_network.errors import DomainError
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de

T = TypeVar("T")

PROPAGATE = frozenset({401, 404})
"""Status codes of domain errors that are not shown inside the form (see the module docstring)."""


# --- reading the posted form ---------------------------------------------------------------------


async def form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The posted text fields (the CSRF token left out)."""
    fields, _ = await form_with_upload(request)
    return fields


async def form_with_upload(
    request: Request[Any, Any, Any], upload_field: str = "photo"
) -> tuple[dict[str, str], UploadFile | None]:
    """The posted text fields and the file of ``upload_field`` (None when none was sent)."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}
    upload = form.get(upload_field)
    return fields, upload if isinstance(upload, UploadFile) else None


# --- form text → schema values ---------------------------------------------------------------------
# Each returns None for an empty field and hands unreadable text on unchanged, so that the schema
# reports it as invalid in its own words.


def int_field(value: str | None) -> int | str | None:
    """Form text → int for the strict id and count fields."""
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        return value


def int_or_none(value: str | None) -> int | None:
    """A filter's text → int; anything unreadable means "no filter"."""
    try:
        return int(value) if value else None
    except ValueError:
        return None


def present(values: dict[str, Any]) -> dict[str, Any]:
    """Empty form fields count as missing, so the schema says "Pflichtfeld." for required ones."""
    return {key: value for key, value in values.items() if value is not None}


def date_field(value: str | None) -> str | None:
    """A date input's text (ISO) or None when empty."""
    return value.strip() or None if value is not None else None


_GROUPED = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")  # 2.400 / 1.250,5
_PLAIN = re.compile(r"^-?\d+([.,]\d+)?$")  # 12 / 12,5 / 12.5
_CENTS = re.compile(r"^-?\d{1,9}(\.\d{1,2})?$")


def _number_text(value: str) -> str | None:
    """German number input → plain decimal text ('2.400' → '2400', '1.250,5' → '1250.5'); a dot
    followed by groups of three digits separates thousands, else it is read as a decimal point ('12.5',
    as a browser's number field sends it). None when the text is no number."""
    text = value.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if _GROUPED.match(text):
        return text.replace(".", "").replace(",", ".")
    if _PLAIN.match(text):
        return text.replace(",", ".")
    return None


def parse_euros(value: str | None) -> int | None | str:
    """'12,50' / '12.5' / '2.400' / '1.250,50 €' → cents; '' → None; anything else (or more than two
    decimals) is returned unchanged, so the schema reports it as invalid."""
    if value is None or not value.strip():
        return None
    text = _number_text(value)
    if text is None or not _CENTS.match(text):
        return value
    return int((Decimal(text) * 100).to_integral_value())


def parse_decimal(value: str | None) -> Decimal | None | str:
    """'1.250,5' / '2.400' / '12,5' / '12.5' → Decimal; '' → None; anything else unchanged."""
    if value is None or not value.strip():
        return None
    text = _number_text(value)
    if text is None:
        return value
    try:
        return Decimal(text)
    except InvalidOperation:
        return value


def euros_input(cents: int | None) -> str:
    """Cents → the text of an amount field ('12,50')."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}" if cents >= 0 else f"-{-cents // 100},{-cents % 100:02d}"


# --- errors → German messages --------------------------------------------------------------------

_ERROR_KEYS = {
    "missing": "field.required",
    "string_too_short": "field.required",
    "string_too_long": "field.too_long",
    "greater_than_equal": "field.at_least",
    "greater_than": "field.greater_than",
    "less_than_equal": "field.at_most",
    "less_than": "field.less_than",
}
# A bound of zero has its own words ("must not be negative", "must be greater than zero").
_ZERO_KEYS = {"greater_than_equal": "field.not_negative", "greater_than": "field.positive"}
_BOUND_OF = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}


def _bound_text(value: Any) -> str:
    """A limit of a number field as German pages write it (1.001; 0,5)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    return format_decimal_de(Decimal(str(value)))


def field_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic errors → {field: German message} for re-rendering a form; a number's limit is named."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err.get("loc") else "__all__"
        kind = err["type"]
        ctx = err.get("ctx") or {}
        bound = ctx.get(_BOUND_OF.get(kind, ""))
        key = _ERROR_KEYS.get(kind, "field.invalid")
        if kind in _ZERO_KEYS and bound is not None and not isinstance(bound, bool) and bound == 0:
            key = _ZERO_KEYS[kind]
        errors.setdefault(name, gettext_de(key, max=ctx.get("max_length", ""), limit=_bound_text(bound)))
    return errors


def domain_error_fields(exc: DomainError) -> tuple[dict[str, str], str]:
    """A domain error → ({field: message}, overall message), in German."""
    message = exc.message("de")
    return ({exc.field: message} if exc.field else {}), message


# --- the form action -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FormError:
    """A refused form post, ready for the page: status code, the overall German message and the
    messages per form field. ``validation`` tells a schema refusal (422) from a domain refusal."""

    status_code: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    validation: bool = False


def form_error(exc: ValidationError | DomainError, rename: Mapping[str, str] | None = None) -> FormError:
    """The refusal as the page shows it; ``rename`` maps schema field names to form field names."""
    if isinstance(exc, ValidationError):
        fields, message, status, validation = field_errors(exc), gettext_de("validation"), 422, True
    else:
        (fields, message), status, validation = domain_error_fields(exc), exc.status_code, False
    if rename:
        fields = {rename.get(name, name): text for name, text in fields.items()}
    return FormError(status, message, fields, validation)


async def form_action(
    action: Callable[[], Awaitable[T]],
    rerender: Callable[[FormError], Awaitable[Response[Any]] | Response[Any]],
    done: Callable[[T], Awaitable[Response[Any]] | Response[Any]],
    *,
    rename: Mapping[str, str] | None = None,
) -> Response[Any]:
    """Run a form's use case: ``done(result)`` on success (a redirect, or a page showing the result),
    else the form re-rendered by ``rerender`` with the refusal. ``action`` validates the form too, so
    both kinds of refusal land here; 401 and 404 propagate (``PROPAGATE``)."""
    try:
        result = await action()
    except ValidationError as exc:
        error = form_error(exc, rename)
    except DomainError as exc:
        if exc.status_code in PROPAGATE:
            raise
        error = form_error(exc, rename)
    else:
        return await _answer(done(result))
    return await _answer(rerender(error))


async def _answer(page: Awaitable[Response[Any]] | Response[Any]) -> Response[Any]:
    return await page if isinstance(page, Awaitable) else page
