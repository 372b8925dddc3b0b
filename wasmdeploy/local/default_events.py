"""The event `invoke` sends when none is given: what the function's trigger would send."""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy.local.events.catalog import render_event
from wasmdeploy.local.source_default_events import source_event
from wasmdeploy.manifest.model import Function, S3Trigger, Service

_PARAMETER = re.compile(r"\{(\w+)\+?\}")


def default_event(service: Service, function: Function) -> Any:
    """An S3 put for S3 functions, a request for HTTP functions, CloudFront's for edge, the
    first event source's sample (SQS, Kinesis, DynamoDB, SNS, schedule, EventBridge), else {}."""
    if function.s3_triggers:
        return s3_event_for(function.s3_triggers[0], service.region, key=None)
    if function.routes:
        route = function.routes[0]
        method = "GET" if route.method == "ANY" else route.method
        if route.path == "$default":
            return render_event("apigw", "http", {"method": method, "path": "/"})
        path = _PARAMETER.sub(lambda match: "example", route.path)
        kind = "http" if route.kind == "httpApi" else "rest"
        params: dict[str, Any] = {"method": method, "path": path, "route": route.path}
        if kind == "http":
            params["route_key"] = route.route_key
        return render_event("apigw", kind, params)
    if function.edge is not None:
        return render_event("cloudfront", function.edge.event_type)
    from_source = source_event(service, function)
    return {} if from_source is None else from_source


def s3_event_for(
    trigger: S3Trigger,
    region: str,
    *,
    key: str | None,
    size: int = 1024,
    etag: str | None = None,
    event_name: str | None = None,
    configuration_id: str = "wasmdeploy-local",
) -> Any:
    """The S3 notification for an object under `trigger` (an example key if none is given)."""
    if event_name is not None:
        kind = "delete" if event_name.startswith("ObjectRemoved") else "put"
    else:
        removed_only = all(event.startswith("s3:ObjectRemoved") for event in trigger.events)
        kind = "delete" if removed_only else "put"
    if key is None:
        key = f"{trigger.prefix or ''}example{trigger.suffix or '.txt'}"
    params: dict[str, Any] = {
        "bucket": trigger.bucket,
        "key": key,
        "region": region,
        "configuration_id": configuration_id,
    }
    if event_name:
        params["event_name"] = event_name
    if kind == "put":
        params["size"] = size
        params["etag"] = etag
    return render_event("s3", kind, params)
