"""A handler reached through a symbolic link that leaves the service's directory is refused by
every command that reads the manifest, naming the link; links that stay inside are fine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

WASI_COMMAND = """
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""


def wasmdeploy(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """svc/ (the service) beside outside/ (a module and a directory it must not reach)."""
    module = wasmtime.wat2wasm(WASI_COMMAND)
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.wasm").write_bytes(module)
    (outside / "dir" / "m.wasm").write_bytes(module)
    service = tmp_path / "svc"
    (service / "inside").mkdir(parents=True)
    (service / "inside" / "m.wasm").write_bytes(module)
    return service


def manifest(service: Path, handler: str) -> None:
    (service / "wasmdeploy.yml").write_text(
        f"service: svc\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: {handler}\n"
    )


@pytest.mark.parametrize(
    ("links", "handler", "named"),
    [
        ({"h.wasm": "../outside/secret.wasm"}, "h", "h.wasm"),
        ({"build": "../outside/dir"}, "build/m.wasm", "build"),
        ({"abs": "{outside}/dir"}, "abs/m", "abs"),
        ({"inside/link.wasm": "../../outside/secret.wasm"}, "inside/link", "inside/link.wasm"),
        ({"a.wasm": "inside/b.wasm", "inside/b.wasm": "../../outside/secret.wasm"}, "a", "a.wasm"),
    ],
    ids=["file", "directory", "absolute", "nested", "chain"],
)
def test_a_handler_linked_outside_the_service_is_refused(
    layout: Path, links: dict[str, str], handler: str, named: str
) -> None:
    outside = layout.parent / "outside"
    for link, target in links.items():
        os.symlink(target.format(outside=outside), layout / link)
    manifest(layout, handler)
    report = json.loads(wasmdeploy(layout, "validate", "--json").stdout)
    [error] = report["errors"]
    assert error["path"] == "functions.f.handler" and error["line"] == 6
    assert error["message"].startswith(f"{named} is a symbolic link to ")
    assert "outside the manifest's directory" in error["message"]
    packaged = wasmdeploy(layout, "package", "--no-layers")
    assert packaged.returncode == 1 and "symbolic link" in packaged.stderr
    assert not (layout / ".wasmdeploy" / "build").exists()


def test_links_that_stay_inside_the_service_are_fine(layout: Path) -> None:
    os.symlink("inside", layout / "build")
    os.symlink("m.wasm", layout / "inside" / "alias.wasm")
    manifest(layout, "build/alias")
    result = wasmdeploy(layout, "validate", "--json")
    assert json.loads(result.stdout)["valid"], result.stdout
