"""The function's settings: `wasmdeploy.json` in the task root, `_HANDLER`, safe defaults.

The file holds the manifest's key names (see docs/architecture.md). Every key is
optional. Sizes are bytes or unit strings, `maxTime` seconds or a unit string;
`maxTime` absent or null means the Lambda deadline is the only bound.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from wasmdeploy_runtime.errors import WASM_INVALID_CONFIG, InitError
from wasmdeploy_runtime.kv_store import KvGrant, parse_grants
from wasmdeploy_runtime.units import parse_duration, parse_size

CONFIG_FILE = "wasmdeploy.json"
DEFAULT_MEMORY_LIMIT = 128 * 1024 * 1024
DEFAULT_STACK_LIMIT = 1024 * 1024
# The guest runs on the host thread's stack (8 MB on Lambda): leave room for the host.
MAX_STACK_LIMIT = 4 * 1024 * 1024
DEFAULT_ALLOWED_IMPORTS: tuple[str, ...] = ("wasi_snapshot_preview1.*", "env.abort")
DEFAULT_HANDLER = "handler.wasm"

# The origin document's `wasm_sandbox` spelling, accepted as an alias.
_SNAKE_CASE_KEYS = {
    "memory_limit": "memoryLimit",
    "stack_limit": "stackLimit",
    "max_time": "maxTime",
    "allowed_imports": "allowedImports",
}


class SandboxLimits:
    __slots__ = ("allowed_imports", "fuel", "max_time", "memory_limit", "stack_limit")

    def __init__(
        self,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        stack_limit: int = DEFAULT_STACK_LIMIT,
        max_time: float | None = None,
        allowed_imports: tuple[str, ...] = DEFAULT_ALLOWED_IMPORTS,
        fuel: int | None = None,
    ) -> None:
        self.memory_limit = memory_limit  # bytes of linear memory
        self.stack_limit = stack_limit  # bytes of wasm stack
        self.max_time = max_time  # seconds; None = the Lambda deadline only
        self.allowed_imports = allowed_imports
        self.fuel = fuel


class OutputTarget(NamedTuple):
    """Where stdout goes with `output:`: a bucket (None = the event's) and a key template."""

    bucket: str | None
    key: str


class FunctionConfig:
    __slots__ = (
        "environment",
        "export",
        "function_name",
        "handler",
        "input",
        "kv",
        "module_path",
        "output",
        "sandbox",
    )

    def __init__(
        self,
        function_name: str,
        handler: str,
        module_path: Path,
        export: str | None,
        sandbox: SandboxLimits | None = None,
        input: str = "event",
        output: OutputTarget | None = None,
        environment: Mapping[str, str] | None = None,
        kv: Mapping[str, KvGrant] | None = None,
    ) -> None:
        self.function_name = function_name
        self.handler = handler  # the handler string as given: "mod.wasm#handle"
        self.module_path = module_path  # absolute path of the .wasm
        self.export = export  # the exports-ABI entry point; None for the wasi ABI
        self.sandbox = sandbox if sandbox is not None else SandboxLimits()
        self.input = input  # "event" | "object"
        self.output = output
        self.environment: Mapping[str, str] = environment if environment is not None else {}
        self.kv: Mapping[str, KvGrant] = kv if kv is not None else {}  # granted stores by name

    @property
    def abi(self) -> str:
        return "wasi" if self.export is None else "exports"


def split_handler(handler: str) -> tuple[str, str | None]:
    """'mod.wasm#handle' -> ('mod.wasm', 'handle'); a missing '.wasm' is added."""
    path, _, export = handler.partition("#")
    path = path.strip()
    if not path:
        raise InitError(WASM_INVALID_CONFIG, f"handler {handler!r} names no module")
    if not path.endswith(".wasm"):
        path += ".wasm"
    return path, (export.strip() or None) if export else None


def load_config(
    task_root: Path, environ: Mapping[str, str], *, honour_handler_variable: bool = True
) -> FunctionConfig:
    """Read `wasmdeploy.json` from `task_root`; `_HANDLER` overrides its handler."""
    raw = _read_file(task_root / CONFIG_FILE)
    return parse_config(raw, task_root, environ, honour_handler_variable=honour_handler_variable)


def parse_config(
    raw: Mapping[str, Any],
    task_root: Path,
    environ: Mapping[str, str],
    *,
    honour_handler_variable: bool = True,
) -> FunctionConfig:
    """The config held by `raw` (the parsed `wasmdeploy.json`) for a function in `task_root`."""
    handler = raw.get("handler")
    if honour_handler_variable and environ.get("_HANDLER"):
        handler = environ["_HANDLER"]
    if handler is None:
        handler = DEFAULT_HANDLER
    if not isinstance(handler, str):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: handler must be a string")
    relpath, export = split_handler(handler)
    module_path = task_root.absolute() / relpath
    name = raw.get("function") or environ.get("AWS_LAMBDA_FUNCTION_NAME") or module_path.stem
    return FunctionConfig(
        function_name=str(name),
        handler=handler,
        module_path=module_path,
        export=export,
        sandbox=_sandbox(raw.get("sandbox") or raw.get("wasm_sandbox") or {}),
        input=_input_mode(raw.get("input")),
        output=_output(raw.get("output")),
        environment=_environment(raw.get("environment")),
        kv=parse_grants(raw.get("kv"), CONFIG_FILE),
    )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise InitError(WASM_INVALID_CONFIG, f"cannot read {path}: {error}") from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InitError(WASM_INVALID_CONFIG, f"{path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise InitError(WASM_INVALID_CONFIG, f"{path} must hold a JSON object")
    return data


def _sandbox(raw: object) -> SandboxLimits:
    if not isinstance(raw, dict):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: sandbox must be an object")
    values = {_SNAKE_CASE_KEYS.get(key, key): value for key, value in raw.items()}
    try:
        memory = values.get("memoryLimit")
        stack = values.get("stackLimit")
        max_time = values.get("maxTime")
        imports = values.get("allowedImports")
        fuel = values.get("fuel")
        return SandboxLimits(
            memory_limit=DEFAULT_MEMORY_LIMIT if memory is None else parse_size(memory),
            stack_limit=DEFAULT_STACK_LIMIT if stack is None else _stack_limit(stack),
            max_time=None if max_time is None else parse_duration(max_time),
            allowed_imports=DEFAULT_ALLOWED_IMPORTS if imports is None else _patterns(imports),
            fuel=None if fuel is None else _fuel(fuel),
        )
    except ValueError as error:
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: sandbox: {error}") from error


def _stack_limit(value: object) -> int:
    size = parse_size(value)
    if size > MAX_STACK_LIMIT:
        raise ValueError(
            f"stackLimit {value!r} is over {MAX_STACK_LIMIT // (1024 * 1024)}MB, the most the "
            "runtime gives a guest (it runs on the host thread's stack)"
        )
    return size


def _patterns(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("allowedImports must be a list of 'module.name' patterns")
    return tuple(value)


def _fuel(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"fuel must be a positive integer, not {value!r}")
    return value


def _input_mode(value: object) -> str:
    if value is None:
        return "event"
    if value not in ("event", "object"):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: input must be 'event' or 'object'")
    return str(value)


def _output(value: object) -> OutputTarget | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("key"), str):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: output needs a 'key' template")
    bucket = value.get("bucket")
    if bucket is not None and not isinstance(bucket, str):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: output.bucket must be a string")
    return OutputTarget(bucket=bucket, key=value["key"])


def _environment(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InitError(WASM_INVALID_CONFIG, f"{CONFIG_FILE}: environment must be an object")
    return {str(key): str(item) for key, item in value.items()}


def task_root_from(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
