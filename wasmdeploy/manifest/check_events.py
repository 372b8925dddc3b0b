"""Checks on events: route syntax and clashes, S3 bucket names, event types, loops, overlaps."""

from __future__ import annotations

import difflib
import re
from typing import Any

from wasmdeploy.manifest import model, settings
from wasmdeploy.manifest.events import HTTP_METHODS, http_api_route, http_route, read_event
from wasmdeploy.manifest.naming import bucket_name_problem, suggest_bucket_name
from wasmdeploy.manifest.problems import NodePath, Problems

S3_EVENTS = (
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked", "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
)  # fmt: skip
OUTPUT_FIELDS = ("key", "basename", "stem", "ext", "bucket")
_PARAM = re.compile(r"^\{([A-Za-z0-9_]+)(\+?)\}$")
_FIELD = re.compile(r"\{([^{}]*)\}")


def route_path_problem(path: str, kind: str) -> str | None:
    """Why an API Gateway route path is malformed, or None."""
    if path == "$default":
        return (
            "$default is an httpApi catch-all; REST APIs (http) have no such route"
            if kind == "http"
            else None
        )
    if not path.startswith("/"):
        return "the path must start with '/'"
    if path != "/" and path.endswith("/"):
        return "the path must not end with '/'"
    segments = path[1:].split("/") if path != "/" else []
    names: list[str] = []
    for position, segment in enumerate(segments):
        if segment == "":
            return "the path has an empty segment ('//')"
        if "{" not in segment and "}" not in segment:
            continue
        match = _PARAM.match(segment)
        if not match:
            return (
                f"malformed path parameter in '{segment}': a parameter is a whole segment "
                "like {id}, with letters, digits and _ only"
            )
        name, greedy = match.groups()
        if greedy and position != len(segments) - 1:
            return f"the greedy parameter {{{name}+}} must be the last segment"
        if name in names:
            return f"the parameter {{{name}}} appears twice"
        names.append(name)
    return None


def _shape_key(route: model.HttpRoute) -> tuple[str, str, str]:
    """Routes API Gateway treats as the same: parameters compare equal whatever their names."""
    shape = re.sub(r"\{[A-Za-z0-9_]+\}", "{}", route.path)
    return route.kind, route.method, shape


def check_routes(data: Any, problems: Problems) -> None:
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}
    for name, function in settings.functions_of(data).items():
        for index, event in enumerate(settings.as_list(function.get("events"))):
            entry = read_event(event)
            if entry is None or entry[0] == "s3":
                continue
            kind, value = entry
            path: NodePath = ("functions", name, "events", index, kind)
            route = http_api_route(value) if kind == "httpApi" else http_route(value)
            if route is None:
                if kind == "http" and value in ("*", "$default"):
                    problems.error(
                        path,
                        f"'{value}' is the httpApi catch-all; REST APIs (http) have no such route",
                        hint="Use `http: 'ANY /{proxy+}'`, or an httpApi event.",
                    )
                elif isinstance(value, str):
                    problems.error(
                        path,
                        f"'{value}' is not a route: write 'METHOD /path' with METHOD one of "
                        f"{', '.join(HTTP_METHODS)} or *",
                        hint="For example: 'GET /hello/{name}'"
                        + (" or '*'" if kind == "httpApi" else ""),
                    )
                continue
            reason = route_path_problem(route.path, kind)
            if reason:
                where = path if isinstance(value, str) else (*path, "path")
                problems.error(where, f"'{route.path}': {reason}")
                continue
            key = _shape_key(route)
            if key in seen:
                other, line = seen[key]
                problems.error(
                    path,
                    f"the route {route.route_key} is already defined by function {other} "
                    f"(line {line}); API Gateway allows each method and path once",
                    hint="Remove one of them, or change its method or path.",
                )
            else:
                seen[key] = (name, problems.locations.of(path).line)


