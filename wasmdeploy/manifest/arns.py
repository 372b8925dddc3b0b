"""Amazon Resource Names of event sources: parse them, check their service, take their names.

`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. Each source names its resource its
own way: a queue or topic by the last field, a Kinesis stream by `stream/NAME`, a
DynamoDB stream by `table/NAME/stream/LABEL`, a bus by `event-bus/NAME`, a function
by `function:NAME`. The partition an ARN is in follows from its region
(`partition_for_region`), for `${aws:partition}` and the stack's own ARNs alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*)"
    r":(?P<account>[0-9]*):(?P<resource>.+)$"
)
_RESOURCE_FORMS = {
    "sqs": (re.compile(r"^(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)$"), "QUEUE_NAME"),
    "sns": (re.compile(r"^(?P<name>[A-Za-z0-9_-]{1,256}(?:\.fifo)?)$"), "TOPIC_NAME"),
    "kinesis": (re.compile(r"^stream/(?P<name>[A-Za-z0-9_.-]{1,128})$"), "stream/STREAM_NAME"),
    "dynamodb": (
        re.compile(r"^table/(?P<name>[A-Za-z0-9_.-]{3,255})/stream/(?P<label>[^/]+)$"),
        "table/TABLE/stream/LABEL",
    ),
    "events": (re.compile(r"^event-bus/(?P<name>[A-Za-z0-9/_.-]+)$"), "event-bus/BUS_NAME"),
    "lambda": (
        re.compile(r"^function:(?P<name>[A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$"),
        "function:FUNCTION_NAME",
    ),
}
SERVICE_NAMES = {
    "sqs": "an SQS queue",
    "sns": "an SNS topic",
    "kinesis": "a Kinesis stream",
    "dynamodb": "a DynamoDB stream",
    "events": "an EventBridge bus",
    "lambda": "a Lambda function",
}


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str
    name: str  # the queue, topic, stream, table, bus or function name


def partition_for_region(region: str) -> str:
    """`cn-north-1` -> aws-cn, `us-gov-west-1` -> aws-us-gov, anything else -> aws."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def arn_in(region: str, rest: str) -> str:
    """`arn:PARTITION:` + `rest`, in the partition of `region` (for the ARNs `plan` shows)."""
    return f"arn:{partition_for_region(region)}:{rest}"


def is_arn(text: object) -> bool:
    return isinstance(text, str) and text.startswith("arn:")


def parse_arn(text: str, service: str) -> Arn:
    """The ARN of `service`'s resource; ValueError says what is wrong with it."""
    match = _ARN.match(text)
    if not match:
        raise ValueError(
            f"'{text}' is not an ARN: expected arn:aws:{service}:REGION:ACCOUNT:RESOURCE"
        )
    if match["service"] != service:
        found = SERVICE_NAMES.get(match["service"], f"a {match['service']} resource")
        raise ValueError(
            f"'{text}' is the ARN of {found}, not of {SERVICE_NAMES.get(service, service)}"
        )
    if not match["region"] or not match["account"]:
        raise ValueError(
            f"'{text}' lacks its region or account (arn:aws:{service}:REGION:ACCOUNT:...)"
        )
    form, shape = _RESOURCE_FORMS[service]
    resource = form.match(match["resource"])
    if not resource:
        raise ValueError(
            f"'{text}' does not name {SERVICE_NAMES[service]}: its last part should be {shape}"
        )
    return Arn(
        partition=match["partition"],
        service=service,
        region=match["region"],
        account=match["account"],
        resource=match["resource"],
        name=resource["name"],
    )


def service_of(text: str) -> str | None:
    """The service an ARN belongs to ("sqs", "sns", ...), or None for a malformed ARN."""
    match = _ARN.match(text)
    return match["service"] if match else None


def region_of(text: str) -> str | None:
    """The region an ARN names, or None (malformed, or a global resource)."""
    match = _ARN.match(text)
    return match["region"] or None if match else None


def name_of(text: str, service: str) -> str | None:
    """The resource's name, or None when the ARN does not parse as `service`'s."""
    try:
        return parse_arn(text, service).name
    except ValueError:
        return None
