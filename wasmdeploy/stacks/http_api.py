"""`httpApi` events: one API Gateway v2 HTTP API for the service (payload format 2.0)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import HttpRoute
from wasmdeploy.manifest.model_auth import CorsSettings
from wasmdeploy.stacks.api_authorizers import ApiAuthorizers
from wasmdeploy.stacks.api_names import APIGATEWAY_PRINCIPAL, slugify
from wasmdeploy.stacks.function import WasmFunction


@dataclass(frozen=True)
class RoutedFunction:
    function: WasmFunction
    routes: Sequence[HttpRoute]


@dataclass(frozen=True)
class HttpApiArgs:
    api_name: str  # "{service}-{stage}"
    stage: str
    targets: Sequence[RoutedFunction]
    functions: Mapping[str, WasmFunction] = field(default_factory=dict)  # authorizers' functions
    cors: CorsSettings | None = None  # provider.httpApi.cors


def route_slug(route: HttpRoute) -> str:
    """A logical-name-safe form of a route key: "GET /a/{id}" -> "get-a-id"."""
    if route.path == "$default":
        return "default"
    return slugify(f"{route.method} {route.path}")


def unique_slug(slug: str, used: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`... when two routes slug alike ("/a-b" and "/a/b")."""
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    used.add(candidate)
    return candidate


def cors_configuration(
    targets: Sequence[RoutedFunction], settings: CorsSettings | None = None
) -> aws.apigatewayv2.ApiCorsConfigurationArgs | None:
    """The API's CORS: provider.httpApi.cors's settings, else everything when a route asks."""
    if settings is None and not any(route.cors for target in targets for route in target.routes):
        return None
    cors = settings or CorsSettings()
    return aws.apigatewayv2.ApiCorsConfigurationArgs(
        allow_origins=list(cors.allowed_origins),
        allow_methods=list(cors.allowed_methods),
        allow_headers=list(cors.allowed_headers),
        expose_headers=list(cors.exposed_headers) or None,
        allow_credentials=cors.allow_credentials or None,
        max_age=cors.max_age,
    )


def api_invoke_permission(
    name: str,
    function: WasmFunction,
    execution_arn: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> aws.lambda_.Permission:
    """Lets API Gateway (any stage, method and path of the API) invoke `function`."""
    return aws.lambda_.Permission(
        f"{name}-{function.function_model.name}-invoke",
        action="lambda:InvokeFunction",
        function=function.name,
        principal=APIGATEWAY_PRINCIPAL,
        source_arn=execution_arn.apply(lambda arn: f"{arn}/*/*"),
        opts=opts,
    )


class HttpApi(pulumi.ComponentResource):
    """The API, a Lambda proxy integration per function, a route per method and path,
    and the `$default` stage, deployed automatically on every change."""

    url: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:HttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigatewayv2.Api(
            f"{name}-api",
            name=args.api_name,
            protocol_type="HTTP",
            cors_configuration=cors_configuration(args.targets, args.cors),
            opts=child,
        )
        self.routes: list[aws.apigatewayv2.Route] = []
        self.permissions: list[aws.lambda_.Permission] = []
        used: set[str] = set()
        authorizers = ApiAuthorizers(
            name, self.api.id, self.api.execution_arn, args.functions, self, http_api=True
        )
        for target in args.targets:
            function_name = target.function.function_model.name
            integration = aws.apigatewayv2.Integration(
                f"{name}-{function_name}-integration",
                api_id=self.api.id,
                integration_type="AWS_PROXY",
                integration_method="POST",
                integration_uri=target.function.invoke_arn,
                payload_format_version="2.0",
                opts=child,
            )
            for route in target.routes:
                self.routes.append(
                    aws.apigatewayv2.Route(
                        f"{name}-{unique_slug(route_slug(route), used)}",
                        api_id=self.api.id,
                        route_key=route.route_key,
                        target=integration.id.apply(lambda id_: f"integrations/{id_}"),
                        **authorizers.for_route(route),
                        opts=child,
                    )
                )
            self.permissions.append(
                api_invoke_permission(name, target.function, self.api.execution_arn, child)
            )
        self.stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.routes)),
        )
        self.endpoint = self.api.api_endpoint
        self.url = self.api.api_endpoint
        self.register_outputs({"url": self.url})
