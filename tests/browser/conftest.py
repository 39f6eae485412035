"""Browser tests: the real service in a subprocess, driven by Debian's Chromium through Playwright.

Once per session: a fresh database on the test server (TEST_DATABASE_URL's, else the embedded one),
``machinery-network serve --no-scheduler --demo`` on a free loopback port with its own MN_DATA_DIR,
and one headless Chromium. Each test opens its own browser contexts (one per person, so cookies are
separate), 1280×800 like the screenshots in ``docs/screenshots/``.

Skipped with a reason when the ``browser`` extra (playwright) or ``/usr/bin/chromium`` is missing;
``.ci/browser`` installs both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from machinery_network.testing import scratch_database

CHROMIUM = Path(os.environ.get("MN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=de-DE",  # German date and time inputs in the screenshots, as the users see them
]
VIEWPORT = {"width": 1280, "height": 800}
REPO = Path(__file__).resolve().parents[2]
# A test run must not rewrite tracked files: screenshots go to a temporary folder unless
# MN_SCREENSHOT_DIR names one (MN_SCREENSHOT_DIR=docs/screenshots refreshes the README's pictures).
SCREENSHOTS = Path(os.environ.get("MN_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "mn-screenshots")
DEMO_PASSWORD = "demo-passwort"
# The flows play in June of next year: far enough from the demo's bookings, which lie around today.
SEASON = datetime.now(UTC).year + 1

# Demo logins (demo.py): farmer Karl Hartung cares for "Feldweg Am Rasdorfer Berg" in Gerstungen.
FARMER = "karl.hartung@landwirt.example"
YARD_HEAD = "bauhof@gerstungen.example"
FINANCE = "kaemmerei@gerstungen.example"
OTHER_YARD_HEAD = "bauhof@berka-werra.example"


def _missing_browser() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[browser]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_browser()
    if reason is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    url: str
    database_url: str
    data_dir: Path
    clock_file: Path
    log_file: Path
    process: subprocess.Popen

    def set_now(self, instant: datetime) -> None:
        """Move the service's clock so that "now" is ``instant`` (time keeps running from there)."""
        offset = (instant - datetime.now(UTC)).total_seconds()
        self.clock_file.write_text(f"{offset:.3f}")

    def reset_clock(self) -> None:
        self.clock_file.write_text("0")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


async def _wait_for_health(service: Service, limit_s: float = 90.0) -> None:
    deadline = time.monotonic() + limit_s
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"serve exited with {service.process.returncode}:\n{service.log_tail()}")
            try:
                if (await http.get(f"{service.url}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"serve did not become healthy in {limit_s:.0f} s:\n{service.log_tail()}")


def _spawn(args: list[str], env: dict[str, str], log_file: Path, cwd: Path) -> subprocess.Popen:
    with log_file.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("serve_with_clock.py")), *args],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
        )


@pytest.fixture(scope="session")
async def service(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    reason = _missing_browser()
    if reason:
        pytest.skip(reason)
    async with scratch_database(server_url, "mn_browser", migrate=False) as database_url:
        async for svc in _serve(database_url, tmp_path_factory):
            yield svc


async def _serve(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    workdir = tmp_path_factory.mktemp("browser-service")
    data_dir = workdir / "data"
    clock_file = workdir / "clock"
    clock_file.write_text("0")
    log_file = workdir / "serve.log"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MN_DATA_DIR": str(data_dir),
        "MN_SECRET_KEY": "browser-test-secret",
        "MN_TEST_CLOCK_FILE": str(clock_file),
        "MN_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.pop("MN_SMTP_URL", None)
    process = _spawn(["serve", "--no-scheduler", "--demo", "--port", str(port)], env, log_file, workdir)
    svc = Service(f"http://127.0.0.1:{port}", database_url, data_dir, clock_file, log_file, process)
    try:
        await _wait_for_health(svc)
        yield svc
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


@pytest.fixture(scope="session")
async def browser(service: Service):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        # German date/time inputs need Debian's chromium-l10n next to --lang (.ci/browser installs it).
        env = {**os.environ, "LANG": "de_DE.UTF-8", "LANGUAGE": "de_DE:de"}
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                            env=env)
        try:
            yield chromium
        finally:
            await chromium.close()


class Browsing:
    """Opens one browser context per person (own cookies), logs in through the form."""

    def __init__(self, browser, service: Service):
        self.browser = browser
        self.service = service
        self.contexts: list = []

    async def page(self, email: str | None = None, password: str = DEMO_PASSWORD):
        context = await self.browser.new_context(
            base_url=self.service.url, viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = await context.new_page()
        if email is not None:
            await login(page, email, password)
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


async def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    await page.goto("/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    async with page.expect_navigation():
        await page.click("form[action='/login'] button[type=submit]")


@pytest.fixture
async def browsing(browser, service: Service) -> AsyncIterator[Browsing]:
    session = Browsing(browser, service)
    try:
        yield session
    finally:
        await session.close()
        service.reset_clock()


def _screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


async def screenshot(page, name: str) -> Path:
    """Save the viewport (1280×800) as docs/screenshots/<name>.png for the README."""
    path = _screenshot_path(name)
    await page.screenshot(path=str(path), full_page=False)
    return path
