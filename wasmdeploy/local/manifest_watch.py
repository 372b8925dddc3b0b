"""Watch a few files (the manifest and what it includes) and report when their content changed.

A thread polls each file's size and mtime; when they move, it reads the file's SHA-256, so
saving without an edit (or `touch`) is not a change. A change is reported once the files
have been quiet for `debounce` seconds: an editor that writes in several steps, or a
`git checkout` that rewrites many files, gives one reload. The list of files is asked for
again after each report, since an edit can add or drop a `${file(...)}`.
"""

from __future__ import annotations

import hashlib
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

Stat = tuple[int, int] | None  # (mtime_ns, size); None when the file does not exist
MAX_DIGEST_BYTES = 16 * 1024 * 1024  # bigger inputs are compared by size and mtime alone


class FileWatcher:
    def __init__(
        self,
        paths: Callable[[], Iterable[Path]],
        on_change: Callable[[], object],
        *,
        interval: float = 0.2,
        debounce: float = 0.3,
    ) -> None:
        self.paths = paths
        self.on_change = on_change
        self.interval = interval
        self.debounce = debounce
        self._stats: dict[Path, Stat] = {}
        self._digests: dict[Path, str | None] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._track(self.paths())
        self._thread = threading.Thread(target=self._run, daemon=True, name="manifest-watch")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        changed_at: float | None = None
        while not self._stop.wait(self.interval):
            if self._changed():
                changed_at = time.monotonic()
            elif changed_at is not None and time.monotonic() - changed_at >= self.debounce:
                changed_at = None
                self._track(list(self._stats))  # before the reload reads them: no edit is missed
                try:
                    self.on_change()
                except Exception:  # a bug: shown, and the next edit is still watched
                    traceback.print_exc()
                self._track(self.paths(), keep=True)

    def _changed(self) -> bool:
        changed = False
        for path in list(self._stats):
            stat = _stat(path)
            if stat == self._stats[path]:
                continue
            self._stats[path] = stat
            digest = _digest(path, stat)
            if digest != self._digests[path]:
                self._digests[path] = digest
                changed = True
        return changed

    def _track(self, paths: Iterable[Path], *, keep: bool = False) -> None:
        """Watch `paths` from their current content on (`keep`: add the new ones only)."""
        if not keep:
            self._stats, self._digests = {}, {}
        for path in paths:
            if keep and path in self._stats:
                continue
            stat = _stat(path)
            self._stats[path] = stat
            self._digests[path] = _digest(path, stat)


def _stat(path: Path) -> Stat:
    try:
        result = path.stat()
    except OSError:
        return None
    return (result.st_mtime_ns, result.st_size)


def _digest(path: Path, stat: Stat) -> str | None:
    if stat is None:
        return None
    if stat[1] > MAX_DIGEST_BYTES:
        return f"{stat[0]}:{stat[1]}"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
