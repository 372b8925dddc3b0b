"""Event sources declared in `resources:` and named by `Fn::GetAtt` / `Ref`, as Serverless allows.

`arn: {Fn::GetAtt: [OrdersQueue, Arn]}` points a trigger at a queue of the resources
stack. The stack has CloudFormation evaluate the intrinsic (see `stacks.cfn_resources`);
the model names the source by its literal name property (QueueName, TopicName...) or
else by its logical id, which is also the name the local AWS gives it.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.intrinsics import get_att_target
from wasmdeploy.manifest.settings import as_dict

# The (resource type, attribute) whose value is each kind of source's ARN (None: a Ref).
ARN_OF = {
    "sqs": (("AWS::SQS::Queue", "Arn"),),
    "kinesis": (("AWS::Kinesis::Stream", "Arn"),),
    "dynamodb": (("AWS::DynamoDB::Table", "StreamArn"),),
    "sns": (("AWS::SNS::Topic", None), ("AWS::SNS::Topic", "TopicArn")),
    "events": (
        ("AWS::Events::EventBus", None),
        ("AWS::Events::EventBus", "Name"),
        ("AWS::Events::EventBus", "Arn"),
    ),
    "lambda": (("AWS::Lambda::Function", "Arn"),),
}
NAME_PROPERTY = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Events::EventBus": "Name",
    "AWS::Lambda::Function": "FunctionName",
}
WRITE_AS = {
    "sqs": "Fn::GetAtt: [QUEUE, Arn]",
    "kinesis": "Fn::GetAtt: [STREAM, Arn]",
    "dynamodb": "Fn::GetAtt: [TABLE, StreamArn]",
    "sns": "Ref: TOPIC",
    "events": "Ref: BUS",
    "lambda": "Fn::GetAtt: [FUNCTION, Arn]",
}


def template_resources(data: Any) -> dict[str, Any]:
    """`resources.Resources` of the manifest (logical id -> resource)."""
    return as_dict(as_dict(as_dict(data).get("resources")).get("Resources"))


def is_reference(value: Any) -> bool:
    """A one-key `Ref` or `Fn::...` mapping (any intrinsic)."""
    return (
        isinstance(value, dict)
        and len(value) == 1
        and isinstance(next(iter(value)), str)
        and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::"))
    )


def reference_target(value: Any) -> tuple[str, str | None] | None:
    """(logical id, attribute or None) of a `Ref` or `Fn::GetAtt`; None for other intrinsics."""
    if not is_reference(value):
        return None
    key, argument = next(iter(value.items()))
    if key == "Ref":
        return (argument, None) if isinstance(argument, str) else None
    if key == "Fn::GetAtt":
        return get_att_target(argument)
    return None


def referenced_name(value: Any, resources: dict[str, Any] | None) -> str | None:
    """The name of the source a `Ref` / `Fn::GetAtt` points at, or None."""
    target = reference_target(value)
    if target is None:
        return None
    logical = target[0]
    resource = as_dict((resources or {}).get(logical))
    name = as_dict(resource.get("Properties")).get(NAME_PROPERTY.get(str(resource.get("Type")), ""))
    return name if isinstance(name, str) and "${" not in name else logical


def reference_problem(value: Any, service: str, resources: dict[str, Any]) -> str | None:
    """Why an intrinsic cannot stand for `service`'s ARN here, or None when it can.

    References to logical ids that do not exist are `check_resources`'s to report."""
    target = reference_target(value)
    if target is None:
        function = next(iter(value)) if isinstance(value, dict) and value else "?"
        return (
            f"{function} cannot name an event source here: use {WRITE_AS[service]} to a "
            "resource in resources.Resources, or write the ARN"
        )
    logical, attribute = target
    resource = as_dict(resources.get(logical))
    if not resource:
        return None
    kind = resource.get("Type")
    if (kind, attribute) in ARN_OF[service]:
        return None
    written = f"Fn::GetAtt: [{logical}, {attribute}]" if attribute else f"Ref: {logical}"
    return f"{written} is not the ARN wanted here ({logical} is {kind}): use {WRITE_AS[service]}"