def _check_bucket(bucket: str, path: NodePath, problems: Problems) -> None:
    reason = bucket_name_problem(bucket)
    if reason:
        problems.error(
            path,
            f"'{bucket}' is not a valid S3 bucket name ({reason})",
            hint=f"For example: {suggest_bucket_name(bucket)}",
        )


def _check_s3_entry(value: Any, path: NodePath, problems: Problems) -> None:
    if isinstance(value, str):
        _check_bucket(value, path, problems)
        return
    if not isinstance(value, dict):
        return
    if isinstance(value.get("bucket"), str):
        _check_bucket(value["bucket"], (*path, "bucket"), problems)
    events = value.get("event")
    for offset, event in enumerate(events if isinstance(events, list) else [events]):
        if isinstance(event, str) and event not in S3_EVENTS:
            where = (*path, "event", offset) if isinstance(events, list) else (*path, "event")
            close = difflib.get_close_matches(event, S3_EVENTS, n=1, cutoff=0.6)
            problems.error(
                where,
                f"'{event}' is not an S3 event type",
                hint=f"Did you mean '{close[0]}'?" if close else "For example: s3:ObjectCreated:*",
            )
    rules = settings.as_list(value.get("rules"))
    for rule_key in ("prefix", "suffix"):
        indexes = [i for i, rule in enumerate(rules) if isinstance(rule, dict) and rule_key in rule]
        if len(indexes) > 1:
            problems.error(
                (*path, "rules", indexes[1]),
                f"S3 allows one {rule_key} rule per trigger",
                hint=f"Use separate s3 events for separate {rule_key}es.",
            )


def check_s3_events(data: Any, problems: Problems) -> None:
    for name, function in settings.functions_of(data).items():
        for index, event in enumerate(settings.as_list(function.get("events"))):
            entry = read_event(event)
            if entry is not None and entry[0] == "s3":
                _check_s3_entry(entry[1], ("functions", name, "events", index, "s3"), problems)
        output = function.get("output")
        if isinstance(output, dict):
            if isinstance(output.get("bucket"), str):
                _check_bucket(output["bucket"], ("functions", name, "output", "bucket"), problems)
            if isinstance(output.get("key"), str):
                _check_output_key(output["key"], ("functions", name, "output", "key"), problems)


def check_existing_buckets(data: Any, problems: Problems) -> None:
    """A bucket is either created by the stack or already there: every trigger must agree."""
    marked: dict[str, list[tuple[NodePath, bool]]] = {}
    for name, function in settings.functions_of(data).items():
        for index, event in enumerate(settings.as_list(function.get("events"))):
            entry = read_event(event)
            if entry is None or entry[0] != "s3":
                continue
            value = entry[1]
            bucket = value if isinstance(value, str) else settings.as_dict(value).get("bucket")
            existing = isinstance(value, dict) and value.get("existing") is True
            if isinstance(bucket, str):
                path: NodePath = ("functions", name, "events", index, "s3")
                marked.setdefault(bucket, []).append((path, existing))
    for bucket, uses in marked.items():
        if len({existing for _, existing in uses}) > 1:
            path = next(p for p, existing in uses if not existing)
            problems.error(
                path,
                f"bucket {bucket} is marked `existing: true` on another trigger but not here: "
                "the stack would try to create a bucket that already exists",
                hint=f"Add `existing: true` to every s3 event on {bucket}, or to none.",
            )


def _check_output_key(template: str, path: NodePath, problems: Problems) -> None:
    for field_name in _FIELD.findall(template):
        if field_name not in OUTPUT_FIELDS:
            problems.error(
                path,
                f"unknown field {{{field_name}}} in the output key",
                hint="Fields: " + " ".join(f"{{{f}}}" for f in OUTPUT_FIELDS) + ".",
            )
    if _FIELD.sub("", template).count("{") or _FIELD.sub("", template).count("}"):
        problems.error(path, "unbalanced '{' or '}' in the output key")
