"""Checks on CloudFormation references (`Fn::GetAtt`, `Ref`) where an event source's ARN goes.

A reference must point at a source of `resources:` of the right type and attribute
(`check_resources` reports logical ids that do not exist); where wasmdeploy takes
only an ARN string, the message says so.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.event_references import (
    is_reference,
    reference_problem,
    template_resources,
)
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.settings import as_dict

# Where Serverless takes a CloudFormation reference, and whose ARN it must be ("stream":
# the entry's type; "destination": the onFailure's type; None: taken only as an ARN string).
REFERENCE_KEYS: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "sqs": ((("arn",), "sqs"),),
    "stream": (
        (("arn",), "stream"),
        (("consumer",), None),
        (("destinations", "onFailure", "arn"), "destination"),
    ),
    "sns": ((("arn",), "sns"), (("redrivePolicy", "deadLetterTargetArn"), None)),
    "eventBridge": ((("eventBus",), "events"), (("deadLetterQueueArn",), None)),
    "schedule": (),
}


def _reference_service(wanted: str, value: Any) -> str | None:
    raw = as_dict(value)
    if wanted == "stream":
        kind = raw.get("type")
        return kind if kind in ("kinesis", "dynamodb") else None
    if wanted == "destination":
        failure = as_dict(as_dict(raw.get("destinations")).get("onFailure"))
        return "sns" if failure.get("type") == "sns" else "sqs"
    return wanted


def check_references(data: Any, kind: str, value: Any, path: NodePath, problems: Problems) -> None:
    """A CloudFormation reference where an ARN goes: to a source of `resources:` of the
    right type, or say what to write instead."""
    for keys, wanted in REFERENCE_KEYS[kind]:
        node: Any = value
        for key in keys:
            node = as_dict(node).get(key)
        if not is_reference(node):
            continue
        where = (*path, *keys)
        service = _reference_service(wanted, value) if wanted else None
        if wanted is None:
            problems.error(
                where,
                f"{'.'.join(keys)} takes an ARN here, not a CloudFormation reference",
                hint="Write the ARN (arn:aws:...).",
            )
        elif service is None:
            problems.error(
                path,
                "a stream whose arn is a CloudFormation reference needs type: kinesis or "
                "dynamodb (the reference does not say which)",
                hint="Add `type: kinesis` or `type: dynamodb`.",
            )
        else:
            problem = reference_problem(node, service, template_resources(data))
            if problem:
                problems.error(
                    where, problem, hint="Point it at a resource of resources.Resources."
                )
