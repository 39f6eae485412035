"""The page frame's plumbing: favicon and manifest, static files under content-hashed URLs with long
cache headers and gzip, and every HTML error page in the German layout with the person's menu (the
JSON API keeps its JSON errors)."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest

from machinery_network.app import create_app
from machinery_network.config import Settings
from machinery_network.errors import TooManyRequests, Unavailable
from machinery_network.web import catalogue as catalogue_web
from machinery_network.web.assets import STATIC_DIR, static_hash, static_url
from tests.web_helpers import login, post_form

HTML = {"accept": "text/html"}


async def test_the_favicon_and_the_manifest_are_served(client):
    r = await client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in r.headers["cache-control"]
    r = await client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/manifest+json")
    manifest = r.json()
    assert manifest["lang"] == "de" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200
    page = await client.get("/login")
    assert f'href="{static_url("favicon.svg")}"' in page.text and 'href="/favicon.ico"' in page.text
    assert 'rel="manifest"' in page.text


async def test_static_files_have_hashed_urls_and_cache_for_a_year(client):
    page = (await client.get("/login")).text
    for name in ("app.css", "app.js", "htmx.min.js"):
        url = static_url(name)
        assert re.fullmatch(rf"/static/{re.escape(name)}\?v=[0-9a-f]{{12}}", url)
        assert url in page  # the layout links the hashed URL
        r = await client.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    bare = await client.get("/static/app.css")
    assert bare.headers["cache-control"] == "public, max-age=3600"  # without the hash: an hour only
    assert (await client.get("/static/missing.css")).headers.get("cache-control") != "public, max-age=31536000, immutable"


def test_the_hash_follows_the_content(tmp_path, monkeypatch):
    from machinery_network.web import assets

    (tmp_path / "x.css").write_text("a{}")
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    static_hash.cache_clear()
    try:
        first = static_hash("x.css")
        static_hash.cache_clear()
        (tmp_path / "x.css").write_text("b{}")
        assert static_hash("x.css") != first
        with pytest.raises(ValueError):
            static_hash("../etc/passwd")
    finally:
        static_hash.cache_clear()
    assert STATIC_DIR.name == "static"


async def test_static_files_are_gzipped_for_browsers_that_accept_it(client):
    raw = (STATIC_DIR / "htmx.min.js").read_bytes()
    async with client.stream("GET", static_url("htmx.min.js"), headers={"accept-encoding": "gzip"}) as r:
        body = b"".join([chunk async for chunk in r.aiter_raw()])
    assert r.headers["content-encoding"] == "gzip"
    assert len(body) < len(raw) / 2 and gzip.decompress(body) == raw
    plain = await client.get(static_url("htmx.min.js"), headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw
    # Pages and the API are not compressed (only static files are).
    api = await client.get("/health", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in api.headers


def _menu(text: str) -> list[str]:
    return re.findall(r'<li><a href="([^"]+)"', text)


async def test_error_pages_are_german_with_the_menu(client, world, monkeypatch):
    await login(client, world.farmer.user.email)
    # 404 of an unknown path (no handler ran: the menu comes from the session cookie)
    r = await client.get("/gibt-es-nicht", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden." in r.text and "Das hat nicht geklappt (404)" in r.text
    assert _menu(r.text) == ["/start", "/", "/bookings", "/care", "/account", "/notices"] and "Franz Bauer" in r.text
    assert "Zum Inhalt springen" in r.text and "Erklärung zur Barrierefreiheit" in r.text
    # 404 of a thing that does not exist, 403 of a page of another role
    r = await client.get("/items/999999", headers=HTML)
    assert r.status_code == 404 and _menu(r.text)[2] == "/bookings"
    r = await client.get("/admin", headers=HTML)
    assert r.status_code == 403 and "Berechtigung" in r.text and _menu(r.text)[2] == "/bookings"
    # 405: a GET-only page asked with PUT
    r = await client.put("/bookings", headers={**HTML, "x-csrftoken": client.cookies["mn_csrf"]})
    assert r.status_code == 405 and "nimmt diese Anfrage nicht an" in r.text and _menu(r.text)
    # 429, 500 and 503 raised by the page's service
    for error, status, words in ((TooManyRequests("auth.throttled", seconds=60), 429, "60 Sekunden"),
                                 (RuntimeError("boom"), 500, "Interner Fehler"),
                                 (Unavailable("db.unavailable"), 503, "nicht erreichbar")):
        async def failing(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(catalogue_web.service, "page_items", failing)  # the catalogue page (paged)
        r = await client.get("/", headers=HTML)
        assert r.status_code == status, (status, r.text[:300])
        assert words in r.text and "boom" not in r.text and _menu(r.text)[1] == "/"
    # The JSON API keeps JSON errors.
    r = await client.get("/api/v1/items/999999", headers=world.farmer.headers)
    assert r.status_code == 404 and r.json()["status_code"] == 404
    r = await client.get("/api/v1/nothing-here", headers={**HTML, **world.farmer.headers})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


async def test_error_pages_without_a_login_have_no_menu(client):
    r = await client.get("/gibt-es-nicht", headers=HTML)
    assert r.status_code == 404 and "Nicht gefunden." in r.text and _menu(r.text) == []
    r = await client.get("/admin", headers=HTML)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")  # 401: to the login


async def test_a_422_page_is_german_with_the_menu(client, world):
    await login(client, world.finance_north.user.email)
    r = await client.get("/finance/settlements/2026-01/export?municipality_id=keine-zahl", headers=HTML)
    assert r.status_code == 422, r.status_code
    assert "Das hat nicht geklappt (422)" in r.text and "/finance/settlements" in _menu(r.text)


async def test_a_too_large_upload_is_a_german_page_with_the_menu(tmp_path, sessionmaker, world):
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_UPLOAD_MAX_BYTES=1000)
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        await login(client, world.farmer.user.email)
        r = await post_form(client, "/care/report", {"note": "x" * 2_000_000}, headers=HTML)
        assert r.status_code == 413
        assert "zu groß (höchstens 1 KB)" in r.text and "Request Entity" not in r.text and _menu(r.text)[2] == "/bookings"


async def test_the_accessibility_statement_names_the_contact(tmp_path, sessionmaker):
    settings = Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="x" * 32, MN_ACCESSIBILITY_CONTACT="hilfe@werratal.example",
                        MN_BASE_URL="https://maschinen.werratal.example")
    app = create_app(settings, sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        r = await client.get("/barrierefreiheit")
        assert r.status_code == 200
        assert "<h1>Erklärung zur Barrierefreiheit</h1>" in r.text
        assert 'href="mailto:hilfe@werratal.example"' in r.text and "https://maschinen.werratal.example" in r.text
        assert 'href="/barrierefreiheit"' in (await client.get("/login")).text


async def test_the_service_worker_keeps_the_app_shell(client):
    from machinery_network.web.assets import shell_urls

    r = await client.get("/sw.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "no-cache"
    for url in shell_urls():
        assert f'"{url}"' in r.text  # the hashed URLs, as the pages link them
        assert (await client.get(url)).status_code == 200
    assert re.search(r'const VERSION = "[0-9a-f]{12}"', r.text) and 'const OFFLINE = "/offline"' in r.text
    offline = await client.get("/offline")
    assert offline.status_code == 200 and "Keine Verbindung" in offline.text
    assert 'navigator.serviceWorker.register("/sw.js")' in (await client.get(static_url("app.js"))).text
