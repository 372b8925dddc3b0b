"""The bootstrap driven by AWS's own Lambda Runtime API (the Runtime Interface Emulator).

Nothing here is wasmdeploy's but the bootstrap (or, for the managed-Python entry,
its handler under AWS's own Python runtime client): the emulator is the Runtime
API Lambda's container images run, and the modules and `wasmdeploy.json` files
are written by the tests. Each emulator starts one runtime process; hostile
modules must leave it serving, so every test also checks that the runtime
started exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aws_rie import EmulatedLambda, EmulatorUnavailable, rie_binary
from tests.conftest import BOOTSTRAP, EXAMPLES
from tests.functional.runtime_modules import BEHAVIOURS, FORBIDDEN_IMPORT, write_task_root
from tests.required_tools import tool_missing
from wasmdeploy.build.package import package_service
from wasmdeploy.local.events import render_event
from wasmdeploy.manifest.load import load_service

SPIN = '(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))'
MANAGED = [sys.executable, "-m", "awslambdaric", "wasmdeploy_runtime.managed.handler"]

# The exports ABI: handle() reverses the event's bytes into a buffer of its own.
REVERSE = """(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $i i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8
          (i32.sub (i32.add (i32.const 32767) (local.get $len)) (local.get $i))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i64.or (i64.shl (i64.const 32768) (i64.const 32)) (i64.extend_i32_u (local.get $len)))))
"""


@pytest.fixture(scope="module")
def emulator_binary() -> Path:
    try:
        return rie_binary()
    except EmulatorUnavailable as missing:
        tool_missing(f"AWS's Runtime Interface Emulator is unavailable: {missing}")
        raise AssertionError("unreachable") from missing  # tool_missing skips or fails


@pytest.fixture
def start(emulator_binary: Path, tmp_path: Path) -> Iterator[object]:
    running: list[EmulatedLambda] = []

    def start_emulator(
        task_root: Path, handler: str, command: list[str] | None = None
    ) -> EmulatedLambda:
        emulator = EmulatedLambda(
            command or [str(BOOTSTRAP)],
            cwd=task_root,
            env={
                "LAMBDA_TASK_ROOT": str(task_root),
                "_HANDLER": handler,
                "WASMDEPLOY_PYTHON": sys.executable,
                "AWS_LAMBDA_FUNCTION_NAME": "svc-dev-reverser",
            },
            log_path=tmp_path / f"rie{len(running)}.log",
        )
        running.append(emulator)
        return emulator

    yield start_emulator
    for emulator in running:
        emulator.stop()


def metric_lines(log: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.splitlines() if line.startswith('{"_aws"')]


def test_exports_module_and_config_it_never_saw_answer_through_aws_runtime_api(
    start, tmp_path: Path
) -> None:
    root = write_task_root(
        tmp_path / "task",
        REVERSE,
        module="reverse.wasm",
        config={"function": "reverser", "sandbox": {"memoryLimit": "1MB"}},
    )
    emulator = start(root, "reverse.wasm#handle")
    for event in (b'"abc"', b'{"n": [1, 2, 3]}', b'"' + b"x" * 3000 + b'"'):
        body, _ = emulator.invoke(event)
        assert body == event[::-1]
    assert [line["ColdStart"] for line in metric_lines(emulator.log)] == [1, 0, 0]
    # The deployed name, unique per service and stage, as Lambda's own metrics have it.
    assert {line["FunctionName"] for line in metric_lines(emulator.log)} == {"svc-dev-reverser"}


@pytest.mark.parametrize(
    ("command", "error_type"),
    [
        (b"L", "WasmTimeout"),
        (b"G", "WasmMemoryLimit"),
        (b"R", "WasmStackOverflow"),
        (b"U", "WasmTrap"),
        (b"X", "WasmExit"),
        (b"B", "WasmOutputTooLarge"),
    ],
)
def test_hostile_module_gets_a_lambda_error_and_the_same_runtime_serves_on(
    start, tmp_path: Path, command: bytes, error_type: str
) -> None:
    root = write_task_root(
        tmp_path / "task",
        BEHAVIOURS,
        module="hostile.wasm",
        config={"sandbox": {"maxTime": "1s", "memoryLimit": "8MB"}},
    )
    emulator = start(root, "hostile.wasm")
    assert emulator.invoke(b"first")[0] == b"first"
    error = emulator.invoke_json(command)
    assert isinstance(error, dict)
    assert error["errorType"] == error_type, error
    assert error["errorMessage"]
    assert isinstance(error["stackTrace"], list)
    assert emulator.invoke(b"after")[0] == b"after"
    assert [line["ColdStart"] for line in metric_lines(emulator.log)] == [1, 0, 0]


def test_forbidden_import_fails_init_with_the_import_named(start, tmp_path: Path) -> None:
    root = write_task_root(tmp_path / "task", FORBIDDEN_IMPORT, module="bad.wasm")
    emulator = start(root, "bad.wasm")
    error = emulator.invoke_json(b"{}")
    assert isinstance(error, dict)
    assert error["errorType"] == "WasmForbiddenImport"
    assert "env.open_socket" in error["errorMessage"]


def test_packaged_example_function_answers_api_gateway_events(start, tmp_path: Path) -> None:
    service = load_service(EXAMPLES / "http-api" / "wasmdeploy.yml")
    package = package_service(service, out_dir=tmp_path / "dist", build_layers=False)
    task_root = tmp_path / "task"
    with zipfile.ZipFile(package.functions["restApi"].path) as archive:
        archive.extractall(task_root)
    function = service.function("restApi")
    emulator = start(task_root, function.handler)
    event = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "events", "apigw", "rest", "--path", "/rest/hello/li"],
        capture_output=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    answer = emulator.invoke_json(event)
    assert isinstance(answer, dict)
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == {"message": "Howdy, li!"}


def test_managed_handler_under_aws_python_client_answers_json_events(start, tmp_path: Path) -> None:
    root = write_task_root(tmp_path / "task", BEHAVIOURS, module="echo.wasm")
    emulator = start(root, "wasmdeploy_runtime.managed.handler", MANAGED)
    for event in ({"n": [1, 2]}, {"text": "héllo"}):
        assert emulator.invoke_json(json.dumps(event).encode()) == event
    assert [line["ColdStart"] for line in metric_lines(emulator.log)] == [1, 0]


def test_managed_handler_reports_a_runaway_module_and_serves_on(start, tmp_path: Path) -> None:
    root = write_task_root(
        tmp_path / "task", SPIN, module="spin.wasm", config={"sandbox": {"maxTime": "0.5s"}}
    )
    emulator = start(root, "wasmdeploy_runtime.managed.handler", MANAGED)
    for _ in range(2):
        error = emulator.invoke_json(b"{}")
        assert isinstance(error, dict)
        assert error["errorType"] == "WasmTimeout", error
    assert [line["ColdStart"] for line in metric_lines(emulator.log)] == [1, 0]


def test_edge_handler_passes_a_cloudfront_request_through(start, tmp_path: Path) -> None:
    root = write_task_root(tmp_path / "task", '(module (func (export "_start")))', module="e.wasm")
    emulator = start(root, "wasmdeploy_runtime.managed.handler", MANAGED)
    event = render_event("cloudfront", "origin-request", {"uri": "/photos/cat.png"})
    answer = emulator.invoke_json(json.dumps(event).encode())
    assert answer == event["Records"][0]["cf"]["request"]
