"""CloudFormation's short YAML tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) as their long forms.

Serverless reads them in serverless.yml (under `resources` and elsewhere); the
manifest parser turns each tagged node into the mapping CloudFormation's JSON
form uses: `!Ref X` -> `{"Ref": "X"}`, `!GetAtt X.Arn` -> `{"Fn::GetAtt": ["X", "Arn"]}`.
"""

from __future__ import annotations

from typing import Any

import yaml

FUNCTIONS = (
    "Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not",
    "And", "Or", "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs", "Length",
    "ToJsonString", "Transform",
)  # fmt: skip
_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


def intrinsic_function(tag: str) -> str | None:
    """'Ref' for the tag '!Ref', None for tags that are not CloudFormation's."""
    name = tag[1:] if tag.startswith("!") else ""
    return name if name in FUNCTIONS else None


def untagged(node: yaml.Node) -> yaml.Node:
    """The same node with YAML's default tag for its kind (so it parses as plain data)."""
    copy = type(node).__new__(type(node))
    copy.__dict__.update(node.__dict__)
    copy.tag = _DEFAULT_TAGS[type(node)]
    return copy


def as_intrinsic(function: str, value: Any) -> dict[str, Any]:
    if function in ("Ref", "Condition"):
        return {function: value}
    if function == "GetAtt" and isinstance(value, str):
        logical, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical, attribute]}
    return {f"Fn::{function}": value}
