"""`wasmdeploy serve` (and the other server commands) as a child process, for tests that use
it as a user does.

Its output goes to a file (a pipe nobody reads would fill with the functions'
logs and stall it); tests wait for lines to appear there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.processes import stop

READY = "Press Ctrl+C to stop."


def spawn(
    root: Path, args: Sequence[str], log: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """`wasmdeploy ARGS` run in `root`, its stdout and stderr written to `log`."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "wasmdeploy", *args],
            cwd=root,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


class Server:
    """A `wasmdeploy` server process whose output goes to the file `log`."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, ready: Callable[[], bool], what: str, limit: float = 60.0) -> None:
        give_up = time.monotonic() + limit
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.output()}")
            if ready():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what}: {self.output()}")

    def stop(self) -> None:
        stop(self.process, signal.SIGINT, grace=20)


class ServeProcess(Server):
    """`wasmdeploy serve ARGS`, started and ready (its buckets and triggers in place)."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        log = root / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
        super().__init__(spawn(root, ["serve", *args], log, {**os.environ, **(env or {})}), log)
        self.wait_until(lambda: READY in self.output(), "serve never got ready", limit=90)

    def lines_of(self, function: str) -> list[str]:
        """The log lines of one function (serve prefixes them with `[name] `)."""
        prefix = f"[{function}] "
        return [line for line in self.output().splitlines() if line.startswith(prefix)]
