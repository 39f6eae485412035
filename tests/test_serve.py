"""`machinery-network serve` as a real process on the embedded PostgreSQL: data survives restarts,
SIGTERM stops the database too, and a SIGKILLed server's handle does not keep PostgreSQL alive forever."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None and os.environ.get("MN_TEST_SERVE") != "1",
    reason="exercises the embedded server; runs in the embedded test pass",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_running(data_dir: Path) -> bool:
    pgdata = str((data_dir / "pg").resolve())
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if proc.info["name"] == "postgres" and pgdata in " ".join(proc.info["cmdline"] or []):
                return True
        except psutil.Error:
            continue
    return False


def _wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def _start(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(MN_DATA_DIR=str(data_dir), MN_SECRET_KEY="serve-test")
    return subprocess.Popen(
        [sys.executable, "-m", "machinery_network.cli", "serve", "--port", str(port), "--no-scheduler", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def test_serve_keeps_data_and_stops_the_embedded_database(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    proc = _start(data_dir, port, "--demo")
    try:
        assert _wait_until(lambda: _get(f"http://127.0.0.1:{port}/health")[0] == 200, 60), proc.stdout
        status, body = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and "Anmelden" in body.decode()
        assert _postgres_running(data_dir)
    finally:
        output = _stop(proc)
    assert "demo-passwort" in output
    assert _wait_until(lambda: not _postgres_running(data_dir), 15), "SIGTERM must stop PostgreSQL too"

    # Restart without --demo: the demo data is still there.
    proc = _start(data_dir, port)
    try:
        assert _wait_until(lambda: _get(f"http://127.0.0.1:{port}/health")[0] == 200, 60)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data=json.dumps({"email": "bauhof@gerstungen.example", "password": "demo-passwort"}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    finally:
        _stop(proc)
    assert _wait_until(lambda: not _postgres_running(data_dir), 15)


def test_a_killed_server_does_not_leave_postgres_running_forever(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    proc = _start(data_dir, port)
    assert _wait_until(lambda: _get(f"http://127.0.0.1:{port}/health")[0] == 200, 60)
    _stop(proc, signal.SIGKILL)
    # PostgreSQL runs in its own process session and outlives the SIGKILL.
    assert _postgres_running(data_dir)
    # The next start prunes the dead handle, so its clean exit stops PostgreSQL again.
    proc = _start(data_dir, port)
    try:
        assert _wait_until(lambda: _get(f"http://127.0.0.1:{port}/health")[0] == 200, 60)
    finally:
        _stop(proc)
    assert _wait_until(lambda: not _postgres_running(data_dir), 15)


def test_serve_with_two_workers_answers_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    proc = _start(data_dir, port, "--workers", "2")
    try:
        assert _wait_until(lambda: _get(f"http://127.0.0.1:{port}/health")[0] == 200, 60)
        assert all(_get(f"http://127.0.0.1:{port}/health")[0] == 200 for _ in range(10))
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert sum(1 for p in workers if "postgres" not in p.name()) >= 2
    finally:
        output = _stop(proc)
    assert "Finished server process" in output
    assert _wait_until(lambda: not _postgres_running(data_dir), 20), "the last process out stops PostgreSQL"
