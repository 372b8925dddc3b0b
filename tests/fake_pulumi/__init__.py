"""Install the recording fake `pulumi` CLI where pulumi/actions would put the real one.

`install_fake_pulumi(root)` makes `root/hostedtoolcache/pulumi/<version>/x64/pulumi`
(a shell wrapper running `fake_pulumi.py` with this Python) and returns a
`FakePulumi` to set its scenario and read back every call it received.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("fake_pulumi.py")


@dataclass(frozen=True)
class Call:
    argv: list[str]
    cwd: str
    env: dict[str, str]
    path: str
    files: dict[str, str]

    @property
    def command(self) -> list[str]:
        """The arguments without the Automation API's leading `--non-interactive`."""
        return [a for a in self.argv if a != "--non-interactive"]


@dataclass(frozen=True)
class FakePulumi:
    executable: Path

    @property
    def directory(self) -> Path:
        return self.executable.parent

    def set_scenario(self, **scenario: Any) -> None:
        (self.directory / "scenario.json").write_text(json.dumps(scenario))

    def calls(self) -> list[Call]:
        log = self.directory / "calls.jsonl"
        if not log.exists():
            return []
        return [Call(**json.loads(line)) for line in log.read_text().splitlines()]

    def commands(self) -> list[list[str]]:
        return [call.command for call in self.calls()]

    def operations(self, kind: str) -> list[Call]:
        return [call for call in self.calls() if call.command[:1] == [kind]]

    def state(self) -> dict[str, Any]:
        path = self.directory / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def forget_calls(self) -> None:
        (self.directory / "calls.jsonl").unlink(missing_ok=True)


def install_fake_pulumi(root: Path, version: str = "3.210.0") -> FakePulumi:
    directory = root / "hostedtoolcache" / "pulumi" / version / "x64"
    directory.mkdir(parents=True)
    script = directory / "fake_pulumi.py"
    shutil.copyfile(SCRIPT, script)
    executable = directory / "pulumi"
    executable.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    executable.chmod(0o755)
    fake = FakePulumi(executable)
    fake.set_scenario(version=f"v{version}")
    return fake
