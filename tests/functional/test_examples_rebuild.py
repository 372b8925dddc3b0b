"""The committed example modules are what their sources build to.

Each function's `build:` command is run in a copy of its example directory and
the module it writes must be byte-identical to the committed one: the Zig
builds are deterministic (same Zig version, same flags, same bytes). Needs the
Zig toolchain the modules were built with (`pip install ziglang==0.17.1`);
skipped, with the reason, without it.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.required_tools import tool_missing

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Zig's standard library changes between releases: other versions may not build
# the sources at all, and would not give the same bytes.
BUILT_WITH_ZIG = "0.17.1"

# The origin manifest (s3-event-log) must stay byte for byte, so it has no build: key.
BUILD_COMMANDS_OUTSIDE_MANIFESTS = {
    "s3-event-log": [
        "python3 -m ziglang build-exe src/main.zig -target wasm32-wasi -O ReleaseSmall -fstrip"
        " --stack 1048576 -femit-bin=wasm-handler.wasm"
    ],
}


def build_commands() -> list[tuple[str, str]]:
    """(example, command) pairs, one per distinct build command."""
    pairs: dict[tuple[str, str], None] = {}
    for manifest in sorted(EXAMPLES.glob("*/wasmdeploy.yml")):
        example = manifest.parent.name
        functions = yaml.safe_load(manifest.read_text())["functions"]
        for function in functions.values():
            if "build" in function:
                pairs[(example, function["build"])] = None
        for command in BUILD_COMMANDS_OUTSIDE_MANIFESTS.get(example, []):
            pairs[(example, command)] = None
    return list(pairs)


def emitted_module(command: str) -> str:
    """The -femit-bin= path of a zig build command."""
    for word in shlex.split(command):
        if word.startswith("-femit-bin="):
            return word.removeprefix("-femit-bin=")
    raise AssertionError(f"build command names no -femit-bin: {command}")


def zig_version() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ziglang", "version"], capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip()


def require_zig() -> None:
    """Skips (fails in CI), saying why, unless the Zig the modules were built with is installed."""
    if importlib.util.find_spec("ziglang") is None:
        tool_missing(f"the Zig toolchain is not installed (pip install ziglang=={BUILT_WITH_ZIG})")
    version = zig_version()
    if version != BUILT_WITH_ZIG:
        tool_missing(f"the modules were built with Zig {BUILT_WITH_ZIG}, this is Zig {version}")


def test_every_example_module_has_a_build_command() -> None:
    built = {(example, emitted_module(command)) for example, command in build_commands()}
    committed = {(path.parent.name, path.name) for path in EXAMPLES.glob("*/*.wasm")}
    assert committed == built


@pytest.mark.slow
@pytest.mark.toolchain
@pytest.mark.parametrize(
    ("example", "command"), build_commands(), ids=lambda v: v if "/" not in v else None
)
def test_rebuilt_module_is_byte_identical_to_the_committed_one(
    example: str, command: str, tmp_path: Path
) -> None:
    require_zig()
    source = EXAMPLES / example
    work = tmp_path / example
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("*.wasm", ".zig-cache"))
    # The build commands say `python3`: make it this interpreter, which has ziglang.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        command, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr
    module = emitted_module(command)
    rebuilt = (work / module).read_bytes()
    assert rebuilt == (source / module).read_bytes(), (
        f"{example}/{module} differs from what its sources build to; rebuild and commit it"
    )


ZIG_TESTED_SOURCES = [
    "edge-rewrite/src/main.zig",
    "http-api/src/main.zig",
    "image-pipeline/src/png_filter.zig",
    "stream-stats/src/stats.zig",
]


@pytest.mark.slow
@pytest.mark.toolchain
@pytest.mark.parametrize("source", ZIG_TESTED_SOURCES)
def test_zig_unit_tests_in_example_sources_pass(source: str) -> None:
    require_zig()
    result = subprocess.run(
        [sys.executable, "-m", "ziglang", "test", source],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout + result.stderr
