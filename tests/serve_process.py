"""`wasmdeploy serve` as a child process, for tests that use it as a user does.

Its output goes to a file (a pipe nobody reads would fill with the functions'
logs and stall it); tests wait for lines to appear there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.processes import stop

READY = "Press Ctrl+C to stop."


class ServeProcess:
    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.log = root / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "wasmdeploy", "serve", *args],
                cwd=root,
                env={**os.environ, **(env or {})},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.wait_until(lambda: READY in self.output(), "serve never got ready", limit=90)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, ready: Callable[[], bool], what: str, limit: float = 60.0) -> None:
        give_up = time.monotonic() + limit
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.output()}")
            if ready():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what}: {self.output()}")

    def lines_of(self, function: str) -> list[str]:
        """The log lines of one function (serve prefixes them with `[name] `)."""
        prefix = f"[{function}] "
        return [line for line in self.output().splitlines() if line.startswith(prefix)]

    def stop(self) -> None:
        stop(self.process, signal.SIGINT, grace=20)
