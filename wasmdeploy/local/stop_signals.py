"""Stop a long-running command cleanly on SIGTERM or SIGHUP, as on Ctrl+C."""

from __future__ import annotations

import signal
import sys
from types import FrameType


def exit_on_sigterm() -> None:
    """SIGTERM (a process manager, `timeout`, `kill`) and SIGHUP (its terminal closed)
    unwind like Ctrl+C, so the sandboxes and servers are stopped, and `serve`'s local data
    kept, by the commands' `finally` blocks."""

    def handle(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # Windows has no SIGHUP
            signal.signal(getattr(signal, name), handle)
