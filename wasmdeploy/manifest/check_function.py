"""Checks on a function's settings: sandbox values and limits, names, runtime, input/output."""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy_runtime.units import format_size, parse_duration, parse_size

from wasmdeploy.manifest import settings
from wasmdeploy.manifest.check_edge import EDGE_MAX_TIMEOUT
from wasmdeploy.manifest.naming import lambda_name_problem
from wasmdeploy.manifest.problems import NodePath, Problems

STAGE_NAME = re.compile(r"^[a-zA-Z0-9-]+$")
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
MIB = 1024 * 1024
LARGEST_MEMORY = 10240 * MIB  # Lambda's largest memorySize: no sandbox can be given more
LONGEST_TIMEOUT = 900  # seconds, Lambda's longest timeout
WASM_PAGE = 64 * 1024
LARGEST_STACK = 4 * MIB  # the runtime's cap (wasmdeploy_runtime.config.MAX_STACK_LIMIT)
AL2_DEPRECATION = (
    "provided.al2 deploys as provided.al2023: AWS deprecated provided.al2 on 2026-06-30, "
    "blocks creating functions with it from 2026-07-31 and updating them from 2026-08-31"
)


def check_sandbox_block(owner: dict[str, Any], owner_path: NodePath, problems: Problems) -> None:
    """Values inside one `sandbox` / `wasm_sandbox` block parse, and the block is not doubled."""
    if isinstance(owner.get("sandbox"), dict) and isinstance(owner.get("wasm_sandbox"), dict):
        problems.error(
            (*owner_path, "wasm_sandbox"),
            "both sandbox and its alias wasm_sandbox are given",
            hint="Keep one of them (sandbox with camelCase keys is the documented form).",
            key=True,
        )
    key, block = settings.sandbox_block(owner)
    if key is None:
        return
    reverse = {v: k for k, v in settings.SANDBOX_ALIASES.items()} if key == "wasm_sandbox" else {}
    for name, parser in (("memoryLimit", parse_size), ("stackLimit", parse_size)):
        value = block.get(name)
        if value is None or isinstance(value, list | dict):
            continue
        where = (*owner_path, key, reverse.get(name, name))
        try:
            size = parser(value)
        except ValueError as error:
            problems.error(where, str(error))
            continue
        if size < WASM_PAGE:
            problems.error(where, f"{value!r} is less than one WebAssembly page (64KB)")
        elif size > LARGEST_MEMORY:
            shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:20] + "..."
            problems.error(
                where,
                f"{shown} is more than 10GB, the most memory a Lambda function can have",
                hint="Write a size like '128MB' (at most the function's memorySize).",
            )
        elif name == "stackLimit" and size > LARGEST_STACK:
            problems.error(
                where,
                f"{value!r} is more than 4MB, the most stack the runtime gives a guest "
                "(it runs on the host thread's stack)",
                hint="Write at most stackLimit: 4MB, or make the guest recurse less deeply.",
            )
    value = block.get("maxTime")
    if value is not None and not isinstance(value, list | dict):
        where = (*owner_path, key, reverse.get("maxTime", "maxTime"))
        try:
            if parse_duration(value) <= 0:
                problems.error(where, "maxTime must be more than zero")
        except ValueError as error:
            problems.error(where, str(error))
    allowed = block.get("allowedImports")
    for index, pattern in enumerate(allowed if isinstance(allowed, list) else []):
        if isinstance(pattern, str) and pattern != "*" and "." not in pattern:
            problems.error(
                (*owner_path, key, reverse.get("allowedImports", "allowedImports"), index),
                f"'{pattern}' matches no import: imports are named module.name",
                hint=f"Write '{pattern}.*' to allow every import of module {pattern}.",
            )


def _sandbox_value_path(
    data: Any, name: str, function: dict[str, Any], camel: str
) -> NodePath | None:
    """Where the effective sandbox value `camel` was written: the function's, else provider's."""
    for owner, owner_path in (
        (function, ("functions", name)),
        (settings.provider_of(data), ("provider",)),
    ):
        key, block = settings.sandbox_block(owner)
        if key and block.get(camel) is not None:
            reverse = {v: k for k, v in settings.SANDBOX_ALIASES.items()}
            return (*owner_path, key, camel if key == "sandbox" else reverse[camel])
    return None


