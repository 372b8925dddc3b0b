"""What about a function only a full `up` can change, as digests the stack tags it with.

`wasmdeploy deploy function` updates a deployed function's code and settings
directly. It may do so only while the function's triggers and permissions are
those of the last `up`: the program tags every function with a digest of each,
and `deploy function` compares them with the manifest's.

A field of `Function` is either code or configuration that Lambda's own API
updates in place (`DIRECT_FIELDS`), part of its permissions, or else part of
its triggers: a field added to the model later counts as a trigger until said
otherwise, so a new kind of event source can never slip past the check.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from wasmdeploy.manifest.model import Function

SHAPE_TAGS = {"triggers": "wasmdeploy:triggers", "permissions": "wasmdeploy:permissions"}

# Code and configuration UpdateFunctionCode / UpdateFunctionConfiguration change in place.
DIRECT_FIELDS = frozenset(
    {
        "name",
        "deployed_name",
        "handler",
        "module",
        "module_relpath",
        "abi",
        "export",
        "runtime",
        "requested_runtime",
        "memory_size",
        "timeout",
        "sandbox",
        "description",
        "environment",
        "tags",
        "build",
        "log_retention_days",
    }
)
# What the function's role may do: its policy and what it is granted.
PERMISSION_FIELDS = frozenset({"iam_statements", "input", "output", "kv", "kv_stores"})


def shape_digests(function: Function) -> dict[str, str]:
    """{"triggers": digest, "permissions": digest} of the function as the manifest has it."""
    groups: dict[str, dict[str, Any]] = {"triggers": {}, "permissions": {}}
    for field in dataclasses.fields(function):
        if field.name in DIRECT_FIELDS:
            continue
        group = "permissions" if field.name in PERMISSION_FIELDS else "triggers"
        groups[group][field.name] = getattr(function, field.name)
    # The runtime layer a function uses is chosen by its architecture and runtime family.
    groups["triggers"]["layer"] = (function.architecture, function.runtime.startswith("python"))
    return {group: _digest(values) for group, values in groups.items()}


def shape_tags(function: Function) -> dict[str, str]:
    """The tags the stack puts on the function's Lambda resource."""
    return {SHAPE_TAGS[group]: digest for group, digest in shape_digests(function).items()}


def _digest(values: dict[str, Any]) -> str:
    text = json.dumps(_plain(values), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
