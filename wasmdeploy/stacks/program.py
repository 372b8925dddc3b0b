"""The Pulumi program: the model and its packaged artifacts -> AWS resources.

`build_program(service, artifacts)` returns the inline program the Automation
API runs; `declare_service` is its body, which the mocked runs (`plan`, tests)
call directly to get the stack outputs back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.build.package import PackageResult, layer_kind
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import EDGE_REGION, Service
from wasmdeploy.stacks.buckets import (
    BucketRef,
    ServiceBucket,
    ServiceBucketArgs,
    created_bucket_ref,
    existing_bucket_ref,
)
from wasmdeploy.stacks.cdn import CdnArgs, EdgeDistribution, EdgeFunction
from wasmdeploy.stacks.cfn_resources import (
    IntrinsicResolver,
    declare_resources,
    needs_service_values,
    service_values,
    user_outputs,
)
from wasmdeploy.stacks.event_sources import declare_event_sources
from wasmdeploy.stacks.function import WasmFunction, WasmFunctionArgs
from wasmdeploy.stacks.http_api import HttpApi, HttpApiArgs, RoutedFunction
from wasmdeploy.stacks.kv_tables import declare_kv_stores
from wasmdeploy.stacks.layer import RuntimeLayer, RuntimeLayerArgs
from wasmdeploy.stacks.local_endpoint import provider_settings
from wasmdeploy.stacks.rest_api import RestApi, RestApiArgs
from wasmdeploy.stacks.s3_triggers import BucketTriggers, BucketTriggersArgs, TriggeredFunction


def check_deployable(service: Service, artifacts: PackageResult) -> None:
    """What the program needs that the manifest checks cannot know: every artifact."""
    missing = [f.name for f in service.functions if f.name not in artifacts.functions]
    if missing:
        raise UserError(
            f"No package for function(s): {', '.join(missing)}",
            hint="Run `wasmdeploy package` first.",
        )
    edge = [f.name for f in service.functions if f.is_edge]
    if edge and service.cdn is None:
        raise UserError(
            f"Edge function(s) {', '.join(edge)} need a `cdn` block naming the origin.",
        )
    if service.cdn and service.cdn.origin_kind == "httpApi" and not _has_routes(service, "httpApi"):
        raise UserError("cdn.origin is the stack's HTTP API, but no function has an httpApi event.")


def _has_routes(service: Service, kind: str) -> bool:
    return any(route.kind == kind for f in service.functions for route in f.routes)


def resource_prefix(service: Service) -> str:
    """Physical names of shared resources: "{service}-{stage}"."""
    return f"{service.name}-{service.stage}"


def stack_tags(service: Service) -> dict[str, str]:
    return {**service.tags, "wasmdeploy:service": service.name, "wasmdeploy:stage": service.stage}


@dataclass
class DeclaredService:
    """The components the program declared, and the stack outputs built from them."""

    functions: dict[str, WasmFunction] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


def declare_service(service: Service, artifacts: PackageResult) -> DeclaredService:
    check_deployable(service, artifacts)
    declared = DeclaredService()
    prefix = resource_prefix(service)
    tags = stack_tags(service)
    local = provider_settings()  # WASMDEPLOY_AWS_ENDPOINT: a local AWS, else nothing
    provider = aws.Provider(f"aws-{service.region}", region=service.region, **local)
    edge_provider = provider
    if service.region != EDGE_REGION and any(f.is_edge for f in service.functions):
        edge_provider = aws.Provider(f"aws-{EDGE_REGION}", region=EDGE_REGION, **local)
    in_region = pulumi.ResourceOptions(providers=[provider])
    at_edge = pulumi.ResourceOptions(providers=[edge_provider])
    account_id = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(provider=provider)
    ).account_id

    layers: dict[tuple[str, str], RuntimeLayer] = {}
    for architecture, kind in sorted(
        {(f.architecture, layer_kind(f)) for f in service.functions if not f.is_edge}
    ):
        layers[(architecture, kind)] = RuntimeLayer(
            f"runtime-{kind}-{architecture}",
            RuntimeLayerArgs(
                layer_name=f"{prefix}-wasmtime-{kind}-{architecture}",
                architecture=architecture,
                kind=kind,
                artifact=artifacts.layers[(architecture, kind)],
            ),
            opts=in_region,
        )

    late = needs_service_values(service)  # resources refer to the functions or APIs
    resolver, resources_stack = (
        (IntrinsicResolver(None), None) if late else declare_resources(service, tags, in_region)
    )
    for function in service.functions:
        layer = None if function.is_edge else layers[(function.architecture, layer_kind(function))]
        declared.functions[function.name] = WasmFunction(
            function.name,
            WasmFunctionArgs(
                function=function,
                artifact=artifacts.functions[function.name],
                account_id=account_id,
                layer_arns=[layer.arn] if layer else [],
                tags=tags,
                resolve=resolver.resolve,
            ),
            opts=at_edge if function.is_edge else in_region,
        )

    buckets = declare_buckets(service, tags, in_region)
    declare_triggers(service, declared, buckets, account_id, in_region)
    declared.outputs.update(
        declare_event_sources(service, declared.functions, tags, in_region, resolver.resolve)
    )
    granted = {f.name: (f.kv, declared.functions[f.name]) for f in service.functions}
    declared.outputs.update(declare_kv_stores(service.kv_stores, granted, tags, in_region))
    outputs = declared.outputs
    outputs["functions"] = {
        name: {"name": component.name, "arn": component.arn}
        for name, component in declared.functions.items()
    }
    outputs["buckets"] = [ref.name for ref in buckets.values() if ref.created]

    http_api = None
    rest_api = None
    routed = routed_functions(service, declared, "httpApi")
    if routed:
        http_api = HttpApi(
            "http-api",
            HttpApiArgs(prefix, service.stage, routed, declared.functions, service.http_api_cors),
            opts=in_region,
        )
        outputs["httpApiUrl"] = http_api.url
    rest_routed = routed_functions(service, declared, "http")
    if rest_routed:
        rest_api = RestApi(
            "rest-api",
            RestApiArgs(
                prefix, service.stage, rest_routed, declared.functions, service.rest_api_keys
            ),
            in_region,
        )
        outputs["restApiUrl"] = rest_api.url
        if rest_api.api_key_ids:
            outputs["restApiKeys"] = rest_api.api_key_ids
    if late:
        values = service_values(
            service,
            declared.functions,
            rest_api.api if rest_api else None,
            http_api.api if http_api else None,
        )
        _, resources_stack = declare_resources(service, tags, in_region, values)
    if resources_stack is not None:
        outputs["resources"] = resources_stack.outputs.apply(user_outputs)

    if service.cdn is not None:
        cdn = service.cdn
        edge = [
            EdgeFunction(declared.functions[f.name], f.edge)
            for f in service.functions
            if f.edge is not None
        ]
        origin_domain: pulumi.Input[str] | None = (
            cdn.origin if cdn.origin_kind == "domain" else None
        )
        if cdn.origin_kind == "httpApi" and http_api is not None:
            origin_domain = http_api.endpoint
        distribution = EdgeDistribution(
            "cdn",
            CdnArgs(
                cdn=cdn,
                edge_functions=edge,
                origin_bucket=buckets.get(cdn.origin) if cdn.origin_kind == "bucket" else None,
                origin_domain=origin_domain,
                bucket_provider=provider,
                name_prefix=prefix,
            ),
            opts=at_edge,
        )
        outputs["cdnDomain"] = distribution.domain_name
    return declared


def declare_buckets(
    service: Service, tags: dict[str, str], opts: pulumi.ResourceOptions
) -> dict[str, BucketRef]:
    """Every bucket the service names: created (and locked down) unless `existing`."""
    refs: dict[str, BucketRef] = {}
    for name in service.buckets_to_create:
        bucket = ServiceBucket(
            f"bucket-{name}",
            ServiceBucketArgs(name, retain_on_delete=service.retain_buckets, tags=tags),
            opts=opts,
        )
        refs[name] = created_bucket_ref(bucket)
    for function in service.functions:
        for trigger in function.s3_triggers:
            refs.setdefault(trigger.bucket, existing_bucket_ref(trigger.bucket, service.region))
    return refs


def declare_triggers(
    service: Service,
    declared: DeclaredService,
    buckets: dict[str, BucketRef],
    account_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> None:
    by_bucket: dict[str, list[TriggeredFunction]] = {}
    for function in service.functions:
        for trigger in function.s3_triggers:
            target = TriggeredFunction(declared.functions[function.name], trigger)
            by_bucket.setdefault(trigger.bucket, []).append(target)
    for bucket, targets in by_bucket.items():
        BucketTriggers(
            f"triggers-{bucket}",
            BucketTriggersArgs(buckets[bucket], targets, account_id),
            opts=opts,
        )


def routed_functions(
    service: Service, declared: DeclaredService, kind: str
) -> list[RoutedFunction]:
    routed = []
    for function in service.functions:
        routes = [route for route in function.routes if route.kind == kind]
        if routes:
            routed.append(RoutedFunction(declared.functions[function.name], routes))
    return routed


def build_program(service: Service, artifacts: PackageResult) -> Callable[[], None]:
    """The inline program: declares the service and exports its outputs."""

    def program() -> None:
        for key, value in declare_service(service, artifacts).outputs.items():
            pulumi.export(key, value)

    return program
