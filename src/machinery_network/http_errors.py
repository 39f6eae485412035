"""How errors become answers: JSON (``{"status_code", "detail", "extra"}``) for the API and for
clients that do not ask for HTML, a German error page with the person's menu for the browser. Domain
errors keep their status; an unreachable database is a 503, a value the database refuses a 422, anything
else a logged 500.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Template
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from machinery_network.api import API_PREFIX
from machinery_network.dependencies import ACTOR_KEY
from machinery_network.errors import DomainError, Unavailable
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de

log = logging.getLogger(__name__)


def _is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(API_PREFIX) or path == "/health" or not _wants_html(request)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


def _json_error(status_code: int, detail: str, extra: Any = None) -> Response[Any]:
    body: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if extra is not None:
        body["extra"] = extra
    return Response(body, status_code=status_code, media_type=MediaType.JSON)



class _MenuOwner:
    """Who the menu of an error page belongs to when the request never resolved its actor (an unknown
    path answers before any dependency runs): name and role as the session cookie holds them. Only the
    menu is drawn from it; every page behind the menu checks the login again."""

    def __init__(self, role: str, name: str) -> None:
        self.role = role
        self.name = name


def _menu_owner(request: Request[Any, Any, Any]) -> Any:
    actor = request.scope.get(ACTOR_KEY)
    if actor is not None:
        return actor
    backend = request.app.state.get("session_backend")
    if backend is None or request.url.path.startswith(API_PREFIX):
        return None
    try:
        keys = backend.get_cookie_keys(request)
        data = backend.load_data([request.cookies[key].encode() for key in keys]) if keys else {}
    except Exception:  # noqa: BLE001 - a damaged or foreign cookie means: no menu
        return None
    role = data.get("role")
    if not isinstance(data.get("uid"), int) or not isinstance(role, str):
        return None
    return _MenuOwner(role, str(data.get("name") or ""))


# Messages of the error pages whose exceptions carry no German text of their own.
_HTML_ERROR_KEYS = {
    400: "error.bad_request",
    403: "auth.forbidden",
    404: "not_found",
    405: "error.method",
    413: "error.too_large",
    429: "error.too_many",
    500: "error.internal",
    503: "db.unavailable",
}


def _html_error(request: Request[Any, Any, Any], status_code: int, message: str) -> Response[Any]:
    if status_code == 401:
        from litestar.response import Redirect

        return Redirect(f"/login?next={request.url.path}")
    if status_code == 413:  # the upload limit in words, not Litestar's English reason
        limit = request.app.state.settings.upload_max_bytes
        size = (f"{format_decimal_de(round(limit / 1048576, 1))} MB" if limit >= 1048576
                else f"{-(-limit // 1024)} KB")
        message = gettext_de("error.too_large", size=size)
    return Template(
        "error.html",
        context={"status_code": status_code, "message": message, "actor": _menu_owner(request)},
        status_code=status_code,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if _is_api(request):
        extra = exc.extra if exc.extra is not None else ({"field": exc.field} if exc.field else None)
        return _json_error(exc.status_code, exc.message("en"), extra)
    return _html_error(request, exc.status_code, exc.message("de"))


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Schema validation failures are 422 (the contract's bad-input status), with the field errors."""
    if _is_api(request):
        return _json_error(422, exc.detail or "Validation failed", exc.extra)
    return _html_error(request, 422, gettext_de("validation"))


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if _is_api(request):
        return _json_error(exc.status_code, exc.detail, exc.extra or None)
    if exc.status_code == 403 and "csrf" in (exc.detail or "").lower():
        message = gettext_de("auth.csrf")
    else:  # Litestar's reasons are English: the page says it in German
        message = gettext_de(_HTML_ERROR_KEYS.get(exc.status_code, "error.bad_request"))
    return _html_error(request, exc.status_code, message)


def database_down_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database is unreachable or every pooled connection stays busy past the pool's timeout:
    503, and the pool reconnects once the database answers again."""
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated and not is_connection_error(exc):
        return internal_error_handler(request, exc)
    log.warning("database unavailable: %s", exc)
    err = Unavailable("db.unavailable")
    if _is_api(request):
        return _json_error(503, err.message("en"))
    return _html_error(request, 503, err.message("de"))


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from, is a lost, refused or closed database connection."""
    import asyncpg

    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(
            chain,
            ConnectionError
            | OSError
            | asyncpg.exceptions.CannotConnectNowError
            | asyncpg.exceptions.ConnectionDoesNotExistError
            | asyncpg.exceptions.AdminShutdownError
            | asyncpg.exceptions.InterfaceError,
        ):
            return True
        chain = chain.__cause__ or getattr(chain, "orig", None)
        if chain is exc:
            break
    return False


def _is_bad_value(exc: BaseException) -> bool:
    """A value PostgreSQL (or asyncpg, before sending) refuses as data: an integer beyond int4 in a
    query parameter, a NUL character in text, a number out of range (SQLSTATE class 22)."""
    import asyncpg

    chain: BaseException | None = exc
    for _ in range(5):
        if chain is None:
            break
        if isinstance(chain, asyncpg.exceptions.DataError):
            return True
        chain = chain.__cause__ or getattr(chain, "orig", None)
    return False


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_connection_error(exc):
        return database_down_handler(request, OperationalError("", {}, exc))
    if _is_bad_value(exc):  # bad input that slipped past the schemas: 422, never a 500
        log.info("value refused by the database on %s %s: %s", request.method, request.url.path, exc)
        if _is_api(request):
            return _json_error(422, "Invalid value", {"reason": str(getattr(exc, "orig", exc)).splitlines()[0]})
        return _html_error(request, 422, gettext_de("validation"))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return _json_error(500, "Internal server error")
    return _html_error(request, 500, gettext_de("error.internal"))



EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    NotFoundException: http_error_handler,
    HTTPException: http_error_handler,
    OperationalError: database_down_handler,
    InterfaceError: database_down_handler,
    PoolTimeout: database_down_handler,
    ConnectionError: database_down_handler,
    OSError: database_down_handler,
    Exception: internal_error_handler,
}
