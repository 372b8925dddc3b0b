"""Event sources under the moto-backed mocks: queues, streams, topics, rules, mappings read back.

The manifest uses all five sources, created and existing; the existing ones are
made in moto first, as they would exist in the account.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import wasmtime
from moto import mock_aws
from moto_reads import DeployedStack as Deployed
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import run_mocked
from wasmdeploy.stacks.plan_mocks import PlanMocks

REGION = "us-east-1"
ACCOUNT = "123456789012"
MANIFEST = """
service: pipeline
provider:
  name: aws
  region: us-east-1
functions:
  ingest:
    handler: fn.wasm
    timeout: 10
    events:
      - sqs:
          queue: {name: orders, maxReceiveCount: 3}
          batchSize: 5
          maximumBatchingWindow: 2
          functionResponseType: ReportBatchItemFailures
          maximumConcurrency: 4
          filterPatterns: [{body: {kind: [order]}}]
      - stream:
          type: kinesis
          name: readings
          startingPosition: LATEST
          batchSize: 100
          bisectBatchOnFunctionError: true
          maximumRetryAttempts: 3
          parallelizationFactor: 2
          consumer: true
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/existing
          startingPosition: TRIM_HORIZON
          destinations: {onFailure: arn:aws:sqs:us-east-1:123456789012:stream-failures}
      - stream:
          arn: TABLE_STREAM_ARN
          startingPosition: LATEST
          functionResponseType: ReportBatchItemFailures
  notify:
    handler: fn.wasm
    maximumRetryAttempts: 1
    maximumEventAge: 600
    events:
      - sns: {topicName: alerts, filterPolicy: {level: [high]}, kmsMasterKeyId: alias/aws/sns}
      - eventBridge:
          eventBus: orders-bus
          pattern: {source: [shop.orders], detail-type: [OrderPlaced]}
      - schedule:
          rate: [rate(5 minutes)]
          input: {report: hourly}
      - schedule:
          rate: [cron(0 8 ? * MON-FRI *)]
          method: scheduler
          timezone: Europe/Paris
          input: {report: morning}
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("events")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with mock_aws():
            kinesis = boto3.client("kinesis", region_name=REGION)
            kinesis.create_stream(StreamName="existing", ShardCount=1)
            boto3.client("sqs", region_name=REGION).create_queue(QueueName="stream-failures")
            service = write_service(root, MANIFEST.replace("TABLE_STREAM_ARN", table_stream()))
            artifacts = make_artifacts(service, root / "out")
            yield Deployed(service, run_mocked(service, artifacts, MotoMocks(REGION)))


def table_stream() -> str:
    """An existing DynamoDB table's stream ARN, as moto labels it."""
    table = boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(table["TableDescription"]["LatestStreamArn"])


def write_service(root: Path, manifest: str) -> Service:
    (root / "fn.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(manifest))
    return load_service(root / "wasmdeploy.yml")


def queue_attributes(deployed: Deployed, name: str) -> dict[str, str]:
    sqs = deployed.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return dict(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])


def test_created_queue_redrives_to_its_dead_letter_queue(deployed: Deployed) -> None:
    orders = queue_attributes(deployed, "orders")
    dead_letter = queue_attributes(deployed, "orders-dlq")
    assert json.loads(orders["RedrivePolicy"]) == {
        "deadLetterTargetArn": dead_letter["QueueArn"],
        "maxReceiveCount": 3,
    }
    assert int(orders["VisibilityTimeout"]) == 6 * 10 + 2
    assert int(dead_letter["MessageRetentionPeriod"]) == 14 * 24 * 3600


