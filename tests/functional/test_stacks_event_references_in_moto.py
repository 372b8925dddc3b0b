"""Event sources declared in `resources:` and named with `!GetAtt` / `!Ref`, as in Serverless:
the resources stack creates them in moto, and the mappings, subscription and IAM use its ARNs."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import boto3
import pytest
import wasmtime
import yaml
from moto import mock_aws
from moto_reads import function_role_statements
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.model import Service
from wasmdeploy.manifest.render import render_service
from wasmdeploy.stacks.mocked_run import MockedRun, run_mocked

REGION = "eu-west-1"
MANIFEST = """\
service: refs
frameworkVersion: '3'
provider:
  name: aws
  region: eu-west-1
functions:
  worker:
    handler: h
    timeout: 10
    events:
      - sqs:
          arn: !GetAtt JobsQueue.Arn
          batchSize: 5
      - stream:
          type: kinesis
          arn: {Fn::GetAtt: [ReadingsStream, Arn]}
          startingPosition: LATEST
      - sns:
          arn: !Ref AlertsTopic
          topicName: alerts-${sls:stage}
resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-${sls:stage}
        VisibilityTimeout: 60
    ReadingsStream:
      Type: AWS::Kinesis::Stream
      Properties:
        Name: readings-${sls:stage}
        ShardCount: 1
    AlertsTopic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: alerts-${sls:stage}
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, MockedRun]]:
    root = tmp_path_factory.mktemp("refs")
    (root / "h.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    (root / "serverless.yml").write_text(textwrap.dedent(MANIFEST))
    service = load_service(root / "serverless.yml")
    artifacts = make_artifacts(service, root / "out")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with mock_aws():
            yield service, run_mocked(service, artifacts, MotoMocks(REGION))


def test_the_model_names_the_sources_of_resources_and_creates_none_of_them(
    deployed: tuple[Service, MockedRun],
) -> None:
    service, _ = deployed
    sources = service.function("worker").events
    assert (sources.sqs[0].queue, sources.sqs[0].arn) == ("jobs-dev", None)
    assert sources.sqs[0].arn_reference == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert sources.streams[0].stream == "readings-dev"
    assert sources.sns[0].topic == "alerts-dev"
    created = service.event_resources
    assert [q.name for q in created.queues] == [
        "refs-dev-worker-stream-dlq",
        "refs-dev-worker-async-dlq",
    ]
    assert created.streams == () and created.topics == ()


def test_mappings_and_subscription_use_the_resources_stacks_arns(
    deployed: tuple[Service, MockedRun],
) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.get_queue_url(QueueName="jobs-dev")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    stream_arn = boto3.client("kinesis", region_name=REGION).describe_stream_summary(
        StreamName="readings-dev"
    )["StreamDescriptionSummary"]["StreamARN"]
    mappings = boto3.client("lambda", region_name=REGION).list_event_source_mappings()
    assert {m["EventSourceArn"] for m in mappings["EventSourceMappings"]} == {queue_arn, stream_arn}
    topic_arn = f"arn:aws:sns:{REGION}:123456789012:alerts-dev"
    sns = boto3.client("sns", region_name=REGION)
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert subscription["Endpoint"].endswith(":function:refs-dev-worker")
    statements = {s["Sid"]: s for s in function_role_statements("refs-dev-worker", REGION)}
    assert statements["ConsumeQueues"]["Resource"] == [queue_arn]
    assert statements["ReadKinesisStreams"]["Resource"] == [stream_arn]
    policy = json.loads(
        boto3.client("lambda", region_name=REGION).get_policy(FunctionName="refs-dev-worker")[
            "Policy"
        ]
    )
    (statement,) = policy["Statement"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == topic_arn


def test_printed_manifest_keeps_the_references(deployed: tuple[Service, MockedRun]) -> None:
    service, _ = deployed
    printed = yaml.safe_load(render_service(service))
    events = printed["functions"]["worker"]["events"]
    assert events[0]["sqs"]["arn"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert events[1]["stream"]["arn"] == {"Fn::GetAtt": ["ReadingsStream", "Arn"]}
    assert events[2]["sns"] == {"arn": {"Ref": "AlertsTopic"}, "topicName": "alerts-dev"}
