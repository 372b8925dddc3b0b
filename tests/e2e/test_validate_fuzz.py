"""Random input never makes `validate` crash: it exits 0 or 1, and never prints a traceback."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import wasmtime
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wasmdeploy.cli.main import main

WASI_COMMAND = '(module (memory (export "memory") 1) (func (export "_start")))'
VOCABULARY = [
    "service", "provider", "functions", "cdn", "custom", "name", "region", "stage", "runtime",
    "architecture", "memorySize", "timeout", "environment", "tags", "logRetentionInDays", "iam",
    "statements", "sandbox", "wasm_sandbox", "memoryLimit", "max_time", "maxTime",
    "allowedImports", "fuel", "handler", "input", "output", "bucket", "key", "edge", "eventType",
    "pathPattern", "includeBody", "events", "s3", "httpApi", "http", "method", "path", "rules",
    "prefix", "suffix", "existing", "origin", "domain", "build", "retainBuckets", "backend",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "wasm-handler", "wasm-handler#handle", "${opt:stage}", "${self:service}",
            "${self:functions}", "${env:HOME, 'x'}", "${self:custom.a}", "${", "}", "${self:}",
            "GET /x/{id}", "*", "origin-request", "viewer-request", "128MB", "5s", "arm64",
            "provided.al2", "python3.13", "s3:ObjectCreated:*", "object", "{stem}.png", "../x",
            "/abs/mod.wasm", "My_Bucket", "images", "${sls:stage}",
        ]
    ),
)  # fmt: skip
STRUCTURES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(VOCABULARY) | st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=30,
)
VALID: dict[str, Any] = {
    "service": "svc",
    "provider": {"name": "aws", "runtime": "provided.al2"},
    "functions": {
        "f": {
            "handler": "wasm-handler",
            "events": [{"s3": {"bucket": "images", "rules": [{"prefix": "in/"}]}}],
            "output": {"bucket": "images", "key": "out/{stem}.png"},
            "input": "object",
        },
        "g": {"handler": "wasm-handler", "edge": {"eventType": "origin-request"}},
        "h": {"handler": "wasm-handler", "events": [{"httpApi": "GET /x/{id}"}]},
    },
    "cdn": {"origin": {"httpApi": True}},
}
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))
    return directory


def validate_text(directory: Path, text: str | bytes) -> tuple[int, str]:
    manifest = directory / "wasmdeploy.yml"
    if isinstance(text, bytes):
        manifest.write_bytes(text)
    else:
        manifest.write_text(text, encoding="utf-8", errors="surrogatepass")
    previous = Path.cwd()
    os.chdir(directory)
    try:
        with CliRunner().isolation() as streams:
            try:
                main(["validate"])
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else -1
            output = streams[0].getvalue().decode() + streams[1].getvalue().decode()
    finally:
        os.chdir(previous)
    return code, output


def assert_clean(code: int, output: str) -> None:
    assert "Traceback" not in output, output
    assert code in (0, 1), output


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_never_crashes(workdir: Path, text: str) -> None:
    assert_clean(*validate_text(workdir, text.encode("utf-8", "surrogatepass")))


@FUZZ
@given(data=STRUCTURES)
def test_random_structures_never_crash(workdir: Path, data: Any) -> None:
    assert_clean(*validate_text(workdir, yaml.safe_dump(data, allow_unicode=True)))


def _mutate(document: Any, path: list[int], replacement: Any) -> Any:
    """Replace the node reached by following `path` (indexes into keys or items)."""
    if not path or not isinstance(document, dict | list) or not document:
        return replacement
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    document[key] = _mutate(document[key], path[1:], replacement)
    return document


@FUZZ
@given(path=st.lists(st.integers(min_value=0, max_value=50), max_size=6), replacement=STRUCTURES)
def test_mutated_valid_manifest_never_crashes(
    workdir: Path, path: list[int], replacement: Any
) -> None:
    document = _mutate(copy.deepcopy(VALID), path, replacement)
    assert_clean(*validate_text(workdir, yaml.safe_dump(document, allow_unicode=True)))


def test_the_unmutated_manifest_is_valid(workdir: Path) -> None:
    code, output = validate_text(workdir, yaml.safe_dump(VALID))
    assert code == 0, output
