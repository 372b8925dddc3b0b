"""The `wasmdeploy.json` a packaged function carries beside its module.

The runtime reads it at init (see docs/architecture.md): the manifest's key
names, sizes and durations as unit strings so a person reading the file inside
a zip sees the values they wrote.
"""

from __future__ import annotations

import json
from typing import Any

from wasmdeploy_runtime.units import format_size

from wasmdeploy.manifest.model import Function, Sandbox

CONFIG_FILE = "wasmdeploy.json"


def format_duration(seconds: float) -> str:
    """The shortest exact unit form the runtime parses back: 5.0 -> '5s', 0.25 -> '250ms'."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    milliseconds = seconds * 1000
    if abs(milliseconds - round(milliseconds)) < 1e-9:
        return f"{round(milliseconds)}ms"
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


def task_root_handler(function: Function) -> str:
    """The handler as the runtime resolves it inside the task root: the module's
    path relative to the root (where the package puts it), plus `#export`."""
    return function.module_relpath + (f"#{function.export}" if function.export else "")


def sandbox_config(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "memoryLimit": format_size(sandbox.memory_limit),
        "stackLimit": format_size(sandbox.stack_limit),
        "maxTime": None if sandbox.max_time is None else format_duration(sandbox.max_time),
        "allowedImports": list(sandbox.allowed_imports),
        "fuel": sandbox.fuel,
    }


def runtime_config(function: Function) -> dict[str, Any]:
    """The content of the function's `wasmdeploy.json`."""
    output = None
    if function.output is not None:
        output = {"bucket": function.output.bucket, "key": function.output.key}
    config = {
        "function": function.name,
        "handler": task_root_handler(function),
        "sandbox": sandbox_config(function.sandbox),
        "input": function.input,
        "output": output,
        "environment": dict(sorted(function.environment.items())),
    }
    if function.kv:  # the granted stores' tables: Lambda@Edge has no environment to hold them
        config["kv"] = {
            store.name: {"table": store.table, "ttl": None if store.ttl is None else int(store.ttl)}
            for store in function.kv
        }
    return config


def runtime_config_bytes(function: Function) -> bytes:
    """The file's bytes: stable key order and formatting, so zips are reproducible."""
    text = json.dumps(runtime_config(function), indent=2, sort_keys=False, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
