"""Turn a checked manifest into the model: the one place precedence is applied.

Precedence: CLI option > function > provider > default. Edge functions are
forced onto Lambda@Edge's terms (python3.13, x86_64, us-east-1, no environment
variables). `provided.al2` deploys as `provided.al2023`, remembered in
`requested_runtime`. Called only after the checks found no errors.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from wasmdeploy_runtime.units import parse_duration, parse_size

from wasmdeploy.manifest import model, settings, settings_aws
from wasmdeploy.manifest.api_keys import is_private, rest_api_keys
from wasmdeploy.manifest.authorizers import event_authorizer, http_api_cors
from wasmdeploy.manifest.event_references import template_resources
from wasmdeploy.manifest.events import function_events
from wasmdeploy.manifest.kv_stores import function_stores, resolve_stores, with_store_imports
from wasmdeploy.manifest.resolve_events import async_config, function_sources, service_resources
from wasmdeploy.manifest.resources import cloudformation_resources
from wasmdeploy.manifest.settings import as_dict


def resolve_sandbox(raw: dict[str, Any]) -> model.Sandbox:
    max_time = raw.get("maxTime")
    fuel = raw.get("fuel")
    allowed = raw.get("allowedImports")
    return model.Sandbox(
        memory_limit=parse_size(raw.get("memoryLimit", model.DEFAULT_MEMORY_LIMIT)),
        stack_limit=parse_size(raw.get("stackLimit", model.DEFAULT_STACK_LIMIT)),
        max_time=parse_duration(max_time) if max_time is not None else None,
        allowed_imports=(
            tuple(str(i) for i in allowed)
            if isinstance(allowed, list)
            else model.DEFAULT_ALLOWED_IMPORTS
        ),
        fuel=int(fuel) if isinstance(fuel, int) and not isinstance(fuel, bool) else None,
    )


def route_settings(
    data: dict[str, Any], raw: dict[str, Any], index: int, route: model.HttpRoute
) -> model.HttpRoute:
    """The route's authorizer, and `provider.httpApi.cors: true` for every httpApi route."""
    cors = http_api_cors(data) is not None
    event = settings.as_dict(settings.as_list(raw.get("events"))[index]).get(route.kind)
    return dataclasses.replace(
        route,
        cors=route.cors or (route.kind == "httpApi" and cors),
        authorizer=event_authorizer(data, route.kind, event),
        private=route.kind == "http" and is_private(event),
    )


def resolve_function(
    data: dict[str, Any],
    name: str,
    raw: dict[str, Any],
    service: str,
    stage: str,
    root: Path,
    kv_stores: tuple[model.KvStore, ...] = (),
) -> model.Function:
    handler = str(raw.get("handler", ""))
    module_relpath, export = settings.split_handler(handler)
    triggers, routes = function_events(raw)
    output = as_dict(raw.get("output"))
    edge = raw.get("edge")
    requested = settings.requested_runtime(data, raw)
    runtime = settings.deployed_runtime(data, raw)
    granted = function_stores(raw, kv_stores)
    deployed_name = settings.deployed_name(service, stage, name, raw.get("name"))
    return model.Function(
        name=name,
        deployed_name=deployed_name,
        handler=handler,
        module=(root / module_relpath).resolve(),
        module_relpath=module_relpath,
        abi="exports" if export else "wasi",
        export=export,
        runtime=runtime,
        architecture=settings.architecture(data, raw),
        memory_size=settings.memory_size(data, raw),
        timeout=settings.timeout(data, raw),
        sandbox=with_store_imports(resolve_sandbox(settings.sandbox_settings(data, raw)), granted),
        description=raw.get("description"),
        environment=settings.environment(data, raw),
        tags=settings.tags(data, raw),
        input="object" if raw.get("input") == "object" else "event",
        output=model.ObjectOutput(bucket=output["bucket"], key=output["key"]) if output else None,
        s3_triggers=tuple(trigger for _, trigger in triggers),
        routes=tuple(route_settings(data, raw, index, route) for index, route in routes),
        edge=(
            model.EdgeTrigger(
                event_type=edge["eventType"],
                path_pattern=edge.get("pathPattern", "*"),
                include_body=edge.get("includeBody") is True,
            )
            if isinstance(edge, dict)
            else None
        ),
        build=build_command(raw.get("build")),
        build_optimize=as_dict(raw.get("build")).get("optimize"),
        build_strip=as_dict(raw.get("build")).get("strip") is True,
        iam_statements=(*settings.iam_statements(data), *settings_aws.statements(data, raw)),
        aws=settings_aws.function_aws(data, raw),
        log_retention_days=settings.log_retention(data, raw),
        requested_runtime=requested if requested != runtime and not raw.get("edge") else None,
        kv=granted,
        events=function_sources(raw, deployed_name, template_resources(data)),
        async_config=async_config(raw, deployed_name, template_resources(data)),
    )


def build_command(raw: Any) -> str | None:
    """`build: CMD` or `build: {command: CMD, optimize, strip}`: the shell command."""
    if isinstance(raw, dict):
        command = raw.get("command")
        return command if isinstance(command, str) else None
    return raw if isinstance(raw, str) else None


def resolve_cdn(raw: Any) -> model.Cdn | None:
    if not isinstance(raw, dict):
        return None
    origin = as_dict(raw.get("origin"))
    if "bucket" in origin:
        kind: model.CdnOriginKind = "bucket"
        target = str(origin["bucket"])
    elif "domain" in origin:
        kind, target = "domain", str(origin["domain"])
    else:
        kind, target = "httpApi", ""
    return model.Cdn(
        origin_kind=kind,
        origin=target,
        price_class=raw.get("priceClass", "PriceClass_100"),
        default_root_object=raw.get("defaultRootObject"),
        comment=raw.get("comment"),
    )


def resolve_service(
    data: dict[str, Any], manifest_path: Path, *, stage: str | None, region: str | None
) -> model.Service:
    """The model of a manifest that passed the schema and the checks."""
    root = manifest_path.parent
    name = str(data["service"])
    stage_name = settings.stage(data, stage)
    provider = settings.provider_of(data)
    raw_functions = settings.functions_of(data)
    kv_stores = resolve_stores(data, name, stage_name)
    functions = tuple(
        resolve_function(data, fname, raw, name, stage_name, root, kv_stores)
        for fname, raw in raw_functions.items()
    )
    backend = provider.get("backend")
    return model.Service(
        name=name,
        stage=stage_name,
        region=settings.region(data, region),
        manifest_path=manifest_path,
        functions=functions,
        tags=settings.tags(data),
        backend=str(backend) if backend is not None else None,
        cdn=resolve_cdn(data.get("cdn")),
        retain_buckets=provider.get("retainBuckets") is not False,
        custom=as_dict(data.get("custom")),
        kv_stores=kv_stores,
        event_resources=service_resources(
            list(zip(raw_functions.values(), functions, strict=True))
        ),
        resources=cloudformation_resources(data, name, stage_name),
        http_api_cors=http_api_cors(data),
        rest_api_keys=rest_api_keys(data),
    )
