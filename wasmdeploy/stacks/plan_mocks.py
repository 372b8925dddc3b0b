"""Mocks for `plan`: every resource "created" with the ids and ARNs AWS would give it.

Nothing leaves the process. Identifiers are derived from the logical names, so
a plan is the same on every run; ARNs carry the region of the resource's provider.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from wasmdeploy.manifest.arns import arn_in
from wasmdeploy.stacks.mocked_run import PROVIDER_TYPE_PREFIX, provider_name
from wasmdeploy.stacks.plan_mocks_events import event_computers
from wasmdeploy.stacks.plan_mocks_kv import kv_computers
from wasmdeploy.stacks.resources_plan import resources_computers

PLAN_ACCOUNT = "123456789012"
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"

State = dict[str, Any]


def short_id(name: str, length: int = 10) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


class PlanMocks(Mocks):
    def __init__(self, default_region: str, account: str = PLAN_ACCOUNT) -> None:
        self.default_region = default_region
        self.account = account
        self.provider_regions: dict[str, str] = {}
        self._computers: dict[str, Callable[[str, str, State], tuple[str, State]]] = {
            "aws:iam/role:Role": self._role,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:lambda/layerVersion:LayerVersion": self._layer,
            "aws:lambda/function:Function": self._function,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:apigatewayv2/api:Api": self._http_api,
            "aws:apigateway/restApi:RestApi": self._rest_api,
            "aws:apigateway/stage:Stage": self._rest_stage,
            "aws:cloudfront/distribution:Distribution": self._distribution,
        }
        self._computers.update(event_computers(account, short_id))
        self._computers.update(kv_computers(account))
        self._computers.update(resources_computers())

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith(PROVIDER_TYPE_PREFIX):
            self.provider_regions[args.name] = str(inputs.get("region") or self.default_region)
            return f"{args.name}-id", inputs
        if not args.custom:
            return "", {}
        region = self.provider_regions.get(
            provider_name(args.provider or "") or "", self.default_region
        )
        computer = self._computers.get(args.typ)
        if computer is None:
            return f"{args.name}-{short_id(args.name, 7)}", inputs
        resource_id, computed = computer(args.name, region, inputs)
        return resource_id, {**inputs, **computed}

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        if args.token == CALLER_IDENTITY:
            return {
                "accountId": self.account,
                "arn": arn_in(self.default_region, f"iam::{self.account}:user/plan"),
                "userId": "PLAN",
                "id": self.account,
            }, []
        return {}, []

    def _role(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        role_name = inputs.get("name") or f"{name}-{short_id(name, 7)}"
        return role_name, {
            "name": role_name,
            "arn": arn_in(region, f"iam::{self.account}:role/{role_name}"),
        }

    def _log_group(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        group = inputs["name"]
        return group, {"arn": arn_in(region, f"logs:{region}:{self.account}:log-group:{group}")}

    def _layer(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        layer_arn = arn_in(region, f"lambda:{region}:{self.account}:layer:{inputs['layerName']}")
        return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}

    def _function(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        function_name = inputs["name"]
        arn = arn_in(region, f"lambda:{region}:{self.account}:function:{function_name}")
        version = "1" if inputs.get("publish") else "$LATEST"
        return function_name, {
            "arn": arn,
            "qualifiedArn": f"{arn}:{version}",
            "version": version,
            "invokeArn": arn_in(
                region, f"apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
            ),
        }

    def _bucket(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        bucket = inputs["bucket"]
        return bucket, {
            "arn": arn_in(region, f"s3:::{bucket}"),
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
            "region": region,
        }

    def _http_api(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        api_id = short_id(name)
        return api_id, {
            "apiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
            "executionArn": arn_in(region, f"execute-api:{region}:{self.account}:{api_id}"),
        }

    def _rest_api(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        api_id = short_id(name)
        return api_id, {
            "rootResourceId": short_id(f"{name}/", 10),
            "executionArn": arn_in(region, f"execute-api:{region}:{self.account}:{api_id}"),
        }

    def _rest_stage(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        stage = inputs["stageName"]
        api_id = inputs["restApi"]
        return f"ags-{api_id}-{stage}", {
            "invokeUrl": f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"
        }

    def _distribution(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        distribution_id = "E" + short_id(name, 13).upper()
        return distribution_id, {
            "arn": arn_in(region, f"cloudfront::{self.account}:distribution/{distribution_id}"),
            "domainName": f"d{short_id(name, 13)}.cloudfront.net",
        }
