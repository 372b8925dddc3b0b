"""`wasmdeploy invoke` as a user runs it: real runtime, real processes, each ABI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import wasmtime

# WASI command: logs a line to stderr, then copies stdin to stdout.
ECHO_WASI = """
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 100) "echo: handling\\n")
  (func (export "_start")
    (local $total i32) (local $n i32)
    (i32.store (i32.const 32) (i32.const 100))
    (i32.store (i32.const 36) (i32.const 15))
    (drop (call $fd_write (i32.const 2) (i32.const 32) (i32.const 1) (i32.const 40)))
    (block $done
      (loop $read
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $total)))
        (i32.store (i32.const 4) (i32.sub (i32.const 65536) (local.get $total)))
        (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
        (local.set $n (i32.load (i32.const 16)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (br $read)))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (local.get $total))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
"""

# Exports ABI: handle() answers with its input, untouched.
ECHO_EXPORTS = """
(module
  (memory (export "memory") 2)
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $len)))
    (local.get $p))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
      (i64.extend_i32_u (local.get $len)))))
"""

TRAP_EXPORTS = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "handle") (param i32 i32) (result i64) unreachable))
"""

MANIFEST = """
service: localtest
provider:
  name: aws
  runtime: provided.al2023
  timeout: 5
functions:
  echo:
    handler: echo.wasm
    environment:
      GREETING: hi
  exported:
    handler: exports.wasm#handle
    sandbox:
      allowedImports: []
  trap:
    handler: trap.wasm#handle
    sandbox:
      allowedImports: []
  objects:
    handler: echo.wasm
    input: object
    output:
      bucket: localtest-out
      key: processed/{stem}.out
    events:
      - s3:
          bucket: localtest-in
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
  api:
    handler: echo.wasm
    events:
      - httpApi: 'GET /items/{id}'
"""

PYTHON_HANDLER = """
def handler(event, context):
    print("python handler saw", event)
    return {"from": "awslambdaric", "event": event, "function": context.function_name}
"""


@pytest.fixture(scope="module")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("invoke")
    (root / "echo.wasm").write_bytes(wasmtime.wat2wasm(ECHO_WASI))
    (root / "exports.wasm").write_bytes(wasmtime.wat2wasm(ECHO_EXPORTS))
    (root / "trap.wasm").write_bytes(wasmtime.wat2wasm(TRAP_EXPORTS))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    (root / "app.py").write_text(textwrap.dedent(PYTHON_HANDLER))
    return root


def wasmdeploy(
    root: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
    )


def test_wasi_function_answers_on_stdout_and_logs_on_stderr(service_dir: Path) -> None:
    (service_dir / "event.json").write_text('{"hello": "wasi"}')
    result = wasmdeploy(service_dir, "invoke", "echo", "--event", "event.json")
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"hello": "wasi"}
    stderr = result.stderr.decode()
    assert "echo: handling" in stderr
    assert "START RequestId: " in stderr and "END RequestId: " in stderr
    assert "REPORT RequestId: " in stderr and "Init Duration: " in stderr


def test_exports_function_answers_through_the_same_runtime_api(service_dir: Path) -> None:
    result = wasmdeploy(
        service_dir, "invoke", "exported", "--event", "-", stdin=b'{"via": "stdin"}'
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"via": "stdin"}


def test_trap_is_a_function_error_exit_1_with_the_error_json(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "invoke", "trap")
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "WasmTrap"


def test_http_function_gets_an_http_api_event_by_default(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "invoke", "api")
    assert result.returncode == 0, result.stderr.decode()
    event = json.loads(result.stdout)
    assert event["version"] == "2.0" and event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "example"}


