"""One log line per request the local API answers, as serverless-offline prints them:
method, path, status, the function that ran (if any) and how long the answer took."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_PATH_CHARS = 200  # a hostile or huge target is shortened, not copied into the log


@dataclass
class ServedRequest:
    """Filled in while a request is answered; `line()` once it has its status."""

    method: str
    target: str
    function: str | None = None
    started: float = field(default_factory=time.perf_counter)

    def line(self, status: int) -> str:
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        runner = f"(λ: {self.function})" if self.function else "(no function)"
        return f"{self.method} {_printable_path(self.target)} {status} {runner} {elapsed_ms:.1f} ms"


def _printable_path(target: str) -> str:
    path = urlsplit(target).path or "/"
    path = "".join(char if char.isprintable() else "?" for char in path)
    return path if len(path) <= MAX_PATH_CHARS else path[:MAX_PATH_CHARS] + "…"
