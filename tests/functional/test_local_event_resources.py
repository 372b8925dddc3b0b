"""What `serve` creates on the local AWS for a manifest's event sources, read back from it:
every queue (with its dead-letter queue and redrive policy), stream, topic, bus and table,
under the names the manifest gives them."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.sources.local_resources import create_local_resources
from wasmdeploy.manifest.load import load_service

EXAMPLE_MODULE = Path(__file__).resolve().parents[2] / "examples/stream-stats/window-stats.wasm"
MANIFEST = """
service: made
provider:
  name: aws
  runtime: provided.al2023
  sandbox: {allowedImports: []}
functions:
  worker:
    handler: window-stats.wasm#handle
    events:
      - sqs: {queue: {name: made-jobs, maxReceiveCount: 3}}
      - stream: {type: kinesis, name: made-readings, startingPosition: LATEST}
      - stream:
          type: dynamodb
          arn: {Fn::GetAtt: [Ledger, StreamArn]}
          startingPosition: LATEST
      - sns: made-alerts
      - eventBridge: {eventBus: made-bus, pattern: {source: [made.app]}}
resources:
  Resources:
    Ledger:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: made-ledger
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: account, AttributeType: S},
                               {AttributeName: at, AttributeType: N}]
        KeySchema: [{AttributeName: account, KeyType: HASH}, {AttributeName: at, KeyType: RANGE}]
        StreamSpecification: {StreamViewType: NEW_IMAGE}
"""


def test_every_declared_resource_exists_on_the_local_aws(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_MODULE, tmp_path / EXAMPLE_MODULE.name)
    (tmp_path / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    service = load_service(tmp_path / "wasmdeploy.yml")
    with LocalAws() as aws:
        created = create_local_resources(aws.client, service)
        sqs = aws.client("sqs")
        url = sqs.get_queue_url(QueueName="made-jobs")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        streams = aws.client("kinesis").list_streams()["StreamNames"]
        topics = [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]]
        buses = [b["Name"] for b in aws.client("events").list_event_buses()["EventBuses"]]
        table = aws.client("dynamodb").describe_table(TableName="made-ledger")["Table"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:made-jobs-dlq",
        "maxReceiveCount": 3,
    }
    assert "made-readings" in streams
    assert "arn:aws:sns:us-east-1:123456789012:made-alerts" in topics
    assert "made-bus" in buses
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["account", "at"]
    assert table["StreamSpecification"]["StreamEnabled"] is True
    assert created.table_streams["made-ledger"] == table["LatestStreamArn"]
    kinds = {kind for kind, _ in created.created}
    assert {"queue", "stream", "topic", "event bus", "table"} <= kinds
