"""`resources:` deploys as a CloudFormation stack, and functions get its values through
intrinsics (`!Ref`, `!GetAtt`, `Fn::Sub`, `Fn::Join`), read back from moto."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import wasmtime
from moto import mock_aws
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.load import load_manifest, load_service
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun, run_mocked

REGION = "eu-west-1"
MANIFEST = """\
service: orders
frameworkVersion: '3'
provider:
  name: aws
  region: eu-west-1
  environment:
    TABLE: !Ref OrdersTable
    QUEUE_URL: {Ref: JobsQueue}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: dynamodb:GetItem
          Resource: !GetAtt OrdersTable.Arn
        - Effect: Allow
          Action: sqs:SendMessage
          Resource:
            Fn::Sub: arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${JobsQueue.QueueName}
functions:
  api:
    handler: h
    environment:
      JOINED: !Join ["/", [!Ref OrdersTable, items]]
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders-${sls:stage}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-${sls:stage}
  Outputs:
    TableArn:
      Value: !GetAtt OrdersTable.Arn
"""


def write(root: Path, manifest: str) -> Path:
    (root / "h.wasm").write_bytes(
        wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))')
    )
    path = root / "serverless.yml"
    path.write_text(textwrap.dedent(manifest))
    return path


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, MockedRun]]:
    root = tmp_path_factory.mktemp("service")
    service = load_service(write(root, MANIFEST))
    artifacts = make_artifacts(service, root / "out")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            yield service, run_mocked(service, artifacts, MotoMocks(service.region))


def client(name: str) -> Any:
    return boto3.client(name, region_name=REGION)


def test_resources_are_a_cloudformation_stack_with_the_declared_resources(
    deployed: tuple[Service, MockedRun],
) -> None:
    [stack] = client("cloudformation").describe_stacks(StackName="orders-dev-resources")["Stacks"]
    logical = {
        r["LogicalResourceId"]
        for r in client("cloudformation").describe_stack_resources(StackName=stack["StackId"])[
            "StackResources"
        ]
    }
    assert logical == {"OrdersTable", "JobsQueue"}
    assert client("dynamodb").describe_table(TableName="orders-dev")["Table"]
    _, run = deployed
    assert run.outputs["resources"] == {
        "TableArn": client("dynamodb").describe_table(TableName="orders-dev")["Table"]["TableArn"]
    }


def test_environment_intrinsics_get_the_stacks_values(deployed: tuple[Service, MockedRun]) -> None:
    config = client("lambda").get_function(FunctionName="orders-dev-api")["Configuration"]
    variables = config["Environment"]["Variables"]
    queue_url = client("sqs").get_queue_url(QueueName="jobs-dev")["QueueUrl"]
    assert variables == {
        "TABLE": "orders-dev",
        "QUEUE_URL": queue_url,
        "JOINED": "orders-dev/items",
    }


def test_iam_statement_intrinsics_reach_the_role_policy(
    deployed: tuple[Service, MockedRun],
) -> None:
    _, run = deployed
    role = run.named("api-role")
    del role
    [policy_name] = [r.name for r in run.of_type("aws:iam/rolePolicy:RolePolicy")]
    role_name = str(run.named("api-function").inputs["role"]).rsplit("/", 1)[-1]
    document = boto3.client("iam").get_role_policy(RoleName=role_name, PolicyName=policy_name)[
        "PolicyDocument"
    ]
    document = json.loads(document) if isinstance(document, str) else document
    resources = {json.dumps(s["Resource"]) for s in document["Statement"]}
    table_arn = client("dynamodb").describe_table(TableName="orders-dev")["Table"]["TableArn"]
    assert json.dumps(table_arn) in resources
    assert json.dumps(f"arn:aws:sqs:{REGION}:123456789012:jobs-dev") in resources


def test_locally_an_intrinsic_reads_as_its_logical_id(deployed: tuple[Service, MockedRun]) -> None:
    service, _ = deployed
    assert service.function("api").environment["TABLE"] == "OrdersTable"


def test_references_to_missing_or_generated_resources_are_errors(tmp_path: Path) -> None:
    result = load_manifest(
        write(
            tmp_path,
            """\
            service: orders
            provider:
              name: aws
              environment: {TABLE: !Ref OrdersTabel, FN: !GetAtt HelloLambdaFunction.Arn}
            functions:
              hello: {handler: h}
            resources:
              Resources:
                OrdersTable: {Type: AWS::DynamoDB::Table}
              extensions:
                HelloLambdaFunction: {Properties: {Timeout: 10}}
            """,
        )
    )
    errors = {e.path: e for e in result.errors}
    assert errors["provider.environment.TABLE"].hint == "Did you mean 'OrdersTable'?"
    assert "the Serverless Framework generates" in errors["provider.environment.FN"].message
    assert "does not support" in errors["resources.extensions"].message
