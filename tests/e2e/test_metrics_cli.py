"""`wasmdeploy metrics` as a user runs it, with moto's server as CloudWatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import wasmtime

from tests.functional.cloudwatch_metrics import put


def record(endpoint: str, function: str, invocations: int) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1", endpoint_url=endpoint)
    put(cloudwatch, "AWS/Lambda", "Invocations", function, [1.0] * invocations)
    put(cloudwatch, "wasmdeploy", "ColdStart", function, [1.0, 0.0, 1.0])


def test_metrics_command_prints_json_for_every_function(tmp_path: Path, moto_endpoint: str) -> None:
    (tmp_path / "hello.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    (tmp_path / "wasmdeploy.yml").write_text(
        textwrap.dedent("""\
            service: metered
            provider: {name: aws, region: eu-west-1}
            functions:
              hello: {handler: hello.wasm}
              quiet: {handler: hello.wasm}
            """)
    )
    record(moto_endpoint, "metered-dev-hello", 3)
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "metrics", "--since", "1h", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AWS_ENDPOINT_URL": moto_endpoint, "AWS_MAX_ATTEMPTS": "1"},
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    by_name = {entry["function"]: entry for entry in document["functions"]}
    assert by_name["hello"]["invocations"] == 3 and by_name["hello"]["cold_starts"] == 2
    assert by_name["quiet"]["invocations"] == 0
    assert by_name["quiet"]["peak_linear_memory_bytes"] is None