def test_object_file_is_uploaded_and_the_output_object_saved(service_dir: Path) -> None:
    (service_dir / "photo.bin").write_bytes(b"\x00\x01binary object\xff")
    out = service_dir / "result.out"
    result = wasmdeploy(
        service_dir, "invoke", "objects", "--object", "photo.bin", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_bytes() == b"\x00\x01binary object\xff"  # the echo module's output object
    assert "s3://localtest-out/processed/photo.out" in result.stderr.decode()


def test_awslambdaric_via_bootstrap_is_served_by_the_local_runtime_api(service_dir: Path) -> None:
    bootstrap = f"{sys.executable} -m awslambdaric app.handler"
    result = wasmdeploy(
        service_dir, "invoke", "echo", "--bootstrap", bootstrap, "--event", "-", stdin=b'{"n": 1}'
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {
        "from": "awslambdaric",
        "event": {"n": 1},
        "function": "localtest-dev-echo",
    }
    assert "python handler saw {'n': 1}" in result.stderr.decode()


def test_unknown_function_is_a_clean_error(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "invoke", "nope")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("Error: no function 'nope'")
    assert b"Traceback" not in result.stderr


def test_event_that_is_not_json_is_a_clean_error(service_dir: Path) -> None:
    (service_dir / "bad.json").write_text("{nope")
    result = wasmdeploy(service_dir, "invoke", "echo", "--event", "bad.json")
    assert result.returncode == 1
    assert "Error: --event bad.json is not JSON" in result.stderr.decode()


def test_object_function_without_an_object_says_what_to_pass(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "invoke", "objects")
    assert result.returncode == 1
    assert "--object FILE" in result.stderr.decode()


def test_missing_bootstrap_command_is_a_clean_error(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "invoke", "echo", "--bootstrap", "/no/such/runtime")
    assert result.returncode == 1
    assert "Error: cannot start the runtime `/no/such/runtime`" in result.stderr.decode()


def test_local_invoke_does_not_import_pulumi(service_dir: Path) -> None:
    script = (
        "import sys\n"
        "from wasmdeploy.cli.main import main\n"
        "try:\n"
        "    main(['invoke', 'exported'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pulumi' in sys.modules, 'moto' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=service_dir, capture_output=True, timeout=120
    )
    assert result.stderr.decode().strip().splitlines()[-1] == "False False"


LAMBDA_SYNC_LIMIT = 6 * 1024 * 1024  # bytes: Invoke's RequestResponse payload limit


def event_of(size: int) -> bytes:
    """A JSON event of exactly `size` bytes."""
    return b'{"pad": "' + b"x" * (size - 11) + b'"}'


@pytest.mark.parametrize("size", [LAMBDA_SYNC_LIMIT + 1, 7 * 1024 * 1024])
@pytest.mark.parametrize("how", ["file", "stdin", "remote"])
def test_an_event_lambda_would_refuse_is_refused_as_lambda_does_before_running(
    service_dir: Path, size: int, how: str
) -> None:
    (service_dir / "big.json").write_bytes(event_of(size))
    args = ["invoke", "exported", "--event", "-" if how == "stdin" else "big.json"]
    stdin = event_of(size) if how == "stdin" else None
    result = wasmdeploy(service_dir, *args, *(["--remote"] if how == "remote" else []), stdin=stdin)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert stderr.startswith(
        "Error: RequestEntityTooLargeException: Request must be smaller than 6291456 bytes "
        "for the InvokeFunction operation"
    )
    assert "START RequestId" not in stderr and result.stdout == b""


def test_an_event_of_exactly_lambdas_limit_reaches_the_function(service_dir: Path) -> None:
    (service_dir / "limit.json").write_bytes(event_of(LAMBDA_SYNC_LIMIT))
    result = wasmdeploy(service_dir, "invoke", "echo", "--event", "limit.json")
    assert b"RequestEntityTooLarge" not in result.stderr
    assert b"echo: handling" in result.stderr and b"REPORT RequestId" in result.stderr


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        ("missing/result.out", "does not exist"),
        ("missing/deeper/x", "does not exist"),
        ("photo.bin/x", "is not a directory"),
    ],
)
def test_out_where_no_file_can_be_written_is_a_usage_error_before_the_function_runs(
    service_dir: Path, out: str, problem: str
) -> None:
    (service_dir / "photo.bin").write_bytes(b"bytes")
    result = wasmdeploy(service_dir, "invoke", "objects", "--object", "photo.bin", "--out", out)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert "Invalid value for '--out'" in stderr and problem in stderr
    assert "START RequestId" not in stderr and "Wrote s3://" not in stderr


# A runtime that logs one EMF record (as the layer's runtime does) before it answers.
EMF_RUNTIME = """
import json, os, sys, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
with urllib.request.urlopen(api + "next") as got:
    request_id = got.headers["Lambda-Runtime-Aws-Request-Id"]
metrics = [{"Name": "Duration", "Unit": "Milliseconds"}, {"Name": "PeakLinearMemory",
            "Unit": "Bytes"}, {"Name": "ColdStart", "Unit": "Count"}]
record = {"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "wasmdeploy",
          "Dimensions": [["FunctionName"]], "Metrics": metrics}]}, "FunctionName": "echo",
          "Duration": 1.25, "PeakLinearMemory": 131072, "ColdStart": 1, "requestId": request_id}
print(json.dumps(record, separators=(",", ":")), flush=True)
urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=b"{}"))
"""


def test_the_metric_record_is_summarised_unless_verbose(service_dir: Path) -> None:
    (service_dir / "emf_runtime.py").write_text(EMF_RUNTIME)
    bootstrap = ["--bootstrap", f"{sys.executable} emf_runtime.py"]
    quiet = wasmdeploy(service_dir, "invoke", "echo", *bootstrap).stderr.decode()
    assert '{"_aws"' not in quiet
    [summary] = [line for line in quiet.splitlines() if line.startswith("Metrics: ")]
    assert summary.startswith("Metrics: Duration 1.25 ms, PeakLinearMemory 128 KB, ColdStart 1")
    assert len(summary) < 160
    verbose = wasmdeploy(service_dir, "invoke", "echo", *bootstrap, "--verbose").stderr.decode()
    [record] = [line for line in verbose.splitlines() if line.startswith('{"_aws"')]
    assert json.loads(record)["PeakLinearMemory"] == 128 * 1024
    assert not any(line.startswith("Metrics: ") for line in verbose.splitlines())


def test_a_log_line_that_only_looks_like_a_metric_record_is_shown_as_it_is(
    service_dir: Path,
) -> None:
    (service_dir / "fake_runtime.py").write_text(
        EMF_RUNTIME.replace("print(json.dumps(record", "print('{\"_aws\": 1} ' + json.dumps(record")
    )
    result = wasmdeploy(
        service_dir, "invoke", "echo", "--bootstrap", f"{sys.executable} fake_runtime.py"
    )
    assert '{"_aws": 1} {"_aws"' in result.stderr.decode()


@pytest.mark.parametrize(
    "event",
    [
        {"Records": [{"s3": {"bucket": {"name": "localtest-in"}, "object": "k"}}]},
        {"Records": [{"s3": {"bucket": "localtest-in", "object": {"key": "uploads/a"}}}]},
        {"Records": [{"s3": "uploads/a"}]},
        {"Records": "s3"},
    ],
    ids=["object-string", "bucket-string", "s3-string", "records-string"],
)
def test_a_malformed_s3_event_for_an_object_function_is_an_invalid_event(
    service_dir: Path, event: dict[str, object]
) -> None:
    result = wasmdeploy(
        service_dir, "invoke", "objects", "--event", "-", stdin=json.dumps(event).encode()
    )
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "InvalidEvent", error
    assert b"Traceback" not in result.stderr and b"Runtime.Unknown" not in result.stdout
