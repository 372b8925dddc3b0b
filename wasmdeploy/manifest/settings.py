"""Reading raw manifest values with precedence: CLI option > function > provider > default.

The checks and the resolver both read the manifest through these helpers, so
a value a check looks at is the value that gets deployed. Every helper
tolerates malformed input (it returns the default), because the checks run
even when the schema has already found errors.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import model
from wasmdeploy.manifest.intrinsics import is_intrinsic, local_text

AWS_RUNTIMES = ("provided.al2023", "provided.al2", "python3.12", "python3.13")
WASM_RUNTIME = "wasmtime"
DEPRECATED_RUNTIMES = {"provided.al2": "provided.al2023"}
SANDBOX_ALIASES = {
    "memory_limit": "memoryLimit",
    "stack_limit": "stackLimit",
    "max_time": "maxTime",
    "allowed_imports": "allowedImports",
    "fuel": "fuel",
}


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def provider_of(data: Any) -> dict[str, Any]:
    return as_dict(as_dict(data).get("provider"))


def functions_of(data: Any) -> dict[str, dict[str, Any]]:
    functions = as_dict(as_dict(data).get("functions"))
    return {name: as_dict(body) for name, body in functions.items()}


def first(*values: Any) -> Any:
    """The first value that is not None (the precedence chain's lookup)."""
    for value in values:
        if value is not None:
            return value
    return None


def stage(data: Any, cli_stage: str | None) -> str:
    value = first(cli_stage, provider_of(data).get("stage"))
    return str(value) if value is not None else model.DEFAULT_STAGE


def region(data: Any, cli_region: str | None) -> str:
    value = first(cli_region, provider_of(data).get("region"))
    return str(value) if value is not None else model.DEFAULT_REGION


def is_edge(function: dict[str, Any]) -> bool:
    return isinstance(function.get("edge"), dict)


def requested_runtime(data: Any, function: dict[str, Any]) -> str:
    """The AWS runtime the manifest asks for (function `runtime: wasmtime` means "inherit")."""
    own = function.get("runtime")
    if isinstance(own, str) and own in AWS_RUNTIMES:
        return own
    value = provider_of(data).get("runtime")
    return value if isinstance(value, str) and value in AWS_RUNTIMES else model.DEFAULT_RUNTIME


def deployed_runtime(data: Any, function: dict[str, Any]) -> str:
    if is_edge(function):
        own = function.get("runtime")
        return own if own in ("python3.12", "python3.13") else model.EDGE_RUNTIME
    runtime = requested_runtime(data, function)
    return DEPRECATED_RUNTIMES.get(runtime, runtime)


def architecture(data: Any, function: dict[str, Any]) -> str:
    if is_edge(function):
        return model.DEFAULT_ARCHITECTURE
    value = first(function.get("architecture"), provider_of(data).get("architecture"))
    return value if value in ("x86_64", "arm64") else model.DEFAULT_ARCHITECTURE


def _int_setting(data: Any, function: dict[str, Any], key: str, default: int) -> int:
    value = first(function.get(key), provider_of(data).get(key))
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def memory_size(data: Any, function: dict[str, Any]) -> int:
    return _int_setting(data, function, "memorySize", model.DEFAULT_MEMORY_SIZE)


def timeout(data: Any, function: dict[str, Any]) -> int:
    return _int_setting(data, function, "timeout", model.DEFAULT_TIMEOUT)


def _string_map(value: Any) -> dict[str, str]:
    return {str(k): _scalar_text(v) for k, v in as_dict(value).items() if v is not None}


def _scalar_text(value: Any) -> str:
    if is_intrinsic(value):
        return local_text(value)  # the stack gives the real value (FunctionAws.environment)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def environment(data: Any, function: dict[str, Any]) -> dict[str, str]:
    """Provider environment overlaid by the function's; edge functions have none."""
    if is_edge(function):
        return {}
    return {
        **_string_map(provider_of(data).get("environment")),
        **_string_map(function.get("environment")),
    }


def tags(data: Any, function: dict[str, Any] | None = None) -> dict[str, str]:
    """provider.stackTags (on every resource, as in Serverless), provider.tags, the function's."""
    merged = _string_map(provider_of(data).get("stackTags"))
    merged.update(_string_map(provider_of(data).get("tags")))
    if function is not None:
        merged.update(_string_map(function.get("tags")))
    return merged


def sandbox_block(owner: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The owner's sandbox settings with camelCase keys, and the key they came from."""
    if isinstance(owner.get("sandbox"), dict):
        return "sandbox", dict(owner["sandbox"])
    if isinstance(owner.get("wasm_sandbox"), dict):
        raw = owner["wasm_sandbox"]
        return "wasm_sandbox", {SANDBOX_ALIASES.get(k, k): v for k, v in raw.items()}
    return None, {}


def sandbox_settings(data: Any, function: dict[str, Any]) -> dict[str, Any]:
    """Provider sandbox overlaid key by key with the function's (camelCase keys)."""
    _, provider_sandbox = sandbox_block(provider_of(data))
    _, function_sandbox = sandbox_block(function)
    merged = {k: v for k, v in provider_sandbox.items() if v is not None}
    merged.update({k: v for k, v in function_sandbox.items() if v is not None})
    return merged


def iam_statements(data: Any) -> list[dict[str, Any]]:
    """`provider.iam.statements`, and serverless v3's `provider.iam.role.statements`."""
    iam = as_dict(provider_of(data).get("iam"))
    statements = as_list(iam.get("statements")) + as_list(
        as_dict(iam.get("role")).get("statements")
    )
    return [s for s in statements if isinstance(s, dict)]


def log_retention(data: Any, function: dict[str, Any]) -> int | None:
    value = first(function.get("logRetentionInDays"), provider_of(data).get("logRetentionInDays"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def split_handler(handler: str) -> tuple[str, str | None]:
    """'dir/mod#handle' -> ('dir/mod.wasm', 'handle'); the `.wasm` suffix is optional."""
    module, _, export = handler.partition("#")
    module = module.strip()
    if not module.endswith(".wasm"):
        module += ".wasm"
    return module, (export.strip() or None) if export else None


def deployed_name(service: str, stage_name: str, function: str, own: Any = None) -> str:
    """The Lambda function's name: the function's own `name`, else {service}-{stage}-{function}."""
    if isinstance(own, str) and own:
        return own
    return f"{service}-{stage_name}-{function}"
