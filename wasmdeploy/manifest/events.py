"""The `events:` entries of a function: S3 triggers and HTTP routes, short and long forms.

Each reader returns the model object, or None when the entry is malformed (the
schema reports that); the checks and the resolver use the same readers.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import model
from wasmdeploy.manifest.settings import as_dict, as_list

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
DEFAULT_S3_EVENT = "s3:ObjectCreated:*"


def s3_trigger(value: Any) -> model.S3Trigger | None:
    """`s3: bucket-name` or `s3: {bucket, event, rules: [{prefix}, {suffix}], existing}`."""
    if isinstance(value, str):
        return model.S3Trigger(bucket=value)
    if not isinstance(value, dict) or not isinstance(value.get("bucket"), str):
        return None
    event = value.get("event", DEFAULT_S3_EVENT)
    events = tuple(event) if isinstance(event, list) else (event,)
    prefix: str | None = None
    suffix: str | None = None
    for rule in as_list(value.get("rules")):
        rule = as_dict(rule)
        if isinstance(rule.get("prefix"), str):
            prefix = rule["prefix"]
        if isinstance(rule.get("suffix"), str):
            suffix = rule["suffix"]
    return model.S3Trigger(
        bucket=value["bucket"],
        events=tuple(str(e) for e in events),
        prefix=prefix,
        suffix=suffix,
        existing=value.get("existing") is True,
    )


def _method(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    method = value.strip().upper()
    method = "ANY" if method == "*" else method
    return method if method in HTTP_METHODS else None


def _split_short_form(text: str) -> tuple[str, str] | None:
    parts = text.split()
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def http_api_route(value: Any) -> model.HttpRoute | None:
    """`httpApi: 'GET /x/{id}'`, `'*'` (the catch-all $default route) or `{method, path}`."""
    method: str | None
    path: Any
    if isinstance(value, str):
        text = value.strip()
        if text in ("*", "$default"):
            return model.HttpRoute(kind="httpApi", method="ANY", path="$default")
        pair = _split_short_form(text)
        if pair is None:
            return None
        method, path = _method(pair[0]), pair[1]
    elif isinstance(value, dict):
        method, path = _method(value.get("method", "ANY")), value.get("path")
        if path in ("*", "$default"):
            return model.HttpRoute(kind="httpApi", method="ANY", path="$default")
    else:
        return None
    if method is None or not isinstance(path, str):
        return None
    return model.HttpRoute(kind="httpApi", method=method, path=path)


def http_route(value: Any) -> model.HttpRoute | None:
    """`http: 'GET /x'` or `{path, method, cors}` (REST API; the leading '/' is optional)."""
    method: str | None
    path: Any
    cors = False
    if isinstance(value, str):
        pair = _split_short_form(value.strip())
        if pair is None:
            return None
        method, path = _method(pair[0]), pair[1]
    elif isinstance(value, dict):
        method, path = _method(value.get("method")), value.get("path")
        cors = value.get("cors") is True or isinstance(value.get("cors"), dict)
    else:
        return None
    if method is None or not isinstance(path, str):
        return None
    if not path.startswith("/"):
        path = "/" + path
    return model.HttpRoute(kind="http", method=method, path=path, cors=cors)


def read_event(event: Any) -> tuple[str, Any] | None:
    """('s3' | 'httpApi' | 'http', the entry's value), or None for a malformed entry."""
    event = as_dict(event)
    if len(event) != 1:
        return None
    kind, value = next(iter(event.items()))
    return (kind, value) if kind in ("s3", "httpApi", "http") else None


def function_events(
    function: dict[str, Any],
) -> tuple[list[tuple[int, model.S3Trigger]], list[tuple[int, model.HttpRoute]]]:
    """The function's S3 triggers and routes, each with its index in `events`."""
    triggers: list[tuple[int, model.S3Trigger]] = []
    routes: list[tuple[int, model.HttpRoute]] = []
    for index, event in enumerate(as_list(function.get("events"))):
        entry = read_event(event)
        if entry is None:
            continue
        kind, value = entry
        if kind == "s3":
            trigger = s3_trigger(value)
            if trigger:
                triggers.append((index, trigger))
        else:
            route = http_api_route(value) if kind == "httpApi" else http_route(value)
            if route:
                routes.append((index, route))
    return triggers, routes
