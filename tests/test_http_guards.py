"""What every answer holds regardless of the route: bounded request bodies (depth and size), security
headers on HTML (a CSP without inline code), and password hashing off the event loop."""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from machinery_network.app import create_app
from machinery_network.config import Settings
from machinery_network.middleware import CONTENT_SECURITY_POLICY, MAX_JSON_DEPTH, json_too_deep

DEEP = b"[" * 200_000 + b"]" * 200_000
DEEP_OBJECT = b'{"geometry": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}"


def _write_routes(app) -> list[tuple[str, str]]:
    routes = []
    for route in app.routes:
        for method in getattr(route, "route_handler_map", {}):
            if method in ("POST", "PUT", "PATCH"):
                path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
                path = re.sub(r"\{[^}:]+(:[a-z]+)?\}", "x", path)
                routes.append((method, path))
    return sorted(set(routes))


def test_json_depth_is_measured_without_recursion():
    assert json_too_deep(DEEP)
    assert json_too_deep(DEEP_OBJECT)
    assert not json_too_deep(b'{"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, 6], [1, 2]]]}')
    assert not json_too_deep(b'{"name": "' + b"[" * 10_000 + b'"}')  # brackets in strings do not count
    assert not json_too_deep(b'{"a": "\\"[[[[", "b": 1}')
    nested = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert not json_too_deep(nested) and json_too_deep(b"[" + nested + b"]")


async def test_deeply_nested_json_is_a_4xx_on_every_writing_route(client, world):
    routes = _write_routes(client._transport.app)
    assert len(routes) >= 20 and ("POST", "/api/v1/sections") in routes
    for method, path in routes:
        for headers in ({}, world.admin.headers, world.yard_north.headers):
            for body in (DEEP, DEEP_OBJECT):
                r = await client.request(method, path, content=body,
                                         headers={**headers, "content-type": "application/json"})
                assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text[:200])
    r = await client.post("/api/v1/sections", content=DEEP_OBJECT,
                          headers={**world.yard_north.headers, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"] == f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


async def test_a_body_over_the_size_limit_is_413(tmp_path, sessionmaker, world):
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_UPLOAD_MAX_BYTES=1000)
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        r = await client.post("/api/v1/sections", content=b'{"name": "' + b"x" * 2_000_000 + b'"}',
                              headers={**world.yard_north.headers, "content-type": "application/json"})
        assert r.status_code == 413


async def test_html_answers_carry_the_security_headers(client):
    for path in ("/login", "/this-page-does-not-exist"):
        r = await client.get(path, headers={"accept": "text/html"})
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    r = await client.get("/static/htmx.min.js")
    assert r.status_code == 200 and r.headers["x-content-type-options"] == "nosniff"


def test_templates_hold_no_inline_script_or_style():
    from pathlib import Path

    import machinery_network

    root = Path(machinery_network.__file__).parent / "web" / "templates"
    offending = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style", r"\sstyle=", r"\son[a-z]+=", r"hx-on", r"javascript:"):
            if re.search(pattern, text):
                offending.append(f"{template.relative_to(root)}: {pattern}")
    assert offending == []


async def test_password_hashing_runs_off_the_event_loop(client, world, monkeypatch):
    from machinery_network.accounts import security

    threads = []
    verify = security.verify_password

    def recording(password_hash, password):
        threads.append(threading.current_thread())
        return verify(password_hash, password)

    monkeypatch.setattr(security, "verify_password", recording)
    r = await client.post("/api/v1/auth/token", json={"email": world.farmer.user.email, "password": "wrong-pw"})
    assert r.status_code in (400, 401)
    assert threads and all(t is not threading.main_thread() for t in threads)


@pytest.mark.parametrize("password", ["ein-gutes-passwort"])
async def test_hashing_is_awaitable(password):
    from machinery_network.accounts.security import hash_password_async, verify_password_async

    hashed = await hash_password_async(password)
    assert await verify_password_async(hashed, password)
    assert not await verify_password_async(hashed, password + "x")


async def test_the_map_tile_host_is_allowed_for_images_only(sessionmaker, tmp_path):
    from machinery_network.config import BASEMAP_DE_TILES

    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_MAP_TILES=BASEMAP_DE_TILES)
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        csp = (await client.get("/login", headers={"accept": "text/html"})).headers["content-security-policy"]
    assert "img-src 'self' data: https://sgx.geodatenzentrum.de;" in csp
    assert csp.count("geodatenzentrum") == 1
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in CONTENT_SECURITY_POLICY
    subdomains = Settings(MN_MAP_TILES="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert subdomains.map_tile_host == "https://*.tile.example.org"
    for bad in ("ftp://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/tile.png",
                "https://tiles.example.org'; script-src *;/{z}/{x}/{y}"):
        with pytest.raises(ValueError):
            Settings(MN_MAP_TILES=bad)