def test_mappings_pass_every_setting_through(deployed: Deployed) -> None:
    function = deployed.service.function("ingest").deployed_name
    mappings = deployed.client("lambda").list_event_source_mappings()["EventSourceMappings"]
    by_source = {
        m["EventSourceArn"].split(":", 5)[5]: m
        for m in mappings
        if m["FunctionArn"].endswith(f":function:{function}")
    }
    sqs = by_source["orders"]
    assert sqs["BatchSize"] == 5
    assert sqs["MaximumBatchingWindowInSeconds"] == 2
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sqs["ScalingConfig"] == {"MaximumConcurrency": 4}
    assert json.loads(sqs["FilterCriteria"]["Filters"][0]["Pattern"]) == {
        "body": {"kind": ["order"]}
    }
    created = by_source["stream/readings"]
    (registered,) = [
        r
        for r in deployed.run.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if r.name == "ingest-stream-0-mapping"
    ]
    assert ":stream/readings/consumer/" in registered.inputs["eventSourceArn"]
    assert created["StartingPosition"] == "LATEST"
    assert created["BisectBatchOnFunctionError"] is True
    assert created["MaximumRetryAttempts"] == 3
    assert created["ParallelizationFactor"] == 2
    failures = created["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures.endswith(":pipeline-dev-ingest-stream-dlq")
    table = next(m for source, m in by_source.items() if source.startswith("table/items/stream/"))
    assert (table["StartingPosition"], table["FunctionResponseTypes"]) == (
        "LATEST",
        ["ReportBatchItemFailures"],
    )
    existing = by_source["stream/existing"]
    assert existing["DestinationConfig"]["OnFailure"]["Destination"].endswith(":stream-failures")


def test_created_kinesis_stream_is_on_demand(deployed: Deployed) -> None:
    summary = deployed.client("kinesis").describe_stream_summary(StreamName="readings")
    assert summary["StreamDescriptionSummary"]["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}


def test_consumer_role_reads_exactly_its_queue_and_streams(deployed: Deployed) -> None:
    statements = {s["Sid"]: s for s in deployed.role_policies("ingest") if "Sid" in s}
    queue = statements["ConsumeQueues"]
    assert queue["Resource"] == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"]
    assert "sqs:DeleteMessage" in queue["Action"] and "sqs:SendMessage" not in queue["Action"]
    assert statements["ReadKinesisStreams"]["Resource"] == [
        f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/existing",
        f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/readings",
    ]
    (consumer,) = statements["ReadKinesisConsumers"]["Resource"]
    assert consumer.startswith(f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/readings/consumer/")
    assert "kinesis:SubscribeToShard" in statements["ReadKinesisConsumers"]["Action"]
    (table_stream_arn,) = statements["ReadDynamoDBStreams"]["Resource"]
    assert table_stream_arn.startswith(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/items/stream/")
    assert "dynamodb:GetRecords" in statements["ReadDynamoDBStreams"]["Action"]
    assert statements["SendToMessage"]["Resource"] == [
        f"arn:aws:sqs:{REGION}:{ACCOUNT}:pipeline-dev-ingest-stream-dlq",
        f"arn:aws:sqs:{REGION}:{ACCOUNT}:stream-failures",
    ]


def test_topic_subscription_filters_and_may_invoke_only_from_its_topic(deployed: Deployed) -> None:
    sns = deployed.client("sns")
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    topic_attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert topic_attributes["KmsMasterKeyId"] == "alias/aws/sns"
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"].endswith(":function:pipeline-dev-notify")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])
    assert json.loads(attributes["Attributes"]["FilterPolicy"]) == {"level": ["high"]}
    policy = json.loads(
        deployed.client("lambda").get_policy(FunctionName="pipeline-dev-notify")["Policy"]
    )
    sources = {
        s["Principal"]["Service"]: s["Condition"]["ArnLike"]["AWS:SourceArn"]
        for s in policy["Statement"]
    }
    assert sources["sns.amazonaws.com"] == topic
    assert sources["events.amazonaws.com"].startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:rule/")


def test_event_bridge_rule_on_created_bus_targets_the_function(deployed: Deployed) -> None:
    events = deployed.client("events")
    (rule,) = events.list_rules(EventBusName="orders-bus")["Rules"]
    assert json.loads(rule["EventPattern"]) == {
        "detail-type": ["OrderPlaced"],
        "source": ["shop.orders"],
    }
    (target,) = events.list_targets_by_rule(Rule=rule["Name"], EventBusName="orders-bus")["Targets"]
    assert target["Arn"].endswith(":function:pipeline-dev-notify")


def test_schedule_is_a_rule_with_its_input(deployed: Deployed) -> None:
    events = deployed.client("events")
    rules = [r for r in events.list_rules()["Rules"] if r.get("ScheduleExpression")]
    assert [r["ScheduleExpression"] for r in rules] == ["rate(5 minutes)"]
    (target,) = events.list_targets_by_rule(Rule=rules[0]["Name"])["Targets"]
    assert json.loads(target["Input"]) == {"report": "hourly"}


def test_async_function_retries_then_sends_failures_to_its_dead_letter_queue(
    deployed: Deployed,
) -> None:
    config = deployed.client("lambda").get_function_event_invoke_config(
        FunctionName="pipeline-dev-notify"
    )
    assert config["MaximumRetryAttempts"] == 1
    assert config["MaximumEventAgeInSeconds"] == 600
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == queue_attributes(deployed, "pipeline-dev-notify-async-dlq")["QueueArn"]
    sends = [s for s in deployed.role_policies("notify") if s.get("Sid") == "SendToMessage"]
    assert sends[0]["Resource"] == [destination]


def test_outputs_name_what_was_created(deployed: Deployed) -> None:
    outputs = deployed.run.outputs
    assert set(outputs["queues"]) == {
        "orders",
        "orders-dlq",
        "pipeline-dev-ingest-stream-dlq",
        "pipeline-dev-notify-async-dlq",
    }
    assert set(outputs["streams"]) == {"readings"}
    assert set(outputs["topics"]) == {"alerts"}
    assert set(outputs["eventBuses"]) == {"orders-bus"}


def test_scheduler_schedule_runs_in_its_time_zone_with_a_role_that_invokes_only_the_function(
    deployed: Deployed,
) -> None:
    scheduler = deployed.client("scheduler")
    (summary,) = scheduler.list_schedules()["Schedules"]
    schedule = scheduler.get_schedule(Name=summary["Name"])
    assert schedule["ScheduleExpression"] == "cron(0 8 ? * MON-FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    target = schedule["Target"]
    assert target["Arn"].endswith(":function:pipeline-dev-notify")
    assert json.loads(target["Input"]) == {"report": "morning"}
    iam = deployed.client("iam")
    role = target["RoleArn"].rsplit("/", 1)[-1]
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    (statement,) = document["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"][0] == target["Arn"]


def test_plan_identifies_every_event_resource(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("plan")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/items/stream/2026-01-01T00:00:00.000"
    service = write_service(root, MANIFEST.replace("TABLE_STREAM_ARN", arn))
    run = run_mocked(service, make_artifacts(service, root / "out"), PlanMocks(REGION))
    kinds = {resource.type for resource in run.resources}
    assert {
        "aws:sqs/queue:Queue",
        "aws:kinesis/stream:Stream",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:cloudwatch/eventBus:EventBus",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:scheduler/schedule:Schedule",
    } <= kinds
    assert run.outputs["queues"]["orders"] == (
        f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
    )
