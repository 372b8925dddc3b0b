"""`resources:` (CloudFormation Resources, Outputs, Conditions...) and the intrinsics that use it.

`cloudformation_resources` builds the template the stack deploys: the user's sections, a
stack output for every intrinsic the functions use (so CloudFormation evaluates
them), and a placeholder resource when only intrinsics need a stack.
`check_resources` reports references to resources that do not exist, at their line.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import Any

from wasmdeploy.manifest.generated_refs import (
    ATTRIBUTES,
    Target,
    generated_resources,
    with_parameters,
)
from wasmdeploy.manifest.intrinsics import (
    PSEUDO_PARAMETERS,
    export_key,
    is_intrinsic,
    references,
)
from wasmdeploy.manifest.model_resources import ServiceResources
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.settings import as_dict

TEMPLATE_SECTIONS = (
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
    "Conditions", "Transform", "Resources", "Outputs",
)  # fmt: skip
MAX_TEMPLATE_BYTES = 51_200  # CloudFormation's TemplateBody limit
MAX_OUTPUTS = 200  # CloudFormation's outputs per template
PLACEHOLDER = {"WasmdeployPlaceholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
# Logical ids Serverless generates for what wasmdeploy deploys outside the stack.
SERVERLESS_GENERATED = re.compile(
    r"^(?:.+LambdaFunction(?:QualifiedArn)?|.+LambdaVersion\w*|.+LogGroup|.+LambdaPermission\w*|"
    r"IamRoleLambdaExecution|ServerlessDeploymentBucket\w*|ApiGateway\w+|HttpApi\w*|"
    r"WebsocketsApi\w*|S3Bucket\w+|SNSTopic\w+|.+EventSourceMapping\w*|.+EventsRule\w*)$"
)


def intrinsic_uses(data: dict[str, Any]) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """(path, intrinsic) for every intrinsic under provider and functions."""
    for top in ("provider", "functions"):
        yield from _walk((top,), data.get(top))


def _walk(path: NodePath, value: Any) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    if is_intrinsic(value):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk((*path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk((*path, index), item)


def cloudformation_resources(
    data: dict[str, Any], service: str, stage: str
) -> ServiceResources | None:
    """The stack to deploy, or None when the manifest has no resources and uses no intrinsics."""
    declared = as_dict(data.get("resources"))
    exports = {export_key(expr): expr for _, expr in intrinsic_uses(data)}
    if not declared and not exports:
        return None
    template = {key: declared[key] for key in TEMPLATE_SECTIONS if key in declared}
    template.setdefault("AWSTemplateFormatVersion", "2010-09-09")
    template["Resources"] = as_dict(template.get("Resources")) or dict(PLACEHOLDER)
    parameters: dict[str, Target] = {}
    generated = generated_resources(data)
    for section in ("Resources", "Outputs", "Conditions"):
        if section in template:
            template[section], found = with_parameters(template[section], generated)
            parameters.update(found)
    if parameters:
        template["Parameters"] = {
            **as_dict(template.get("Parameters")),
            **{key: {"Type": "String"} for key in parameters},
        }
    outputs = dict(as_dict(template.get("Outputs")))
    outputs.update({key: {"Value": expr} for key, expr in exports.items()})
    if outputs:
        template["Outputs"] = outputs
    return ServiceResources(f"{service}-{stage}-resources", template, exports, parameters)


def check_resources(data: dict[str, Any], problems: Problems) -> None:
    """Every Ref / Fn::GetAtt / Fn::Sub reference names a resource, parameter or pseudo one,
    and the template fits in one CloudFormation request."""
    declared = as_dict(data.get("resources"))
    failed = ("functions",) in problems.unresolved or ("resources",) in problems.unresolved
    if not failed and not any(data.get(key) for key in ("functions", "resources", "kv")):
        problems.error(
            (),
            "the service deploys nothing: it has no functions (and no resources)",
            hint="Add `functions:` (or, as in Serverless, only `resources:`).",
        )
    stack = cloudformation_resources(data, "service", "stage")
    size = len(json.dumps(stack.template, sort_keys=True)) if stack else 0
    outputs = len(stack.template.get("Outputs", {})) if stack else 0
    if outputs > MAX_OUTPUTS:
        problems.error(
            ("resources",),
            f"the resources stack would have {outputs} outputs (yours, and one per intrinsic "
            f"the functions use); CloudFormation allows {MAX_OUTPUTS}",
            hint="Use fewer distinct Ref / Fn::GetAtt values, or fewer Outputs.",
            key=True,
        )
    if size > MAX_TEMPLATE_BYTES:
        problems.error(
            ("resources",),
            f"the resources template is {size:,} bytes; CloudFormation takes at most "
            f"{MAX_TEMPLATE_BYTES:,} in one request",
            hint="Keep the largest resources in a stack of their own and reach them with "
            "${cf:stack.Output} or Fn::ImportValue.",
            key=True,
        )
    _check_references(data, declared, problems)


def _check_references(data: dict[str, Any], declared: dict[str, Any], problems: Problems) -> None:
    logical = list(as_dict(declared.get("Resources")))
    known = {*logical, *as_dict(declared.get("Parameters")), *PSEUDO_PARAMETERS}
    generated = generated_resources(data)
    functions_use_stack = any(True for _ in intrinsic_uses(data))
    for path, expression in [*intrinsic_uses(data), *_walk(("resources",), declared)]:
        for target, attribute in references(expression):
            if target in known:
                continue
            kind = generated.get(target, ("", ""))[0]
            if path[0] != "resources" or not kind:
                message, hint = _missing_message(target, logical)
                problems.error(path, message, hint=hint)
            elif attribute not in ATTRIBUTES[kind]:
                problems.error(
                    path,
                    f"resources can read {target}'s "
                    + " and ".join(a or "Ref" for a in ATTRIBUTES[kind])
                    + f", not {attribute}",
                )
            elif functions_use_stack and kind != "bucket":
                problems.error(
                    path,
                    f"resources refer to {target}, which wasmdeploy creates outside the stack, "
                    "while the functions take values from the stack: one must come first",
                    hint="Write one side's value out (a name or ARN), or move the resource "
                    "into a stack of its own.",
                )


def _missing_message(target: str, logical: list[str]) -> tuple[str, str]:
    if SERVERLESS_GENERATED.match(target):
        return (
            f"'{target}' is a resource the Serverless Framework generates; wasmdeploy deploys "
            "functions, APIs and logs outside the resources stack, so it has no such resource",
            "resources may refer to {Function}LambdaFunction, ApiGatewayRestApi, HttpApi and "
            "S3Bucket{Name} (wasmdeploy passes them in); for anything else write the name or ARN.",
        )
    close = difflib.get_close_matches(target, logical, n=1)
    where = (
        f"Did you mean '{close[0]}'?"
        if close
        else (
            f"resources.Resources defines: {', '.join(logical)}."
            if logical
            else "Define it under resources.Resources."
        )
    )
    return f"'{target}' is not a resource in resources.Resources", where
