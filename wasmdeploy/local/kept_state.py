"""`serve` keeps its local data between runs, per stage, under `.wasmdeploy/local/` beside the
manifest: the local AWS's snapshot (`aws-<stage>/`, see aws_snapshot) and the key-value
stores' SQLite file (`kv-<stage>.sqlite3`). `--fresh` removes both before starting.

Buckets, objects, tables and items are restored as the local AWS starts, before the
manifest's own resources are created; queued messages once the manifest's queues exist.
The snapshot is written when `serve` stops (Ctrl+C, SIGTERM), after the functions stopped.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wasmdeploy.local.aws_snapshot import (
    SnapshotCounts,
    load_snapshot,
    restore_queues,
    restore_storage,
    save_snapshot,
)
from wasmdeploy.local.kv_local import local_store_path
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.manifest.model import Service

if TYPE_CHECKING:
    from wasmdeploy.local.emulator import LocalEmulator
    from wasmdeploy.local.local_aws import LocalAws

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def state_directory(service: Service) -> Path:
    return service.root / ".wasmdeploy" / "local" / f"aws-{service.stage}"


def discard_local_state(service: Service) -> list[Path]:
    """Remove the stage's kept local data (snapshot and key-value stores); what was removed."""
    removed = []
    directory = state_directory(service)
    if directory.exists():
        shutil.rmtree(directory)
        removed.append(directory)
    store = local_store_path(service)
    for suffix in SQLITE_COMPANIONS:
        path = store.with_name(store.name + suffix)
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


class KeptState:
    """Restores the stage's snapshot into an emulator's local AWS and saves it at stop."""

    def __init__(self, service: Service, notice: LogSink) -> None:
        self.directory = state_directory(service)
        self.notice = notice
        self._state: dict[str, Any] | None = None
        self._ready = False  # saving is safe: the snapshot, if any, was restored first

    def attach(self, emulator: LocalEmulator) -> None:
        """Call before `emulator.start()`; then `restore_queues()` once it has started."""
        emulator.aws.on_start(self._restore_storage)
        emulator.on_stop.append(lambda: self.save(emulator.aws))

    def restore_queues(self, aws: LocalAws) -> None:
        if self._state is None:
            return
        try:
            sent = restore_queues(aws, self._state)
        except Exception as error:
            self._ready = False  # a partial restore must not overwrite the snapshot
            self.notice(f"cannot restore the queued messages from {self._where()}: {error}")
            return
        if sent:
            noun = "message" if sent == 1 else "messages"
            self.notice(f"Sent again the {sent} {noun} still queued when serve last stopped.")

    def save(self, aws: LocalAws) -> None:
        if not self._ready or not aws.running:
            return
        try:
            counts = save_snapshot(aws, self.directory)
        except Exception as error:
            self.notice(f"cannot keep the local AWS's data in {self._where()}: {error}")
            return
        self.notice(f"Kept {counts.describe()} in {self._where()} (serve --fresh starts empty).")

    def _restore_storage(self, aws: LocalAws) -> None:
        self._state = load_snapshot(self.directory)
        if self._state is None:
            self._ready = True
            return
        try:
            counts = restore_storage(aws, self.directory, self._state)
        except Exception as error:
            self._state = None
            self.notice(
                f"cannot restore the local AWS from {self._where()}: {error}; it is kept as it "
                "was (serve --fresh starts empty)"
            )
            return
        self._ready = True
        if counts.objects or counts.items:
            stored = SnapshotCounts(counts.objects, counts.items).describe().rsplit(", ", 1)[0]
            self.notice(f"Restored {stored} from {self._where()}.")

    def _where(self) -> str:
        parts = self.directory.parts
        return str(Path(*parts[-3:])) if len(parts) >= 3 else str(self.directory)
