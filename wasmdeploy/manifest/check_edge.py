"""Lambda@Edge rules for edge functions, and the `cdn` block they attach to."""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import model, settings
from wasmdeploy.manifest.events import function_events
from wasmdeploy.manifest.naming import bucket_name_problem, suggest_bucket_name
from wasmdeploy.manifest.problems import NodePath, Problems

EDGE_MAX_TIMEOUT = 30  # seconds, origin triggers


def check_edge_function(
    data: Any, name: str, function: dict[str, Any], region: str, problems: Problems
) -> None:
    edge = function.get("edge")
    if not isinstance(edge, dict):
        return
    base: NodePath = ("functions", name)
    event_type = edge.get("eventType")
    if isinstance(event_type, str) and event_type.startswith("viewer-"):
        problems.error(
            (*base, "edge", "eventType"),
            f"{event_type} triggers cannot run wasmtime: Lambda@Edge limits viewer-trigger "
            "packages to 1 MB compressed, and the wasmtime runtime alone zips to about 9.5 MB",
            hint=f"Use origin-{event_type.removeprefix('viewer-')} (50 MB limit) instead.",
        )
    if edge.get("includeBody") is True and event_type == "origin-response":
        problems.error(
            (*base, "edge", "includeBody"),
            "includeBody applies to request triggers only",
            hint="Remove includeBody, or use eventType: origin-request.",
        )
    if function.get("architecture") == "arm64":
        problems.error(
            (*base, "architecture"),
            "Lambda@Edge runs x86_64 functions only",
            hint="Remove `architecture` from this edge function.",
        )
    runtime = function.get("runtime")
    if isinstance(runtime, str) and runtime.startswith("provided."):
        problems.error(
            (*base, "runtime"),
            f"Lambda@Edge does not support custom runtimes ({runtime}); "
            "edge functions run on the managed python3.13 runtime",
            hint="Remove `runtime` (or write python3.13) for this edge function.",
        )
    if isinstance(function.get("environment"), dict) and function["environment"]:
        problems.error(
            (*base, "environment"),
            "Lambda@Edge functions cannot have environment variables",
            hint="Bake the values into the module, or read them from the request.",
        )
    if region != model.EDGE_REGION:
        where: NodePath = (
            ("provider", "region") if settings.provider_of(data).get("region") else (*base, "edge")
        )
        problems.error(
            where,
            "Lambda@Edge functions must be created in us-east-1, "
            f"and this service deploys to {region}",
            hint="Deploy services with edge functions to us-east-1 (provider.region / --region).",
        )
    timeout = function.get("timeout")
    if isinstance(timeout, int) and timeout > EDGE_MAX_TIMEOUT:
        problems.error(
            (*base, "timeout"),
            f"Lambda@Edge origin triggers allow at most {EDGE_MAX_TIMEOUT}s (got {timeout})",
            hint=f"Set timeout to {EDGE_MAX_TIMEOUT} or less.",
        )
    if function.get("input") == "object" or function.get("output") is not None:
        problems.error(
            base,
            "an edge function handles CloudFront requests; input: object and output are for "
            "S3-triggered functions",
            key=True,
        )
    if settings.as_list(function.get("events")):
        problems.error(
            (*base, "events"),
            "an edge function runs only behind CloudFront and cannot also have events",
            hint="Move the events to a separate function.",
        )
    if not isinstance(data.get("cdn"), dict):
        problems.error(
            (*base, "edge"),
            "an edge function needs a top-level cdn block (the CloudFront distribution it runs on)",
            hint="Add `cdn: {origin: {bucket: my-site-bucket}}` "
            "(or {httpApi: true}, or {domain: ...}).",
        )


def check_edge_associations(data: Any, problems: Problems) -> None:
    """CloudFront allows one function per event type on each cache behaviour."""
    seen: dict[tuple[str, str], str] = {}
    for name, function in settings.functions_of(data).items():
        edge = function.get("edge")
        if not isinstance(edge, dict) or not isinstance(edge.get("eventType"), str):
            continue
        pattern = edge.get("pathPattern", "*")
        key = (str(pattern), edge["eventType"])
        if key in seen:
            problems.error(
                ("functions", name, "edge"),
                f"functions {seen[key]} and {name} are both {key[1]} triggers on path "
                f"pattern '{key[0]}'; CloudFront allows one per event type and behaviour",
                hint="Give one of them a different pathPattern, or merge them.",
            )
        else:
            seen[key] = name
    if any(isinstance(f.get("edge"), dict) for f in settings.functions_of(data).values()):
        environment = settings.provider_of(data).get("environment")
        if isinstance(environment, dict) and environment:
            problems.warning(
                ("provider", "environment"),
                "provider.environment is not given to edge functions: Lambda@Edge has no "
                "environment variables",
            )


def check_cdn(data: Any, problems: Problems) -> None:
    cdn = data.get("cdn")
    if not isinstance(cdn, dict):
        return
    origin = settings.as_dict(cdn.get("origin"))
    bucket = origin.get("bucket")
    if isinstance(bucket, str):
        reason = bucket_name_problem(bucket)
        if reason:
            problems.error(
                ("cdn", "origin", "bucket"),
                f"'{bucket}' is not a valid S3 bucket name ({reason})",
                hint=f"For example: {suggest_bucket_name(bucket)}",
            )
    if origin.get("httpApi") is True:
        has_route = any(
            route.kind == "httpApi"
            for function in settings.functions_of(data).values()
            for _, route in function_events(function)[1]
        )
        if not has_route:
            problems.error(
                ("cdn", "origin", "httpApi"),
                "the cdn origin is this service's HTTP API, but no function has an httpApi event",
                hint="Add an httpApi event to a function, or use {bucket: ...} or {domain: ...}.",
            )
