"""`resources` referring to what Serverless generates: `HelloLambdaFunction`, `ApiGatewayRestApi`.

wasmdeploy creates functions and APIs outside the resources stack, so such a
reference becomes a stack parameter the program fills: `{Ref: HelloLambdaFunction}`
(the function's name), `{Fn::GetAtt: [HelloLambdaFunction, Arn]}`, `{Ref:
ApiGatewayRestApi}` / its `RootResourceId`, `{Ref: HttpApi}`; `${...}` in `Fn::Sub`
too. The stack then deploys after them, so the functions cannot also take values
from it (`check_resources` says so).
"""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy.manifest.intrinsics import get_att_target
from wasmdeploy.manifest.settings import as_dict, as_list, functions_of

Target = tuple[str, str, str | None]  # (kind: function | restApi | httpApi, name, attribute)
ATTRIBUTES = {
    "function": (None, "Arn"),
    "restApi": (None, "RootResourceId"),
    "httpApi": (None,),
    "bucket": (None, "Arn"),
}
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}.]+)(?:\.([^}]+))?\}")


def serverless_logical_id(function: str) -> str:
    """Serverless's logical id of a function: `hello-world` -> `HelloDashworldLambdaFunction`."""
    normalized = function.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaFunction"


def generated_resources(data: Any) -> dict[str, tuple[str, str]]:
    """Logical id -> (kind, name) for what wasmdeploy creates that Serverless would name."""
    found: dict[str, tuple[str, str]] = {
        serverless_logical_id(name): ("function", name) for name in functions_of(data)
    }
    kinds = {
        kind
        for function in functions_of(data).values()
        for event in as_list(function.get("events"))
        for kind in as_dict(event)
    }
    for function in functions_of(data).values():
        for event in as_list(function.get("events")):
            s3 = as_dict(event).get("s3")
            bucket = s3 if isinstance(s3, str) else as_dict(s3).get("bucket")
            if isinstance(bucket, str) and not as_dict(s3).get("existing"):
                found["S3Bucket" + _alphanumeric(bucket)] = ("bucket", bucket)
    if "http" in kinds:
        found["ApiGatewayRestApi"] = ("restApi", "")
    if "httpApi" in kinds:
        found["HttpApi"] = ("httpApi", "")
    return found


def _alphanumeric(name: str) -> str:
    """Serverless's normalizeNameToAlphaNumericOnly: letters and digits, the first upper case."""
    kept = re.sub(r"[^0-9A-Za-z]", "", name)
    return kept[:1].upper() + kept[1:]


def _bucket_value(bucket: str, attribute: str | None) -> Any:
    """A bucket the service creates is known by name: no parameter needed."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}"} if attribute else bucket


def parameter_name(logical: str, attribute: str | None) -> str:
    return f"Wasmdeploy{logical}{attribute or 'Ref'}".replace(".", "")


def with_parameters(
    value: Any, generated: dict[str, tuple[str, str]]
) -> tuple[Any, dict[str, Target]]:
    """`value` with references to generated resources swapped for parameters, and those."""
    parameters: dict[str, Target] = {}

    def swap(logical: str, attribute: str | None) -> str:
        kind, name = generated[logical]
        key = parameter_name(logical, attribute)
        parameters[key] = (kind, name, attribute)
        return key

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            target: tuple[str, str | None] | None = (
                (argument, None) if key == "Ref" and isinstance(argument, str) else None
            )
            target = get_att_target(argument) if key == "Fn::GetAtt" else target
            if target and target[0] in generated:
                kind, name = generated[target[0]]
                if kind == "bucket" and target[1] in ATTRIBUTES[kind]:
                    return _bucket_value(name, target[1])
                if target[1] in ATTRIBUTES[kind]:
                    return {"Ref": swap(*target)}
            if key == "Fn::Sub":
                return {"Fn::Sub": _sub(argument, generated, swap, walk)}
        return {k: walk(v) for k, v in node.items()}

    return walk(value), parameters


def _sub(argument: Any, generated: dict[str, tuple[str, str]], swap: Any, walk: Any) -> Any:
    template = argument[0] if isinstance(argument, list) and argument else argument
    if not isinstance(template, str):
        return walk(argument)

    def replace(match: re.Match[str]) -> str:
        logical, attribute = match.group(1), match.group(2)
        kind, name = generated.get(logical, ("", ""))
        if kind == "bucket" and attribute is None:
            return name
        if kind and kind != "bucket" and attribute in ATTRIBUTES[kind]:
            return "${" + swap(logical, attribute) + "}"
        return match.group(0)

    text = _SUB_VARIABLE.sub(replace, template)
    return [text, *[walk(item) for item in argument[1:]]] if isinstance(argument, list) else text
