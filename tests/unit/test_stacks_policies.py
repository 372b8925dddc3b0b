"""IAM documents are pure functions of the model: least privilege, checked without AWS."""

from __future__ import annotations

from pathlib import Path

from stacks_factories import make_edge_function, make_function

from wasmdeploy.manifest.model import ObjectOutput, S3Trigger
from wasmdeploy.stacks import policies

ROOT = Path("/srv/service")
LOG_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/images-dev-f:*"


def statements_by_sid(document: dict) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_regular_role_is_assumable_by_lambda_only() -> None:
    [statement] = policies.assume_role_policy(edge=False)["Statement"]
    assert statement["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert statement["Action"] == "sts:AssumeRole"


def test_edge_role_is_assumable_by_lambda_and_edgelambda() -> None:
    [statement] = policies.assume_role_policy(edge=True)["Statement"]
    assert statement["Principal"]["Service"] == [
        "lambda.amazonaws.com",
        "edgelambda.amazonaws.com",
    ]


def test_event_function_gets_only_its_log_group() -> None:
    function = make_function(ROOT, "f", s3_triggers=(S3Trigger("in"),))
    document = policies.function_policy(function, [LOG_ARN])
    assert list(statements_by_sid(document)) == ["WriteOwnLogs"]
    logs = statements_by_sid(document)["WriteOwnLogs"]
    assert logs["Resource"] == [LOG_ARN]
    assert "logs:CreateLogGroup" not in logs["Action"]


def test_object_function_reads_each_trigger_prefix_only() -> None:
    function = make_function(
        ROOT,
        "f",
        input="object",
        s3_triggers=(S3Trigger("in", prefix="uploads/"), S3Trigger("other")),
    )
    read = statements_by_sid(policies.function_policy(function, [LOG_ARN]))["ReadTriggerObjects"]
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == ["arn:aws:s3:::in/uploads/*", "arn:aws:s3:::other/*"]


def test_output_function_writes_under_the_keys_fixed_prefix_only() -> None:
    function = make_function(ROOT, "f", output=ObjectOutput("out", "processed/{stem}.png"))
    write = statements_by_sid(policies.function_policy(function, [LOG_ARN]))["WriteOutputObjects"]
    assert write == {
        "Sid": "WriteOutputObjects",
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::out/processed/*",
    }


def test_static_key_prefix_stops_at_the_first_field() -> None:
    assert policies.static_key_prefix("processed/{stem}.png") == "processed/"
    assert policies.static_key_prefix("{bucket}/{key}") == ""
    assert policies.static_key_prefix("fixed/name.txt") == "fixed/name.txt"


def test_manifest_statements_are_appended_as_written() -> None:
    statement = {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:x"}
    function = make_function(ROOT, "f", iam_statements=(statement,))
    document = policies.function_policy(function, [LOG_ARN])
    assert document["Statement"][-1] == statement


def test_edge_function_may_create_its_regional_log_groups() -> None:
    function = make_edge_function(ROOT, "edge")
    arns = policies.edge_log_group_arns("123456789012", function.deployed_name)
    logs = statements_by_sid(policies.function_policy(function, arns))["WriteOwnLogs"]
    assert "logs:CreateLogGroup" in logs["Action"]
    assert (
        "arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.images-dev-edge:*"
        in logs["Resource"]
    )


def test_cloudfront_read_policy_is_bound_to_one_distribution() -> None:
    arn = "arn:aws:cloudfront::123456789012:distribution/E1"
    [statement] = policies.cloudfront_read_policy("site", arn)["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Resource"] == "arn:aws:s3:::site/*"
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": arn}}


def test_bucket_arns_follow_the_partition_of_the_log_group() -> None:
    function = make_function(
        ROOT, "f", input="object", s3_triggers=(S3Trigger("in"),), output=ObjectOutput("out", "x/")
    )
    china = "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/images-dev-f:*"
    by_sid = statements_by_sid(policies.function_policy(function, [china]))
    assert by_sid["ReadTriggerObjects"]["Resource"] == ["arn:aws-cn:s3:::in/*"]
    assert by_sid["WriteOutputObjects"]["Resource"] == "arn:aws-cn:s3:::out/x/*"


def test_cloudfront_reads_in_the_distributions_partition() -> None:
    arn = "arn:aws-us-gov:cloudfront::123456789012:distribution/E1"
    [statement] = policies.cloudfront_read_policy("site", arn)["Statement"]
    assert statement["Resource"] == "arn:aws-us-gov:s3:::site/*"
