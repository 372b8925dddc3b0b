"""The manifest watcher: one report per burst of edits, none for a save without an edit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from wasmdeploy.local.manifest_watch import FileWatcher


def later_mtime(path: Path, seconds: int) -> None:
    stamp = time.time_ns() + seconds * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


class Reports:
    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    def wait(self, limit: float = 5.0) -> bool:
        happened = self.event.wait(limit)
        self.event.clear()
        return happened


def test_a_burst_of_edits_is_one_report_and_a_touch_is_none(tmp_path: Path) -> None:
    manifest, included, created = tmp_path / "a.yml", tmp_path / "b.yml", tmp_path / ".env"
    manifest.write_text("one")
    included.write_text("x")
    reports = Reports()
    watcher = FileWatcher(
        lambda: [manifest, included, created], reports, interval=0.02, debounce=0.2
    )
    watcher.start()
    try:
        later_mtime(manifest, 5)  # saved, not edited
        assert not reports.wait(0.6)
        for step in range(4):  # an editor writing in steps, or a checkout of several files
            manifest.write_text(f"two {step}")
            included.write_text(f"y {step}")
            later_mtime(manifest, 10 + step)
            time.sleep(0.05)
        assert reports.wait()
        assert not reports.wait(0.6) and reports.count == 1
        created.write_text("A=1")  # a file that did not exist yet
        assert reports.wait() and reports.count == 2
    finally:
        watcher.stop()
