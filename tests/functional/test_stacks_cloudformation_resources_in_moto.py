"""`resources:` deploys as a CloudFormation stack, and functions get its values through
intrinsics (`!Ref`, `!GetAtt`, `Fn::Sub`, `Fn::Join`), read back from moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from serverless_services import deployed_in_moto, write_serverless

from wasmdeploy.manifest.load import load_manifest
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun

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


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, MockedRun]]:
    with deployed_in_moto(tmp_path_factory.mktemp("service"), MANIFEST) as result:
        yield result


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
        write_serverless(
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


def test_a_template_too_large_for_one_cloudformation_request_is_an_error(tmp_path: Path) -> None:
    queues = "".join(
        f"    Queue{i}:\n      Type: AWS::SQS::Queue\n"
        f"      Properties: {{QueueName: a-queue-with-a-long-name-{i:04d}-{'x' * 40}}}\n"
        for i in range(600)
    )
    manifest = f"service: big\nprovider: {{name: aws}}\nresources:\n  Resources:\n{queues}"
    [error] = load_manifest(write_serverless(tmp_path, manifest)).errors
    assert error.path == "resources" and "CloudFormation takes at most 51,200" in error.message


def test_more_stack_outputs_than_cloudformation_allows_is_an_error(tmp_path: Path) -> None:
    environment = "".join(f"    E{i}: !GetAtt [Queue, Attr{i}]\n" for i in range(201))
    manifest = (
        "service: many\nprovider:\n  name: aws\n  environment:\n"
        f"{environment}functions: {{f: {{handler: h}}}}\n"
        "resources: {Resources: {Queue: {Type: AWS::SQS::Queue}}}\n"
    )
    [error] = load_manifest(write_serverless(tmp_path, manifest)).errors
    assert "201 outputs" in error.message and "CloudFormation allows 200" in error.message


GENERATED = """\
service: mail
provider: {name: aws, region: eu-west-1}
functions:
  process-mail:
    handler: h
    events: [{http: 'POST /mail'}, {s3: inbound-mail-dev}]
resources:
  Resources:
    Notices:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: notices-${sls:stage}
        Tags:
          - {Key: function, Value: !GetAtt ProcessDashmailLambdaFunction.Arn}
          - {Key: name, Value: {Ref: ProcessDashmailLambdaFunction}}
          - Key: api
            Value: !Sub "${ApiGatewayRestApi}/${AWS::Region}"
          - {Key: bucket, Value: !GetAtt S3BucketInboundmaildev.Arn}
  Outputs:
    Root: {Value: !GetAtt ApiGatewayRestApi.RootResourceId}
"""


def test_resources_refer_to_the_functions_and_api_as_serverless_names_them(
    tmp_path: Path,
) -> None:
    with deployed_in_moto(tmp_path, GENERATED) as (_, run):
        [stack] = client("cloudformation").describe_stacks(StackName="mail-dev-resources")["Stacks"]
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        function = client("lambda").get_function(FunctionName="mail-dev-process-mail")
        [api] = [
            a for a in client("apigateway").get_rest_apis()["items"] if a["name"] == "mail-dev"
        ]
        assert parameters == {
            "WasmdeployProcessDashmailLambdaFunctionArn": function["Configuration"]["FunctionArn"],
            "WasmdeployProcessDashmailLambdaFunctionRef": "mail-dev-process-mail",
            "WasmdeployApiGatewayRestApiRef": api["id"],
            "WasmdeployApiGatewayRestApiRootResourceId": api["rootResourceId"],
        }
        assert run.outputs["resources"] == {"Root": api["rootResourceId"]}
        tags = client("sqs").list_queue_tags(
            QueueUrl=client("sqs").get_queue_url(QueueName="notices-dev")["QueueUrl"]
        )["Tags"]
        assert tags == {
            "function": function["Configuration"]["FunctionArn"],
            "name": "mail-dev-process-mail",
            "api": f"{api['id']}/eu-west-1",
            "bucket": "arn:aws:s3:::inbound-mail-dev",
        }


def test_functions_cannot_also_take_values_from_a_stack_that_refers_to_them(
    tmp_path: Path,
) -> None:
    manifest = GENERATED.replace(
        "provider: {name: aws, region: eu-west-1}",
        "provider: {name: aws, region: eu-west-1, environment: {Q: !Ref Notices}}",
    )
    errors = load_manifest(write_serverless(tmp_path, manifest)).errors
    assert errors and all("one must come first" in e.message for e in errors)
