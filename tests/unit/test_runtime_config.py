"""Reading `wasmdeploy.json` contents: handler strings, sandbox values, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from wasmdeploy_runtime.config import (
    DEFAULT_ALLOWED_IMPORTS,
    DEFAULT_MEMORY_LIMIT,
    OutputTarget,
    parse_config,
    split_handler,
)
from wasmdeploy_runtime.errors import InitError

ROOT = Path("/var/task")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("wasm-handler", ("wasm-handler.wasm", None)),
        ("mod.wasm#handle", ("mod.wasm", "handle")),
        ("lib/mod#run", ("lib/mod.wasm", "run")),
        ("mod.wasm#", ("mod.wasm", None)),
    ],
)
def test_handler_string_names_module_and_optional_export(
    handler: str, expected: tuple[str, str | None]
) -> None:
    assert split_handler(handler) == expected


def test_empty_config_gives_safe_defaults() -> None:
    config = parse_config({}, ROOT, {"AWS_LAMBDA_FUNCTION_NAME": "fn"})
    assert config.module_path == ROOT / "handler.wasm"
    assert config.abi == "wasi"
    assert config.function_name == "fn"
    assert config.sandbox.memory_limit == DEFAULT_MEMORY_LIMIT
    assert config.sandbox.max_time is None
    assert config.sandbox.allowed_imports == DEFAULT_ALLOWED_IMPORTS
    assert config.sandbox.fuel is None
    assert config.input == "event"
    assert config.output is None


def test_handler_variable_overrides_the_file_unless_disabled() -> None:
    raw = {"handler": "a.wasm"}
    assert parse_config(raw, ROOT, {"_HANDLER": "b.wasm#go"}).export == "go"
    managed = parse_config(raw, ROOT, {"_HANDLER": "x.y"}, honour_handler_variable=False)
    assert managed.module_path == ROOT / "a.wasm"


def test_sandbox_values_accept_units_numbers_and_the_snake_case_alias() -> None:
    raw = {
        "function": "processImage",
        "wasm_sandbox": {
            "memory_limit": "64MB",
            "stack_limit": 65536,
            "max_time": "250ms",
            "allowed_imports": ["wasi_snapshot_preview1.fd_*"],
        },
    }
    sandbox = parse_config(raw, ROOT, {}).sandbox
    assert sandbox.memory_limit == 64 * 1024 * 1024
    assert sandbox.stack_limit == 65536
    assert sandbox.max_time == 0.25
    assert sandbox.allowed_imports == ("wasi_snapshot_preview1.fd_*",)


def test_output_environment_and_input_are_read() -> None:
    raw = {
        "input": "object",
        "output": {"bucket": "images", "key": "processed/{stem}.png"},
        "environment": {"MODE": "gray", "LEVEL": 3},
        "sandbox": {"fuel": 1000, "maxTime": 2},
    }
    config = parse_config(raw, ROOT, {})
    assert config.input == "object"
    assert config.output == OutputTarget("images", "processed/{stem}.png")
    assert config.environment == {"MODE": "gray", "LEVEL": "3"}
    assert config.sandbox.fuel == 1000
    assert config.sandbox.max_time == 2.0


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"sandbox": {"memoryLimit": "lots"}}, "'lots' is not a size"),
        ({"sandbox": {"fuel": 0}}, "fuel must be a positive integer"),
        ({"sandbox": {"allowedImports": "env.*"}}, "allowedImports must be a list"),
        ({"input": "stream"}, "input must be"),
        ({"output": {"bucket": "b"}}, "output needs a 'key'"),
        ({"handler": 7}, "handler must be a string"),
        ({"handler": "#handle"}, "names no module"),
    ],
)
def test_invalid_values_are_init_errors_saying_what_is_wrong(
    raw: dict[str, object], fragment: str
) -> None:
    with pytest.raises(InitError) as raised:
        parse_config(raw, ROOT, {})
    assert raised.value.error_type == "WasmInvalidConfig"
    assert fragment in raised.value.message
