"""Static files: content-hashed URLs for the templates, long cache headers for them, the favicon.

``static_url("app.css")`` is ``/static/app.css?v=<hash of the file>``: a changed file gets a new URL,
so a browser may keep every hashed URL for a year (``cache_headers``). Files are hashed once per
process (they ship with the package and do not change while it runs).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from litestar import get
from litestar.response import File, Template

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static/"
LONG_CACHE = b"public, max-age=31536000, immutable"
SHORT_CACHE = b"public, max-age=3600"


@lru_cache(maxsize=64)
def static_hash(name: str) -> str:
    """The first 12 hex digits of the file's SHA-256; a name outside the static folder is refused."""
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise ValueError(f"no static file {name!r}")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The URL of a static file with its content hash (the Jinja global ``static_url``)."""
    return f"{STATIC_PREFIX}{name}?v={static_hash(name)}"


def cache_control(path: str, query_string: bytes) -> bytes | None:
    """The Cache-Control header of a static answer: a year for a hashed URL, an hour otherwise
    (the favicon and icons browsers ask for by their bare name); None for every other path."""
    if path.startswith(STATIC_PREFIX):
        return LONG_CACHE if b"v=" in query_string else SHORT_CACHE
    if path in ("/favicon.ico", "/manifest.webmanifest"):
        return SHORT_CACHE
    return None


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    return File(STATIC_DIR / "favicon.ico", media_type="image/x-icon", content_disposition_type="inline")


@get("/manifest.webmanifest", include_in_schema=False, sync_to_thread=False)
def manifest() -> File:
    """The web app manifest (installable on a phone's home screen)."""
    return File(STATIC_DIR / "manifest.webmanifest", media_type="application/manifest+json",
                content_disposition_type="inline")


# The app shell the service worker keeps for use without a connection.
SHELL_FILES = ("app.css", "outbox.js", "app.js", "htmx.min.js", "favicon.svg", "icon-192.png", "icon-512.png")


def shell_urls() -> list[str]:
    return [static_url(name) for name in SHELL_FILES]


@get("/sw.js", include_in_schema=False, sync_to_thread=False)
def service_worker() -> Template:
    """The service worker, at the root so its scope is the whole app; never cached by the browser's
    HTTP cache (browsers check it for updates), its version follows the shell's content hashes."""
    shell = shell_urls()
    version = hashlib.sha256("|".join(shell).encode()).hexdigest()[:12]
    return Template("sw.js", context={"shell": shell, "version": version, "outbox": static_url("outbox.js")},
                    media_type="text/javascript",
                    headers={"cache-control": "no-cache"})


@get("/offline", include_in_schema=False, sync_to_thread=False)
def offline_page() -> Template:
    """What the service worker shows when a page cannot be loaded (no connection)."""
    return Template("offline.html", context={"actor": None})


ROUTES = [favicon, manifest, service_worker, offline_page]
