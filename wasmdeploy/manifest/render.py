"""The resolved service written back as a manifest (what `wasmdeploy print` shows).

Everything is explicit: stage and region filled in, provider defaults copied
into each function, sizes and durations in unit form, `provided.al2` shown as
the runtime actually deployed. The output is itself a valid manifest that
loads back to the same service.
"""

from __future__ import annotations

from typing import Any

import yaml
from wasmdeploy_runtime.units import format_size

from wasmdeploy.manifest import model
from wasmdeploy.manifest.kv_stores import stores_as_manifest
from wasmdeploy.manifest.render_events import add_event_sources


def _duration(seconds: float) -> str:
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def _sandbox(sandbox: model.Sandbox) -> dict[str, Any]:
    data: dict[str, Any] = {
        "memoryLimit": format_size(sandbox.memory_limit),
        "stackLimit": format_size(sandbox.stack_limit),
    }
    if sandbox.max_time is not None:
        data["maxTime"] = _duration(sandbox.max_time)
    data["allowedImports"] = list(sandbox.allowed_imports)
    if sandbox.fuel is not None:
        data["fuel"] = sandbox.fuel
    return data


def _s3_event(trigger: model.S3Trigger) -> dict[str, Any]:
    body: dict[str, Any] = {
        "bucket": trigger.bucket,
        "event": trigger.events[0] if len(trigger.events) == 1 else list(trigger.events),
    }
    rules = [{"prefix": trigger.prefix}] if trigger.prefix else []
    rules += [{"suffix": trigger.suffix}] if trigger.suffix else []
    if rules:
        body["rules"] = rules
    if trigger.existing:
        body["existing"] = True
    return {"s3": body}


def _route_event(route: model.HttpRoute) -> dict[str, Any]:
    if route.kind == "httpApi":
        return {"httpApi": "*" if route.path == "$default" else route.route_key}
    body: dict[str, Any] = {"path": route.path, "method": route.method}
    if route.cors:
        body["cors"] = True
    return {"http": body}


def function_as_manifest(function: model.Function) -> dict[str, Any]:
    data: dict[str, Any] = {"handler": function.handler}
    if function.description:
        data["description"] = function.description
    data["runtime"] = function.runtime
    data["architecture"] = function.architecture
    data["memorySize"] = function.memory_size
    data["timeout"] = function.timeout
    data["sandbox"] = _sandbox(function.sandbox)
    if function.kv:
        data["kv"] = [store.name for store in function.kv]
    for key, value in (("environment", function.environment), ("tags", function.tags)):
        if value:
            data[key] = dict(value)
    if function.log_retention_days is not None:
        data["logRetentionInDays"] = function.log_retention_days
    data["input"] = function.input
    if function.output:
        data["output"] = {"bucket": function.output.bucket, "key": function.output.key}
    if function.edge:
        data["edge"] = {
            "eventType": function.edge.event_type,
            "pathPattern": function.edge.path_pattern,
            "includeBody": function.edge.include_body,
        }
    if function.build_optimize or function.build_strip:
        data["build"] = {"command": function.build, "optimize": function.build_optimize}
        data["build"]["strip"] = function.build_strip
    elif function.build:
        data["build"] = function.build
    events = [_s3_event(t) for t in function.s3_triggers]
    events += [_route_event(r) for r in function.routes]
    if events:
        data["events"] = events
    return data


def service_as_manifest(service: model.Service) -> dict[str, Any]:
    provider: dict[str, Any] = {"name": "aws", "region": service.region, "stage": service.stage}
    if service.tags:
        provider["tags"] = dict(service.tags)
    if service.backend:
        provider["backend"] = service.backend
    provider["retainBuckets"] = service.retain_buckets
    statements = next((f.iam_statements for f in service.functions if f.iam_statements), ())
    if statements:
        provider["iam"] = {"statements": [dict(s) for s in statements]}
    data: dict[str, Any] = {"service": service.name, "provider": provider}
    data["functions"] = {f.name: function_as_manifest(f) for f in service.functions}
    for function in service.functions:
        add_event_sources(data["functions"][function.name], function, service.event_resources)
    if service.cdn:
        origin: dict[str, Any] = (
            {"httpApi": True} if service.cdn.origin_kind == "httpApi"
            else {service.cdn.origin_kind: service.cdn.origin}
        )  # fmt: skip
        cdn: dict[str, Any] = {"origin": origin, "priceClass": service.cdn.price_class}
        if service.cdn.default_root_object:
            cdn["defaultRootObject"] = service.cdn.default_root_object
        if service.cdn.comment:
            cdn["comment"] = service.cdn.comment
        data["cdn"] = cdn
    if service.kv_stores:
        data["kv"] = stores_as_manifest(service.kv_stores)
    if service.custom:
        data["custom"] = service.custom
    return data


def render_service(service: model.Service) -> str:
    """The resolved manifest as YAML, keys in manifest order."""
    text: str = yaml.safe_dump(
        service_as_manifest(service), sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    return text
