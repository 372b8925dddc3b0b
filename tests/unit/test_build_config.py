"""The `wasmdeploy.json` written into each function package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wasmdeploy_runtime.units import parse_duration, parse_size

from wasmdeploy.build.config import format_duration, runtime_config, runtime_config_bytes
from wasmdeploy.manifest.model import Function, ObjectOutput, Sandbox


def make_function(**overrides: object) -> Function:
    values: dict[str, object] = {
        "name": "processImage",
        "deployed_name": "svc-dev-processImage",
        "handler": "wasm-handler",
        "module": Path("/service/wasm-handler.wasm"),
        "module_relpath": "wasm-handler.wasm",
        "abi": "wasi",
        "export": None,
        "runtime": "provided.al2023",
        "architecture": "x86_64",
        "memory_size": 128,
        "timeout": 6,
        "sandbox": Sandbox(),
    }
    values.update(overrides)
    return Function(**values)  # type: ignore[arg-type]


def test_config_uses_manifest_key_names_and_unit_strings() -> None:
    function = make_function(
        sandbox=Sandbox(memory_limit=64 * 1024 * 1024, stack_limit=512 * 1024, max_time=5.0),
        input="object",
        output=ObjectOutput("images", "processed/{stem}.png"),
        environment={"MODE": "gray"},
    )
    assert runtime_config(function) == {
        "function": "processImage",
        "handler": "wasm-handler.wasm",
        "sandbox": {
            "memoryLimit": "64MB",
            "stackLimit": "512KB",
            "maxTime": "5s",
            "allowedImports": ["wasi_snapshot_preview1.*", "env.abort"],
            "fuel": None,
        },
        "input": "object",
        "output": {"bucket": "images", "key": "processed/{stem}.png"},
        "environment": {"MODE": "gray"},
    }


def test_exports_handler_keeps_its_export_name_on_the_module_path() -> None:
    function = make_function(
        handler="lib/mod#handle", module_relpath="lib/mod.wasm", abi="exports", export="handle"
    )
    assert runtime_config(function)["handler"] == "lib/mod.wasm#handle"


def test_missing_max_time_is_null_so_the_lambda_deadline_bounds_it() -> None:
    assert runtime_config(make_function())["sandbox"]["maxTime"] is None


def test_fuel_is_written_as_a_number() -> None:
    function = make_function(sandbox=Sandbox(fuel=1_000_000))
    assert runtime_config(function)["sandbox"]["fuel"] == 1_000_000


@pytest.mark.parametrize("seconds", [5.0, 0.25, 0.001, 90.0, 1.5, 0.0005, 12.345])
def test_durations_round_trip_through_the_runtime_parser(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)


@pytest.mark.parametrize("size", [1, 1000, 1024, 1536, 128 * 1024 * 1024, 3 * 1024**3])
def test_sizes_round_trip_through_the_runtime_parser(size: int) -> None:
    function = make_function(sandbox=Sandbox(memory_limit=size))
    assert parse_size(runtime_config(function)["sandbox"]["memoryLimit"]) == size


def test_config_bytes_do_not_depend_on_environment_insertion_order() -> None:
    first = make_function(environment={"A": "1", "B": "2"})
    second = make_function(environment={"B": "2", "A": "1"})
    assert runtime_config_bytes(first) == runtime_config_bytes(second)
    assert json.loads(runtime_config_bytes(first))["environment"] == {"A": "1", "B": "2"}
