"""`serve` follows the manifest: when it or a file it includes changes, it is validated again
and the running emulator takes the new configuration (see wasmdeploy.local.reload).

An invalid manifest changes nothing: the last good configuration keeps serving, and every
problem is printed as `wasmdeploy validate` prints it, until the next save fixes them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from wasmdeploy.errors import UserError
from wasmdeploy.local.emulator import LocalEmulator
from wasmdeploy.local.manifest_watch import FileWatcher
from wasmdeploy.local.reload import apply_reload, plan_reload
from wasmdeploy.manifest.load import LoadResult, find_manifest, load_manifest
from wasmdeploy.manifest.model import Service


class ManifestReload:
    def __init__(
        self,
        emulator: LocalEmulator,
        manifest_file: Path | None,
        stage: str | None,
        region: str | None,
        *,
        after: Callable[[Service], object] = lambda service: None,
    ) -> None:
        self.emulator = emulator
        self.after = after  # shows what runs now, after a reload that changed something
        self.manifest = find_manifest(manifest_file).resolve()
        self.stage = stage
        self.region = region
        self.notice = emulator.notice
        self.inputs: list[Path] = [self.manifest]
        self._lock = threading.Lock()
        self.watcher = FileWatcher(lambda: list(self.inputs), self.reload)

    def start(self) -> None:
        """Learn what the manifest includes, then watch it all."""
        self.inputs = _unique([self.manifest, *self._load().inputs])
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()

    def reload(self) -> bool:
        """Load the manifest again and apply what changed; False when it is invalid."""
        with self._lock:
            name = self.manifest.name
            try:
                result = self._load()
            except UserError as error:  # e.g. the manifest was deleted or cannot be read
                self.notice(f"{name} changed: {error.message}; still serving the last good one.")
                return False
            self.inputs = _unique([*self.inputs, *result.inputs])
            if result.errors or result.service is None:
                count = len(result.errors)
                self.notice(
                    f"{name} changed and is invalid ({count} error{'s' if count != 1 else ''}): "
                    "still serving the last good configuration."
                )
                for problem in [*result.errors, *result.warnings]:
                    self.notice(problem.render())
                return False
            plan = plan_reload(self.emulator.service, result.service)
            if plan.empty:
                self.notice(f"{name} changed: nothing to restart.")
                self.emulator.service = result.service
                return True
            try:
                apply_reload(self.emulator, result.service, plan)
            except Exception as error:  # the local AWS refused a change (e.g. a queue setting)
                self.notice(f"{name} changed, but the reload stopped part way: {error}")
                return False
            self.notice(f"Reloaded {name}: {plan.describe()}.")
            self.after(result.service)
            return True

    def _load(self) -> LoadResult:
        return load_manifest(self.manifest, stage=self.stage, region=self.region)


def _unique(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(path.resolve() for path in paths))
