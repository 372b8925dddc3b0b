"""`wasmdeploy validate` on a user's serverless.yml: each key answered, then the summary."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import wasmtime

MANIFEST = """\
service: shop
frameworkVersion: '3'
provider:
  name: aws
  websocketsApiName: shop-ws
plugins:
  - serverless-offline
functions:
  hello:
    handler: h
    events:
      - httpApi: 'GET /hello'
"""


def validate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "validate", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_service(root: Path) -> None:
    (root / "h.wasm").write_bytes(
        wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))')
    )
    (root / "serverless.yml").write_text(textwrap.dedent(MANIFEST))


def test_validate_answers_each_serverless_key_and_ends_with_the_summary(tmp_path: Path) -> None:
    write_service(tmp_path)
    completed = validate(tmp_path)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[-1] == (
        "Serverless keys: 8 supported, 2 warned, 1 refused (provider.websocketsApiName)"
    )
    assert lines[-2] == "serverless.yml is invalid: 1 error"
    assert any(
        line.startswith(
            "serverless.yml:5:3: provider.websocketsApiName: 'websocketsApiName' is a "
            "Serverless Framework feature wasmdeploy does not support"
        )
        for line in lines
    )
    assert any(
        "warning: plugins[0]: the Serverless plugin serverless-offline" in line for line in lines
    )


def test_validate_json_carries_the_summary(tmp_path: Path) -> None:
    write_service(tmp_path)
    report = json.loads(validate(tmp_path, "--json").stdout)
    assert report["serverless"] == {
        "supported": 8,
        "warned": 2,
        "refused": 1,
        "refused_keys": ["provider.websocketsApiName"],
    }
