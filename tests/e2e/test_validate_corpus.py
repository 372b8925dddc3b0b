"""Each broken manifest in tests/e2e/manifests exits 1 and reports every planted problem.

A planted problem is marked by a trailing `# expect: TEXT` comment: an error on
that line must mention TEXT (in its message, path or hint); and every reported
error must be on a marked line, so nothing unplanted is reported either.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

CORPUS = Path(__file__).parent / "manifests"
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
WASI_COMMAND = """
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""


def planted(manifest: Path) -> dict[int, list[str]]:
    marks: dict[int, list[str]] = {}
    for number, line in enumerate(manifest.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            marks.setdefault(number, []).append(match.group(1))
    return marks


def run_validate(directory: Path, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "validate", "-f", name, *extra],
        cwd=directory,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(directory)},
    )


@pytest.mark.parametrize("manifest", sorted(CORPUS.glob("*.yml")), ids=lambda p: p.stem)
def test_every_planted_problem_is_reported_at_its_line(manifest: Path, tmp_path: Path) -> None:
    marks = planted(manifest)
    assert marks, f"{manifest.name} plants no problem"
    shutil.copy(manifest, tmp_path / manifest.name)
    (tmp_path / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))

    result = run_validate(tmp_path, manifest.name, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = json.loads(result.stdout)["errors"]
    by_line: dict[int, list[str]] = {}
    for error in errors:
        text = " ".join(str(error.get(k, "")) for k in ("path", "message", "hint")).lower()
        by_line.setdefault(error["line"], []).append(text)
    for line, expectations in marks.items():
        for expected in expectations:
            assert any(expected.lower() in text for text in by_line.get(line, [])), (
                f"{manifest.name}:{line}: no error mentions {expected!r}; got {by_line.get(line)}"
            )
    unplanted = {line: texts for line, texts in by_line.items() if line not in marks}
    assert not unplanted, f"{manifest.name}: unplanted errors {unplanted}"


@pytest.mark.parametrize("manifest", sorted(CORPUS.glob("*.yml"))[:3], ids=lambda p: p.stem)
def test_text_output_has_one_located_line_per_error(manifest: Path, tmp_path: Path) -> None:
    shutil.copy(manifest, tmp_path / manifest.name)
    (tmp_path / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))
    result = run_validate(tmp_path, manifest.name)
    assert result.returncode == 1
    located = re.findall(rf"^{re.escape(manifest.name)}:(\d+):(\d+): ", result.stdout, re.M)
    assert len(located) >= len(planted(manifest))
    assert "Traceback" not in result.stdout + result.stderr
