"""AWS's rules for schedule, sqs, stream, sns and eventBridge entries, and async destinations."""

from __future__ import annotations

from typing import Any

import pytest

from wasmdeploy.manifest.check_event_loops import (
    check_async_settings,
    check_bucket_queue_loops,
    check_writes_to_own_trigger,
)
from wasmdeploy.manifest.check_event_sources import check_event_sources
from wasmdeploy.manifest.problems import Problems

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"
KINESIS_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/readings"
DYNAMO_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/2026-01-01T00:00:00.000"


def manifest(*events: Any, **function: Any) -> dict[str, Any]:
    body = {"handler": "fn.wasm", "timeout": 10, "events": list(events), **function}
    return {"service": "svc", "functions": {"fn": body}}


def problems_of(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    problems = Problems("wasmdeploy.yml")
    check_event_sources(data, problems, "us-east-1")
    check_async_settings(data, "dev", problems)
    check_writes_to_own_trigger(data, problems)
    check_bucket_queue_loops(data, problems)
    render = [f"{p.path}: {p.message}" for p in problems.errors]
    return render, [f"{p.path}: {p.message}" for p in problems.warnings]


def errors_of(*events: Any, **function: Any) -> list[str]:
    return problems_of(manifest(*events, **function))[0]


def test_well_formed_sources_have_no_errors() -> None:
    errors = errors_of(
        {"schedule": "rate(5 minutes)"},
        {"schedule": {"rate": ["cron(0 12 * * ? *)"], "method": "scheduler", "timezone": "UTC"}},
        {"sqs": QUEUE_ARN},
        {"sqs": {"queue": {"name": "jobs", "visibilityTimeout": 60}, "batchSize": 10}},
        {"sqs": {"arn": QUEUE_ARN, "batchSize": 500, "maximumBatchingWindow": 5}},
        {"stream": {"arn": KINESIS_ARN, "startingPosition": "LATEST"}},
        {"stream": {"arn": DYNAMO_ARN, "startingPosition": "TRIM_HORIZON"}},
        {"stream": {"type": "kinesis", "name": "made", "startingPosition": "LATEST"}},
        {"sns": "alerts"},
        {"sns": {"arn": "arn:aws:sns:us-east-1:123456789012:ext"}},
        {"eventBridge": {"eventBus": "bus", "pattern": {"source": ["app"]}}},
        {"eventBridge": {"schedule": "rate(1 hour)"}},
    )
    assert errors == []


@pytest.mark.parametrize(
    ("event", "where", "says"),
    [
        ({"schedule": "rate(1 minutes)"}, "events[0].schedule", "singular"),
        (
            {"schedule": {"rate": ["cron(0 12 * * * *)"]}},
            "schedule.rate[0]",
            "one of them must be '?'",
        ),
        (
            {"schedule": {"rate": ["rate(1 day)"], "timezone": "UTC"}},
            "timezone",
            "method: scheduler",
        ),
        (
            {"schedule": {"rate": ["rate(1 day)"], "method": "scheduler", "timezone": "Mars/Base"}},
            "timezone",
            "not an IANA time zone",
        ),
        ({"eventBridge": {"schedule": "cron(0 0 ? * ? *)"}}, "eventBridge.schedule", "both be '?'"),
        (
            {"schedule": {"rate": ["rate(1 day)"], "method": "scheduler", "inputPath": "$.x"}},
            "schedule.inputPath",
            "fixed input",
        ),
        ({"sqs": "arn:aws:sns:us-east-1:123456789012:t"}, "events[0].sqs", "not of an SQS queue"),
        ({"sqs": {"arn": "arn:aws:sqs:::orders"}}, "sqs.arn", "lacks its region or account"),
        ({"sqs": {"batchSize": 5}}, "events[0].sqs", "needs arn"),
        ({"sqs": {"arn": QUEUE_ARN, "queue": "q"}}, "events[0].sqs", "not both"),
        (
            {"sqs": {"arn": QUEUE_ARN, "batchSize": 11}},
            "sqs.batchSize",
            "only with a batching window",
        ),
        (
            {"sqs": {"queue": "jobs.fifo", "batchSize": 20, "maximumBatchingWindow": 1}},
            "sqs.batchSize",
            "FIFO",
        ),
        (
            {"sqs": {"queue": "jobs.fifo", "maximumBatchingWindow": 1}},
            "maximumBatchingWindow",
            "FIFO",
        ),
        ({"sqs": {"queue": {"name": "q", "visibilityTimeout": 5}}}, "visibilityTimeout", "refuses"),
        ({"sqs": {"queue": "q" * 77}}, "sqs.queue", "too long"),
        (
            {"stream": "arn:aws:sqs:us-east-1:123456789012:q"},
            "events[0].stream",
            "neither a Kinesis",
        ),
        (
            {"stream": {"type": "kinesis", "batchSize": 10}},
            "events[0].stream",
            "needs arn, or name",
        ),
        ({"stream": {"type": "dynamodb", "name": "t"}}, "events[0].stream", "comes from its table"),
        (
            {"stream": {"arn": DYNAMO_ARN, "startingPosition": "AT_TIMESTAMP"}},
            "startingPosition",
            "AT_TIMESTAMP is Kinesis's",
        ),
        (
            {"stream": {"arn": KINESIS_ARN, "startingPosition": "AT_TIMESTAMP"}},
            "startingPosition",
            "needs startingPositionTimestamp",
        ),
        (
            {
                "stream": {
                    "arn": KINESIS_ARN,
                    "startingPosition": "LATEST",
                    "maximumRecordAgeInSeconds": 30,
                }
            },
            "maximumRecordAgeInSeconds",
            "60-604800",
        ),
        (
            {
                "stream": {
                    "arn": KINESIS_ARN,
                    "startingPosition": "LATEST",
                    "destinations": {
                        "onFailure": "arn:aws:lambda:us-east-1:123456789012:function:f"
                    },
                }
            },
            "destinations.onFailure",
            "not an SQS queue or SNS topic",
        ),
        (
            {"stream": {"arn": DYNAMO_ARN, "startingPosition": "LATEST", "consumer": True}},
            "consumer",
            "Kinesis streams only",
        ),
        ({"sns": {"filterPolicy": {}}}, "events[0].sns", "needs arn"),
        (
            {
                "sns": {
                    "topicName": "t",
                    "redrivePolicy": {"deadLetterTargetArn": "arn:aws:sns:us-east-1:1:x"},
                }
            },
            "deadLetterTargetArn",
            "not of an SQS queue",
        ),
        ({"eventBridge": {"eventBus": "b"}}, "events[0].eventBridge", "needs a pattern"),
        ({"sqs": "arn:aws:sqs:eu-west-1:123456789012:q"}, "events[0].sqs", "is in eu-west-1"),
        (
            {"stream": {"arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/s"}},
            "events[0].stream",
            "its own region only",
        ),
        (
            {"eventBridge": {"eventBus": "custom", "schedule": "rate(1 hour)"}},
            "eventBridge.schedule",
            "default bus only",
        ),
        (
            {"sns": {"topicName": "t", "functionResponseType": "ReportBatchItemFailures"}},
            "sns.functionResponseType",
            "sqs and stream events only",
        ),
    ],
)
def test_source_errors_point_at_the_value_and_say_why(event: Any, where: str, says: str) -> None:
    errors = errors_of(event)
    assert any(where in error and says in error for error in errors), errors


def test_visibility_timeout_under_six_times_the_timeout_is_a_warning() -> None:
    data = manifest({"sqs": {"queue": {"name": "q", "visibilityTimeout": 30}}})
    errors, warnings = problems_of(data)
    assert errors == []
    assert any("visibilityTimeout" in w and "6 x" in w for w in warnings), warnings


def test_a_stream_without_starting_position_warns_of_the_default() -> None:
    _, warnings = problems_of(manifest({"stream": KINESIS_ARN}))
    assert any("TRIM_HORIZON" in w for w in warnings)


@pytest.mark.parametrize(
    ("destinations", "says"),
    [
        ({"onFailure": "nosuch"}, "neither an ARN nor a function"),
        ({"onFailure": "arn:aws:s3:::bucket"}, "cannot be a destination"),
        ({"onSuccess": "fn"}, "this function itself"),
        ({"onSuccess": "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-fn"}, "itself"),
        ({"onSuccess": "arn:aws:sns:us-east-1:123456789012:alerts"}, "own trigger"),
        ({"onFailure": {"arn": "not-an-arn", "type": "sqs"}}, "neither an ARN"),
    ],
)
def test_async_destinations_must_exist_and_not_loop(destinations: Any, says: str) -> None:
    errors = errors_of({"sns": "alerts"}, destinations=destinations)
    assert any(says in error for error in errors), errors


def test_async_settings_on_a_queue_only_function_warn() -> None:
    _, warnings = problems_of(manifest({"sqs": QUEUE_ARN}, maximumRetryAttempts=1))
    assert any("maximumRetryAttempts applies to asynchronous" in w for w in warnings)


def test_stream_failures_sent_to_its_own_queue_trigger_are_a_loop() -> None:
    failure = {"onFailure": QUEUE_ARN}
    stream = {"arn": KINESIS_ARN, "startingPosition": "LATEST", "destinations": failure}
    errors = errors_of({"sqs": QUEUE_ARN}, {"stream": stream})
    assert any("own trigger" in error for error in errors), errors


def test_a_function_allowed_to_send_to_its_own_queue_is_warned() -> None:
    data = manifest({"sqs": {"queue": "jobs"}})
    data["provider"] = {
        "iam": {
            "role": {
                "statements": [
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:SendMessage"],
                        "Resource": "arn:aws:sqs:*:*:jobs",
                    }
                ]
            }
        }
    }
    _, warnings = problems_of(data)
    assert any("sqs:SendMessage on jobs" in w for w in warnings), warnings


