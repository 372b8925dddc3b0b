"""API Gateway authorizers for routes (REST and HTTP APIs), one per distinct authorizer.

A Lambda authorizer run by a function of the service (or named by ARN) gets the
permission for API Gateway to invoke it, limited to this API's authorizers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import HttpRoute
from wasmdeploy.manifest.model_auth import RouteAuthorizer
from wasmdeploy.stacks.api_names import APIGATEWAY_PRINCIPAL, slugify
from wasmdeploy.stacks.function import WasmFunction

REST_TYPES = {"token": "TOKEN", "request": "REQUEST", "cognito": "COGNITO_USER_POOLS"}


def lambda_invoke_uri(arn: str) -> str:
    """API Gateway's URI for invoking the Lambda function `arn`."""
    parts = arn.split(":")
    partition, region = (parts[1], parts[3]) if len(parts) > 3 else ("aws", "us-east-1")
    return f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"


class ApiAuthorizers:
    """The authorizers an API's routes use, created on first use."""

    def __init__(
        self,
        name: str,
        api_id: pulumi.Input[str],
        execution_arn: pulumi.Output[str],
        functions: Mapping[str, WasmFunction],
        parent: pulumi.Resource,
        http_api: bool,
    ) -> None:
        self.name, self.api_id, self.execution_arn = name, api_id, execution_arn
        self.functions, self.parent, self.http_api = functions, parent, http_api
        self.created: dict[str, pulumi.CustomResource] = {}

    def _invoker(self, authorizer: RouteAuthorizer) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        """(the function to permit, its invoke URI) for a Lambda authorizer."""
        if authorizer.function:
            function = self.functions[authorizer.function]
            return function.name, function.invoke_arn
        arn = str(authorizer.arn)
        return arn, lambda_invoke_uri(arn)

    def _create(self, authorizer: RouteAuthorizer) -> pulumi.CustomResource:
        label = f"{self.name}-authorizer-{slugify(authorizer.name)}"
        child = pulumi.ResourceOptions(parent=self.parent)
        uri: pulumi.Input[str] | None = None
        if authorizer.kind in ("token", "request"):
            target, uri = self._invoker(authorizer)
            aws.lambda_.Permission(
                f"{label}-invoke",
                action="lambda:InvokeFunction",
                function=target,
                principal=APIGATEWAY_PRINCIPAL,
                source_arn=self.execution_arn.apply(lambda arn: f"{arn}/authorizers/*"),
                opts=child,
            )
        if self.http_api:
            settings: dict[str, Any] = (
                {
                    "authorizer_type": "JWT",
                    "jwt_configuration": aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
                        audiences=list(authorizer.audience), issuer=authorizer.issuer_url
                    ),
                }
                if authorizer.kind == "jwt"
                else {
                    "authorizer_type": "REQUEST",
                    "authorizer_uri": uri,
                    "authorizer_payload_format_version": "2.0",
                    "authorizer_result_ttl_in_seconds": authorizer.result_ttl,
                }
            )
            return aws.apigatewayv2.Authorizer(
                label,
                api_id=self.api_id,
                name=authorizer.name,
                identity_sources=list(authorizer.identity_source) or None,
                **settings,
                opts=child,
            )
        return aws.apigateway.Authorizer(
            label,
            rest_api=self.api_id,
            name=authorizer.name,
            type=REST_TYPES[authorizer.kind],
            authorizer_uri=uri,
            identity_source=",".join(authorizer.identity_source) or None,
            identity_validation_expression=authorizer.identity_validation_expression,
            authorizer_result_ttl_in_seconds=authorizer.result_ttl,
            provider_arns=[str(authorizer.arn)] if authorizer.kind == "cognito" else None,
            opts=child,
        )

    def for_route(self, route: HttpRoute) -> dict[str, Any]:
        """The Method's (REST) or Route's (HTTP API) authorization arguments."""
        authorizer = route.authorizer
        if authorizer is None:
            return {"authorization": "NONE"} if not self.http_api else {}
        if authorizer.kind == "aws_iam":
            key = "authorization_type" if self.http_api else "authorization"
            return {key: "AWS_IAM"}
        if authorizer.name not in self.created:
            self.created[authorizer.name] = self._create(authorizer)
        created = self.created[authorizer.name]
        scopes = list(authorizer.scopes) or None
        if self.http_api:
            return {
                "authorization_type": "JWT" if authorizer.kind == "jwt" else "CUSTOM",
                "authorizer_id": created.id,
                "authorization_scopes": scopes,
            }
        kind = "COGNITO_USER_POOLS" if authorizer.kind == "cognito" else "CUSTOM"
        return {"authorization": kind, "authorizer_id": created.id, "authorization_scopes": scopes}