def check_limits(data: Any, name: str, function: dict[str, Any], problems: Problems) -> None:
    """memoryLimit <= memorySize and maxTime <= timeout, on the effective values."""
    sandbox = settings.sandbox_settings(data, function)
    memory_size = settings.memory_size(data, function)
    timeout = settings.timeout(data, function)
    try:
        memory_limit = parse_size(sandbox["memoryLimit"]) if "memoryLimit" in sandbox else None
    except ValueError:
        memory_limit = None
    if memory_limit is not None and memory_size * MIB < memory_limit <= LARGEST_MEMORY:
        path = _sandbox_value_path(data, name, function, "memoryLimit") or ("functions", name)
        problems.error(
            path,
            f"memoryLimit {format_size(memory_limit)} is more than the function's memorySize "
            f"({memory_size} MB)",
            hint=f"Lower memoryLimit, or raise memorySize to at least {-(-memory_limit // MIB)}.",
        )
    try:
        max_time = parse_duration(sandbox["maxTime"]) if "maxTime" in sandbox else None
    except ValueError:
        max_time = None
    if max_time is not None and max_time > timeout:
        path = _sandbox_value_path(data, name, function, "maxTime") or ("functions", name)
        longest = EDGE_MAX_TIMEOUT if settings.is_edge(function) else LONGEST_TIMEOUT
        needed = int(-(-max_time // 1))
        problems.error(
            path,
            f"maxTime {max_time:g}s is more than the function's timeout ({timeout}s): "
            "Lambda would stop the function first",
            hint=f"Lower maxTime, or raise timeout to at least {needed}."
            if needed <= longest
            else f"Lower maxTime: it must fit in the timeout ({timeout}s now, {longest}s at most).",
        )


def check_names(data: Any, name: str, stage: str, problems: Problems) -> None:
    service = data.get("service")
    if not isinstance(service, str) or not FUNCTION_NAME.match(name):
        return  # the schema reports malformed names
    own = settings.functions_of(data).get(name, {}).get("name")
    deployed = settings.deployed_name(service, stage, name, own)
    reason = lambda_name_problem(deployed)
    if reason and deployed == own:
        problems.error(
            ("functions", name, "name"),
            f"the function name '{deployed}' is invalid: {reason}",
            hint="Lambda function names are 1-64 letters, digits, '-' and '_'.",
        )
    elif reason:
        problems.error(
            ("functions", name),
            f"the deployed function name '{deployed}' (service-stage-function) is invalid: "
            f"{reason}",
            hint="Shorten the service or function name, or give the function a `name`.",
            key=True,
        )


def check_stage(stage: str, problems: Problems) -> None:
    """The stage names the Pulumi stack and prefixes every resource name."""
    if not STAGE_NAME.match(stage):
        problems.error(
            ("provider", "stage"),
            f"stage '{stage}' may only contain letters, digits and hyphens",
            hint="Pick a stage like dev, staging or prod (provider.stage or --stage).",
        )


def check_runtime(name: str, function: dict[str, Any], problems: Problems) -> None:
    if function.get("runtime") == "provided.al2":
        problems.warning(
            ("functions", name, "runtime"),
            AL2_DEPRECATION,
            hint="Write runtime: provided.al2023 (or omit it) to silence this warning.",
        )


def check_provider_runtime(data: Any, problems: Problems) -> None:
    if settings.provider_of(data).get("runtime") == "provided.al2":
        problems.warning(
            ("provider", "runtime"),
            AL2_DEPRECATION,
            hint="Write runtime: provided.al2023 (or omit it) to silence this warning.",
        )


def check_input_output(name: str, function: dict[str, Any], problems: Problems) -> None:
    has_s3 = any(
        isinstance(event, dict) and "s3" in event
        for event in settings.as_list(function.get("events"))
    )
    if function.get("input") == "object" and not has_s3:
        problems.error(
            ("functions", name, "input"),
            "input: object reads the S3 object that triggered the function, "
            "but this function has no s3 event",
            hint="Add an `- s3:` event, or remove `input: object`.",
        )
    if isinstance(function.get("output"), dict) and not has_s3:
        problems.error(
            ("functions", name, "output"),
            "output writes the result of an S3-triggered run, but this function has no s3 event",
            hint="Add an `- s3:` event, or remove `output`.",
        )
