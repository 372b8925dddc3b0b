"""`http` events: one API Gateway REST API for the service (Lambda proxy, payload 1.0).

A REST API serves nothing until a Deployment snapshots it, and a Deployment
never changes by itself: its `triggers` hash the API's definition, so any
change to the routes makes a new deployment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import HttpRoute
from wasmdeploy.manifest.model_auth import RestApiKeys
from wasmdeploy.stacks.api_authorizers import ApiAuthorizers
from wasmdeploy.stacks.function import WasmFunction
from wasmdeploy.stacks.http_api import (
    RoutedFunction,
    api_invoke_permission,
    slugify,
    unique_slug,
)
from wasmdeploy.stacks.rest_api_keys import declare_api_keys

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "'*'",
    "Access-Control-Allow-Headers": "'Content-Type,Authorization,X-Amz-Date,X-Api-Key'",
    "Access-Control-Allow-Methods": "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
}


@dataclass(frozen=True)
class RestApiArgs:
    api_name: str  # "{service}-{stage}"
    stage: str
    targets: Sequence[RoutedFunction]
    functions: Mapping[str, WasmFunction] = field(default_factory=dict)  # authorizers' functions
    api_keys: RestApiKeys | None = None  # provider.apiGateway.apiKeys and usagePlan


def path_segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def resource_paths(routes: Sequence[HttpRoute]) -> list[tuple[str, ...]]:
    """Every resource the routes need, parents before children: /a/{id} needs /a and /a/{id}."""
    needed: set[tuple[str, ...]] = set()
    for route in routes:
        segments = path_segments(route.path)
        for depth in range(1, len(segments) + 1):
            needed.add(segments[:depth])
    return sorted(needed, key=lambda segments: (len(segments), segments))


def slug(segments: tuple[str, ...]) -> str:
    return slugify("-".join(segments))


def api_definition_hash(targets: Sequence[RoutedFunction]) -> str:
    """What a deployment snapshots: every method, path, CORS flag and target function."""
    definition = sorted(
        (
            route.method,
            route.path,
            route.cors,
            repr(route.authorizer),
            route.private,
            target.function.function_model.deployed_name,
        )
        for target in targets
        for route in target.routes
    )
    return hashlib.sha256(json.dumps(definition).encode()).hexdigest()


class RestApi(pulumi.ComponentResource):
    """Resources for each path segment, a method and proxy integration per route,
    CORS preflight where asked, a deployment and the stage named after the service's stage."""

    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: RestApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:RestApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigateway.RestApi(
            f"{name}-api",
            name=args.api_name,
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="REGIONAL"
            ),
            opts=child,
        )
        all_routes = [route for target in args.targets for route in target.routes]
        resource_ids: dict[tuple[str, ...], pulumi.Output[str]] = {(): self.api.root_resource_id}
        for segments in resource_paths(all_routes):
            resource = aws.apigateway.Resource(
                f"{name}-resource-{slug(segments)}",
                rest_api=self.api.id,
                parent_id=resource_ids[segments[:-1]],
                path_part=segments[-1],
                opts=child,
            )
            resource_ids[segments] = resource.id

        self.methods: list[pulumi.Resource] = []
        used: set[str] = set()
        authorizers = ApiAuthorizers(
            name, self.api.id, self.api.execution_arn, args.functions, self, http_api=False
        )
        cors_paths: dict[tuple[str, ...], None] = {}
        for target in args.targets:
            for route in target.routes:
                segments = path_segments(route.path)
                label = unique_slug(f"{route.method.lower()}-{slug(segments)}", used)
                method = aws.apigateway.Method(
                    f"{name}-{label}-method",
                    rest_api=self.api.id,
                    resource_id=resource_ids[segments],
                    http_method=route.method,
                    api_key_required=route.private or None,
                    **authorizers.for_route(route),
                    opts=child,
                )
                integration = aws.apigateway.Integration(
                    f"{name}-{label}-integration",
                    rest_api=self.api.id,
                    resource_id=resource_ids[segments],
                    http_method=method.http_method,
                    integration_http_method="POST",
                    type="AWS_PROXY",
                    uri=target.function.invoke_arn,
                    opts=child,
                )
                self.methods += [method, integration]
                if route.cors:
                    cors_paths[segments] = None
        for segments in cors_paths:
            self.methods += self._preflight(name, slug(segments), resource_ids[segments])

        self.permissions = [
            api_invoke_permission(name, target.function, self.api.execution_arn, child)
            for target in args.targets
        ]
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.api.id,
            triggers={"redeployment": api_definition_hash(args.targets)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.methods),
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=self.api.id,
            deployment=self.deployment.id,
            stage_name=args.stage,
            opts=child,
        )
        self.url = self.stage.invoke_url
        self.api_key_ids = (
            declare_api_keys(name, args.api_keys, self.api, self.stage, self)
            if args.api_keys
            else {}
        )
        self.register_outputs({"url": self.url})

    def _preflight(
        self, name: str, label: str, resource_id: pulumi.Input[str]
    ) -> list[pulumi.Resource]:
        """OPTIONS answered by API Gateway itself (a MOCK integration) with the CORS headers."""
        child = pulumi.ResourceOptions(parent=self)
        method = aws.apigateway.Method(
            f"{name}-options-{label}-method",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method="OPTIONS",
            authorization="NONE",
            opts=child,
        )
        integration = aws.apigateway.Integration(
            f"{name}-options-{label}-integration",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            type="MOCK",
            request_templates={"application/json": '{"statusCode": 200}'},
            opts=child,
        )
        method_response = aws.apigateway.MethodResponse(
            f"{name}-options-{label}-method-response",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code="200",
            response_parameters={f"method.response.header.{h}": True for h in CORS_HEADERS},
            opts=child,
        )
        integration_response = aws.apigateway.IntegrationResponse(
            f"{name}-options-{label}-integration-response",
            rest_api=self.api.id,
            resource_id=resource_id,
            http_method=method.http_method,
            status_code=method_response.status_code,
            response_parameters={f"method.response.header.{h}": v for h, v in CORS_HEADERS.items()},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[integration]),
        )
        return [method, integration, method_response, integration_response]
