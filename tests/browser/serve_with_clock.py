"""Run ``machinery-network`` with a test clock: real time plus an offset (seconds) read from a file.

The browser tests drive the real service in a subprocess, where pytest's monkeypatch cannot reach.
A booking can only be completed once it has started and a month settled once it has ended, so the
tests move this clock forward the way the unit tests freeze ``clock.now`` — through the one source
of "now" every service uses. Without ``MN_TEST_CLOCK_FILE`` the clock is the real one.

Usage: ``python serve_with_clock.py serve --no-scheduler --demo --port 8123``
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

from machinery_network import clock

_CLOCK_FILE = os.environ.get("MN_TEST_CLOCK_FILE")
_real_now = clock.now


def _offset_seconds() -> float:
    try:
        with open(_CLOCK_FILE) as handle:  # type: ignore[arg-type]
            return float(handle.read().strip() or 0)
    except (OSError, TypeError, ValueError):
        return 0.0


def _shifted_now() -> datetime:
    return _real_now() + timedelta(seconds=_offset_seconds())


if _CLOCK_FILE:
    clock.now = _shifted_now

if __name__ == "__main__":
    from machinery_network.cli import main

    sys.exit(main(sys.argv[1:]))
