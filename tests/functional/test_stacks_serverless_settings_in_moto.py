"""Serverless's Lambda settings, as users write them, reach the deployed functions (in moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from serverless_services import deployed_in_moto

from wasmdeploy.manifest.model import Service
from wasmdeploy.manifest.model_aws import vpc_access_policy
from wasmdeploy.stacks.mocked_run import MockedRun

REGION = "eu-west-1"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXISTING_ROLE = "arn:aws:iam::123456789012:role/existing"
LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
MANIFEST = f"""\
service: shop
frameworkVersion: '3'
provider:
  name: aws
  region: {REGION}
  stackTags: {{team: checkout, owner: stack}}
  tags: {{owner: provider}}
  iamRoleStatements:
    - {{Effect: Allow, Action: dynamodb:GetItem, Resource: "arn:aws:dynamodb:*:*:table/orders"}}
  iamManagedPolicies: [{READ_ONLY}]
  rolePermissionsBoundary: {BOUNDARY}
  kmsKeyArn: {KMS_KEY}
  tracing: {{lambda: true}}
functions:
  api:
    handler: h
    name: shop-public-api
    reservedConcurrency: 5
    vpc:
      subnetIds: [subnet-1, subnet-2]
      securityGroupIds: [sg-1]
      ipv6AllowedForDualStack: true
  worker:
    handler: h
    role: {EXISTING_ROLE}
    tracing: PassThrough
    events:
      - sqs: arn:aws:sqs:{REGION}:123456789012:jobs
"""


def existing_role_and_queue() -> None:
    boto3.client("iam").create_role(RoleName="existing", AssumeRolePolicyDocument=LAMBDA_TRUST)
    boto3.client("sqs", region_name=REGION).create_queue(QueueName="jobs")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, MockedRun]]:
    root = tmp_path_factory.mktemp("service")
    with deployed_in_moto(root, MANIFEST, existing_role_and_queue) as result:
        yield result


def lambda_client() -> Any:
    return boto3.client("lambda", region_name=REGION)


def test_function_name_overrides_the_deployed_name(deployed: tuple[Service, MockedRun]) -> None:
    service, _ = deployed
    assert service.function("api").deployed_name == "shop-public-api"
    assert lambda_client().get_function(FunctionName="shop-public-api")


def test_vpc_tracing_kms_and_reserved_concurrency_reach_lambda(
    deployed: tuple[Service, MockedRun],
) -> None:
    found = lambda_client().get_function(FunctionName="shop-public-api")
    config = found["Configuration"]
    assert config["VpcConfig"]["SubnetIds"] == ["subnet-1", "subnet-2"]
    assert config["VpcConfig"]["SecurityGroupIds"] == ["sg-1"]
    _, run = deployed
    assert run.named("api-function").inputs["vpcConfig"]["ipv6AllowedForDualStack"] is True
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert found["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    worker = lambda_client().get_function(FunctionName="shop-dev-worker")["Configuration"]
    assert worker["TracingConfig"] == {"Mode": "PassThrough"}
    # moto keeps no KMSKeyArn on functions: read what the program asked for
    _, run = deployed
    assert run.named("api-function").inputs["kmsKeyArn"] == KMS_KEY


def test_managed_policies_and_vpc_access_are_attached_to_the_role(
    deployed: tuple[Service, MockedRun],
) -> None:
    _, run = deployed
    [role] = [r for r in run.of_type("aws:iam/role:Role") if r.name == "api-role"]
    attached = boto3.client("iam").list_attached_role_policies(RoleName=_role_name(run, "api"))
    policy_arns = {p["PolicyArn"] for p in attached["AttachedPolicies"]}
    assert policy_arns == {READ_ONLY, vpc_access_policy()}
    assert role.inputs["permissionsBoundary"] == BOUNDARY


def test_v2_statements_and_xray_reach_the_inline_policy(
    deployed: tuple[Service, MockedRun],
) -> None:
    service, _ = deployed
    statements = service.function("api").iam_statements
    assert {
        "Effect": "Allow",
        "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:*:*:table/orders",
    } in statements
    assert any("xray:PutTraceSegments" in s["Action"] for s in statements)


def test_an_existing_role_is_used_and_no_role_is_created(
    deployed: tuple[Service, MockedRun],
) -> None:
    _, run = deployed
    worker = lambda_client().get_function(FunctionName="shop-dev-worker")["Configuration"]
    assert worker["Role"] == EXISTING_ROLE
    assert not [r for r in run.of_type("aws:iam/role:Role") if r.name.startswith("worker")]
    # as in Serverless, nothing is added to the user's role (validate says so)
    assert not boto3.client("iam").list_role_policies(RoleName="existing")["PolicyNames"]
    mappings = lambda_client().list_event_source_mappings()["EventSourceMappings"]
    assert [m["FunctionArn"] for m in mappings] == [worker["FunctionArn"]]


def test_stack_tags_are_on_every_resource_under_provider_tags(
    deployed: tuple[Service, MockedRun],
) -> None:
    service, _ = deployed
    assert service.tags == {"team": "checkout", "owner": "provider"}
    tags = lambda_client().list_tags(
        Resource=lambda_client().get_function(FunctionName="shop-public-api")["Configuration"][
            "FunctionArn"
        ]
    )["Tags"]
    assert tags["team"] == "checkout" and tags["owner"] == "provider"


def _role_name(run: MockedRun, function: str) -> str:
    [function_resource] = [
        r for r in run.of_type("aws:lambda/function:Function") if r.name == f"{function}-function"
    ]
    return str(function_resource.inputs["role"]).rsplit("/", 1)[-1]
