"""Stop a long-running command cleanly on SIGTERM, as on Ctrl+C."""

from __future__ import annotations

import signal
import sys
from types import FrameType


def exit_on_sigterm() -> None:
    """SIGTERM (a process manager, `timeout`, `kill`) unwinds like Ctrl+C, so the
    sandboxes and servers are stopped by the commands' `finally` blocks."""

    def handle(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, handle)
