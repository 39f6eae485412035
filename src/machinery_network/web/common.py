"""Helpers shared by the HTML handlers: rendering with the actor, form parsing, German field errors."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template
from pydantic import ValidationError

from machinery_network.auth import Actor
from machinery_network.errors import DomainError
from machinery_network.i18n import gettext_de


def render(template: str, actor: Actor | None, *, status_code: int = 200, **context: Any) -> Template:
    return Template(template, context={"actor": actor, **context}, status_code=status_code)


def redirect(path: str, request: Request | None = None) -> Redirect | Template:
    """After a successful form post: a redirect (htmx gets HX-Redirect so the whole page changes)."""
    if request is not None and request.headers.get("hx-request") == "true":
        from litestar import Response

        return Response(content="", status_code=200, headers={"HX-Redirect": path})  # type: ignore[return-value]
    return Redirect(path, status_code=303)


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}


_ERROR_KEYS = {
    "missing": "field.required",
    "string_too_short": "field.required",
    "string_too_long": "field.too_long",
    "greater_than_equal": "field.not_negative",
    "greater_than": "field.positive",
}


def field_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic errors → {field: German message} for re-rendering a form."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else "__all__"
        key = _ERROR_KEYS.get(err["type"], "field.invalid")
        ctx = err.get("ctx") or {}
        errors.setdefault(field, gettext_de(key, max=ctx.get("max_length", "")))
    return errors


def domain_error_fields(exc: DomainError) -> tuple[dict[str, str], str]:
    """A domain error → ({field: message}, overall message), in German."""
    message = exc.message("de")
    return ({exc.field: message} if exc.field else {}), message


_CENTS = re.compile(r"^-?\d{1,9}([.,]\d{1,2})?$")


def parse_euros(value: str | None) -> int | None | str:
    """'12,50' / '12.5' / '12' → 1250 cents; '' → None; anything else is returned unchanged
    (so the schema reports it as invalid)."""
    if value is None or not value.strip():
        return None
    text = value.strip().replace(" ", "").replace("€", "")
    if "," in text and "." in text:  # 1.234,50
        text = text.replace(".", "")
    if not _CENTS.match(text):
        return value
    return int((Decimal(text.replace(",", ".")) * 100).to_integral_value())


def parse_decimal(value: str | None) -> Decimal | None | str:
    if value is None or not value.strip():
        return None
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return value


def euros_input(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}" if cents >= 0 else f"-{-cents // 100},{-cents % 100:02d}"