def bucket_notifying(queue_reference: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
            "Uploads": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "uploads",
                    "NotificationConfiguration": {
                        "QueueConfigurations": [
                            {"Event": "s3:ObjectCreated:*", "Queue": queue_reference}
                        ]
                    },
                },
            },
        }
    }


@pytest.mark.parametrize(
    "reference", [{"Fn::GetAtt": ["Jobs", "Arn"]}, "arn:aws:sqs:us-east-1:123456789012:jobs"]
)
def test_s3_to_sqs_to_function_loop_is_an_error(reference: Any) -> None:
    data = manifest(
        {"sqs": "arn:aws:sqs:us-east-1:123456789012:jobs"},
        output={"bucket": "uploads", "key": "out/{stem}.txt"},
    )
    data["resources"] = bucket_notifying(reference)
    errors, _ = problems_of(data)
    assert any("S3 -> SQS -> function" in error for error in errors), errors


def test_s3_put_permission_on_the_notifying_bucket_closes_the_loop_too() -> None:
    data = manifest({"sqs": "arn:aws:sqs:us-east-1:123456789012:jobs"})
    data["resources"] = bucket_notifying({"Fn::GetAtt": ["Jobs", "Arn"]})
    statement = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::uploads/*"}
    data["provider"] = {"iam": {"role": {"statements": [statement]}}}
    assert any("S3 -> SQS -> function" in error for error in problems_of(data)[0])
    statement["Resource"] = "arn:aws:s3:::elsewhere/*"
    assert problems_of(data)[0] == []


CFN_RESOURCES = {
    "Resources": {
        "Jobs": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": "jobs", "VisibilityTimeout": 20},
        },
        "Items": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "items"}},
        "Alerts": {"Type": "AWS::SNS::Topic"},
        "Failed": {"Type": "AWS::SQS::Queue"},
    }
}


def test_references_to_resources_of_the_right_type_are_accepted() -> None:
    data = manifest(
        {"sqs": {"arn": {"Fn::GetAtt": ["Jobs", "Arn"]}}},
        {"stream": {"type": "dynamodb", "arn": {"Fn::GetAtt": ["Items", "StreamArn"]}}},
        {"sns": {"arn": {"Ref": "Alerts"}, "topicName": "alerts"}},
        destinations={"onFailure": {"arn": {"Fn::GetAtt": ["Failed", "Arn"]}, "type": "sqs"}},
        timeout=3,
    )
    data["resources"] = CFN_RESOURCES
    errors, _ = problems_of(data)
    assert errors == []


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({"sqs": {"arn": {"Fn::GetAtt": ["Items", "Arn"]}}}, "Items is AWS::DynamoDB::Table"),
        ({"sqs": {"arn": {"Ref": "Jobs"}}}, "use Fn::GetAtt: [QUEUE, Arn]"),
        ({"stream": {"arn": {"Fn::GetAtt": ["Items", "StreamArn"]}}}, "needs type"),
        ({"sqs": {"arn": {"Fn::ImportValue": "shared-queue"}}}, "cannot name an event source"),
        (
            {"sns": {"topicName": "t", "redrivePolicy": {"deadLetterTargetArn": {"Ref": "Jobs"}}}},
            "takes an ARN here",
        ),
        ({"sqs": {"arn": {"Fn::GetAtt": ["Jobs", "Arn"]}}}, "visibility timeout (20s)"),
    ],
)
def test_references_that_cannot_be_the_source_say_what_to_write(event: Any, says: str) -> None:
    data = manifest(event)
    data["resources"] = CFN_RESOURCES
    errors, warnings = problems_of(data)
    assert any(says in problem for problem in errors + warnings), errors + warnings


def test_a_destination_referencing_the_queue_that_triggers_it_is_a_loop() -> None:
    jobs = {"Fn::GetAtt": ["Jobs", "Arn"]}
    data = manifest(
        {"sqs": {"arn": jobs}}, destinations={"onSuccess": {"arn": jobs, "type": "sqs"}}
    )
    data["functions"]["fn"]["events"].append({"sns": "alerts"})
    data["resources"] = CFN_RESOURCES
    assert any("own trigger" in error for error in problems_of(data)[0])
