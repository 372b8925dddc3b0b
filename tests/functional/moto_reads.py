"""Reading a deployed stack back from moto, the way the tests assert on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun


def function_role_statements(function_name: str, region: str) -> list[dict[str, Any]]:
    """Every statement of the inline policies of a Lambda function's role."""
    role_arn = boto3.client("lambda", region_name=region).get_function(FunctionName=function_name)[
        "Configuration"
    ]["Role"]
    role = role_arn.rsplit("/", 1)[-1]
    iam = boto3.client("iam", region_name=region)
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        statements.extend(document["Statement"])
    return statements


@dataclass
class DeployedStack:
    """A service the program deployed into moto, read back in its region."""

    service: Service
    run: MockedRun

    def client(self, name: str) -> Any:
        return boto3.client(name, region_name=self.service.region)

    def role_policies(self, function: str) -> list[dict[str, Any]]:
        deployed_name = self.service.function(function).deployed_name
        return function_role_statements(deployed_name, self.service.region)
