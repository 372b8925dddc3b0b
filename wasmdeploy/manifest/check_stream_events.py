"""Checks on `stream` entries (Kinesis and DynamoDB): ARNs, starting positions, failures.

AWS requires a starting position for a stream mapping; Serverless defaults it to
TRIM_HORIZON, so its absence is a warning that says so.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import arns
from wasmdeploy.manifest.event_sources import stream_type
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.settings import as_dict

CONSOLES = {
    "sqs": "SQS",
    "sns": "SNS",
    "kinesis": "Kinesis",
    "dynamodb": "DynamoDB",
    "events": "EventBridge",
    "lambda": "Lambda",
}


def arn_problem(value: Any, service: str, path: NodePath, problems: Problems) -> bool:
    """Report an ARN that does not parse as `service`'s; True when it is fine.

    A value that is no ARN at all is the schema's to report (once)."""
    if not isinstance(value, str) or "${" in value or arns.service_of(value) is None:
        return False
    try:
        arns.parse_arn(value, service)
    except ValueError as error:
        problems.error(
            path, str(error), hint=f"Copy the ARN from the {CONSOLES[service]} console or CLI."
        )
        return False
    return True


def check_stream(value: Any, path: NodePath, problems: Problems) -> None:
    kind = stream_type(value)
    raw = as_dict(value)
    arn = value if isinstance(value, str) else raw.get("arn")
    if isinstance(arn, dict):
        return  # a CloudFormation reference: check_event_sources says what to write instead
    if kind is None:
        if isinstance(arn, str) and "${" not in arn and arns.service_of(arn):
            problems.error(
                path if isinstance(value, str) else (*path, "arn"),
                f"'{arn}' is neither a Kinesis nor a DynamoDB stream ARN",
                hint="Stream ARNs look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME or "
                "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL.",
            )
        elif raw and not isinstance(arn, str):
            problems.error(
                path,
                "a stream event needs arn, or type: kinesis with the name of a stream to create",
                hint="Add `type: kinesis` and `name: readings`, or `arn: arn:aws:kinesis:...`.",
            )
        return
    if isinstance(value, str):
        arn_problem(value, kind, path, problems)
        _check_stream_settings({}, kind, path, problems)
        return
    if isinstance(arn, str):
        arn_problem(arn, kind, (*path, "arn"), problems)
        if "name" in raw:
            problems.error(
                (*path, "name"),
                "give arn (an existing stream) or name (a stream to create), not both",
                hint="Remove name to consume the stream at arn.",
            )
    elif kind == "dynamodb":
        problems.error(
            path,
            "a DynamoDB stream comes from its table: give the stream's arn",
            hint="Use the table's LatestStreamArn (arn:aws:dynamodb:...:table/T/stream/LABEL).",
        )
    elif "name" not in raw:
        problems.error(
            path,
            "a Kinesis stream event needs arn, or name for a stream the service creates",
            hint="Add `name: readings` to create the stream.",
        )
    _check_stream_settings(raw, kind, path, problems)


def _check_stream_settings(
    raw: dict[str, Any], kind: str, path: NodePath, problems: Problems
) -> None:
    position = raw.get("startingPosition")
    if position is None:
        problems.warning(
            path,
            "no startingPosition: AWS requires one for a stream mapping, so TRIM_HORIZON "
            "(Serverless's default: every record the stream still holds) is used",
            hint="Add startingPosition: LATEST to start at new records, or TRIM_HORIZON to say so.",
        )
    if position == "AT_TIMESTAMP":
        if kind == "dynamodb":
            problems.error(
                (*path, "startingPosition"),
                "DynamoDB streams start at LATEST or TRIM_HORIZON only (AT_TIMESTAMP is Kinesis's)",
                hint="Use LATEST or TRIM_HORIZON.",
            )
        elif "startingPositionTimestamp" not in raw:
            problems.error(
                (*path, "startingPosition"),
                "AT_TIMESTAMP needs startingPositionTimestamp (seconds since the epoch)",
                hint="Add startingPositionTimestamp: 1735689600 (for example).",
            )
    elif "startingPositionTimestamp" in raw:
        problems.error(
            (*path, "startingPositionTimestamp"),
            "startingPositionTimestamp applies only with startingPosition: AT_TIMESTAMP",
            hint="Set startingPosition: AT_TIMESTAMP, or remove the timestamp.",
        )
    if kind == "dynamodb" and "consumer" in raw:
        problems.error(
            (*path, "consumer"),
            "consumer (enhanced fan-out) is for Kinesis streams only",
            hint="Remove consumer.",
        )
    age = raw.get("maximumRecordAgeInSeconds")
    if isinstance(age, int) and (age == 0 or 0 < age < 60 or age < -1):
        problems.error(
            (*path, "maximumRecordAgeInSeconds"),
            f"maximumRecordAgeInSeconds {age} is neither -1 (no limit) nor within 60-604800",
            hint="Use -1, or a value from 60 to 604800.",
        )
    failure = as_dict(raw.get("destinations")).get("onFailure")
    target = failure if isinstance(failure, str) else as_dict(failure).get("arn")
    if isinstance(target, str) and "${" not in target:
        service = arns.service_of(target)
        where = (*path, "destinations", "onFailure")
        if service in ("sqs", "sns"):
            arn_problem(target, service, where, problems)
        else:
            problems.error(
                where,
                f"'{target}' is not an SQS queue or SNS topic ARN: failed batches go to one",
                hint="Name a queue (arn:aws:sqs:...) or a topic (arn:aws:sns:...).",
            )
