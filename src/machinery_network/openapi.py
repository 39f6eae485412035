"""The published OpenAPI 3.1 document, made trustworthy in one place instead of in every controller.

Litestar generates the document from the handlers; ``finalize`` then adds what a generated client
needs and the handlers do not say:

- every operation documents the JSON error answers (400/401/403/404/409/413/422/429/503, one ``Error``
  schema), public routes (``PUBLIC_PATHS``) none of the authentication ones and no security requirement;
- path parameters carry their patterns (``month``: ``^\\d{4}-\\d{2}$``; ids: 1 … 2³¹−1);
- file responses name their media types and headers (``FILE_RESPONSES``; the SEPA export's
  ``X-SEPA-*`` headers);
- defaults agree with their schema's type (a Decimal default, published as ``"0"``, of a number becomes ``0``).

Decimals (percentages, quantities) are documented as JSON numbers, which is what the API returns
(``schemas.DecimalOut``): ``DecimalSchemaPlugin``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

PUBLIC_PATHS = frozenset({
    "/health", "/api/v1/health", "/api/v1/auth/token", "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
})
PATH_PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2026-10"]},
}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status_code", "detail"],
    "properties": {
        "status_code": {"type": "integer"},
        "detail": {"type": "string"},
        "extra": {"description": "Details: the field at fault, the validation errors, the rule broken."},
    },
}
ERROR_ANSWERS = {
    "400": "Malformed request",
    "401": "Not authenticated (no, an expired or a revoked bearer token)",
    "403": "Authenticated but not allowed (role, municipality)",
    "404": "Not found (or not visible to the caller)",
    "409": "Conflict with the current state",
    "413": "Request body or uploaded file too large",
    "422": "Invalid input; `extra` names the field",
    "429": "Too many requests; try again later",
    "503": "The database is unavailable; try again shortly",
}
AUTH_ANSWERS = ("401", "403")
# Public routes that still answer 401 (wrong e-mail or password).
PUBLIC_WITH_401 = frozenset({"/api/v1/auth/token"})

_BINARY = {"type": "string", "format": "binary"}
_SEPA_HEADERS = {
    "X-SEPA-Exceptions": "Farmers left out of the SEPA file: `farmer_id:reason`, comma separated "
                         "(reason: no_iban, invalid_iban or no_mandate)",
    "X-SEPA-Exception-Count": "How many farmers were left out",
    "X-SEPA-Transactions": "Transactions in the file",
    "X-SEPA-Total-Cents": "Sum of the file's transactions in cents",
}
# path → (media types of the 200 answer, headers it may carry)
FILE_RESPONSES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "/api/v1/settlements/{month}/export": (
        ("text/csv", "application/pdf", "application/xml"), _SEPA_HEADERS,
    ),
    "/api/v1/statements/{month}": (("application/pdf",), {}),
    "/api/v1/care-logs/{care_log_id}/photo": (("image/jpeg", "image/png", "image/webp"), {}),
    "/api/v1/sections/winter-proof": (("text/csv", "application/pdf"), {}),
    "/api/v1/sections/{section_id}/winter-proof": (("text/csv", "application/pdf"), {}),
    "/api/v1/me/export": (("application/zip",), {}),
    "/api/v1/mandates/{mandate_id}/scan": (("application/pdf", "image/jpeg", "image/png"), {}),
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class DecimalSchemaPlugin(OpenAPISchemaPlugin):
    """Decimals are JSON numbers in and out (Litestar documents them as strings by default)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Decimal

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = Schema(type=OpenAPIType.NUMBER)
        limits = field_definition.kwarg_definition
        if limits is not None:
            for source, target in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusive_minimum"),
                                   ("lt", "exclusive_maximum")):
                value = getattr(limits, source, None)
                if value is not None:
                    setattr(schema, target, float(value))
        return schema


def _fix_defaults(node: Any) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        default = node.get("default")
        if isinstance(default, str | Decimal) and kind in ("number", "integer"):
            try:
                number = Decimal(default)
            except ArithmeticError:
                del node["default"]
            else:
                node["default"] = int(number) if kind == "integer" or number == number.to_integral() else float(number)
        for value in node.values():
            _fix_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _fix_defaults(value)


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def finalize(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of Litestar's ``document`` with the additions described in the module docstring."""
    doc = copy.deepcopy(document)
    doc.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _fix_defaults(doc["components"]["schemas"])
    for path, item in doc.get("paths", {}).items():
        public = path in PUBLIC_PATHS
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            _fix_defaults(operation.get("parameters", []))
            _fix_defaults(operation.get("requestBody", {}))
            if public:
                operation["security"] = []
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_ANSWERS.items():
                if public and code in AUTH_ANSWERS and not (code == "401" and path in PUBLIC_WITH_401):
                    continue
                responses[code] = _error_response(description)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path":
                    continue
                name = parameter.get("name", "")
                if name in PATH_PARAMETER_SCHEMAS:
                    parameter["schema"] = dict(PATH_PARAMETER_SCHEMAS[name])
                elif parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"] = dict(ID_SCHEMA)
            if method == "get" and path in FILE_RESPONSES:
                media_types, headers = FILE_RESPONSES[path]
                ok = responses.setdefault("200", {"description": "The file"})
                ok["content"] = {media: {"schema": dict(_BINARY)} for media in media_types}
                ok["headers"] = {
                    "Content-Disposition": {"description": "attachment or inline, with the file name",
                                            "schema": {"type": "string"}},
                    **{name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()},
                }
    return doc


class FinalizedJsonRenderPlugin(JsonRenderPlugin):
    """Serves ``finalize``'s document at ``/schema/openapi.json`` (computed once per app)."""

    def __init__(self) -> None:
        super().__init__()
        self._finalized: dict[str, Any] | None = None
        self._source: dict[str, Any] | None = None

    def render(self, request: Any, openapi_schema: dict[str, Any]) -> bytes:
        if self._finalized is None or self._source is not openapi_schema:
            self._source, self._finalized = openapi_schema, finalize(openapi_schema)
        return super().render(request, self._finalized)
