"""CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`...) in manifest values.

Serverless users point functions at their `resources` with intrinsics: an
environment variable `{Ref: OrdersTable}`, an IAM statement's
`Resource: {Fn::GetAtt: [OrdersTable, Arn]}`. wasmdeploy deploys `resources` as a
CloudFormation stack and has CloudFormation evaluate each such expression as a
stack output (`export_key`), so every intrinsic CloudFormation knows works.
Locally (invoke, serve) an intrinsic reads as serverless-offline shows it: a
`Ref` as the logical id, a `Fn::GetAtt` as `LogicalId.Attribute`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

INTRINSIC_KEY = re.compile(r"^(?:Ref|Fn::[A-Za-z0-9]+)$")
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")
PSEUDO_PARAMETERS = (
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
)  # fmt: skip


def is_intrinsic(value: Any) -> bool:
    """A one-key mapping whose key is Ref or Fn::Something."""
    return (
        isinstance(value, dict)
        and len(value) == 1
        and isinstance(next(iter(value)), str)
        and bool(INTRINSIC_KEY.match(next(iter(value))))
    )


def contains_intrinsic(value: Any) -> bool:
    return next(intrinsics_in(value), None) is not None


def intrinsics_in(value: Any) -> Iterator[dict[str, Any]]:
    """The outermost intrinsics anywhere inside `value`."""
    if is_intrinsic(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from intrinsics_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from intrinsics_in(item)


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """(logical id, attribute or None) for every Ref, Fn::GetAtt and Fn::Sub `${...}` inside."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
        return
    if not isinstance(value, dict):
        return
    for key, argument in value.items():
        if key == "Ref" and isinstance(argument, str):
            yield argument, None
        elif key == "Fn::GetAtt":
            target = get_att_target(argument)
            if target:
                yield target
        elif key == "Fn::Sub":
            template = argument[0] if isinstance(argument, list) and argument else argument
            names = argument[1] if isinstance(argument, list) and len(argument) > 1 else {}
            if isinstance(template, str):
                for name in _SUB_VARIABLE.findall(template):
                    if not (isinstance(names, dict) and name in names):
                        logical, _, attribute = name.partition(".")
                        yield logical, attribute or None
            yield from references(names)
        else:
            yield from references(argument)


def get_att_target(argument: Any) -> tuple[str, str | None] | None:
    """`[Logical, Attr]` or `"Logical.Attr"` -> (Logical, Attr)."""
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
        return argument[0], str(argument[1])
    if isinstance(argument, str) and "." in argument:
        logical, _, attribute = argument.partition(".")
        return logical, attribute
    return None


def export_key(expression: Any) -> str:
    """The stack output that carries `expression`'s value: a stable alphanumeric name."""
    digest = hashlib.sha256(json.dumps(expression, sort_keys=True).encode()).hexdigest()
    return f"WasmdeployValue{digest[:16]}"


def local_text(value: Any) -> str:
    """What an intrinsic reads as when run locally (no stack to ask)."""
    if isinstance(value, dict) and len(value) == 1:
        key, argument = next(iter(value.items()))
        if key == "Ref" and isinstance(argument, str):
            return argument
        if key == "Fn::GetAtt":
            target = get_att_target(argument)
            if target:
                return ".".join(part for part in target if part)
    return json.dumps(value, sort_keys=True)
