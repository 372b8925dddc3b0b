"""Values of an event that a person does not type: encodings, times, ids, multi-value forms.

One function per catalog service, given the event name and the parameter
values, returning the extra template values.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote_plus, urlencode

from wasmdeploy.local.events.source_values import SOURCE_DERIVERS
from wasmdeploy.local.timestamps import iso_milliseconds

OMIT = object()  # the template key is left out, as AWS leaves it out

_TEXT_TYPES = re.compile(
    r"^(text/|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))", re.I
)


def pairs(items: Iterable[Any]) -> list[tuple[str, str]]:
    """("K", "V") tuples from tuples or "K=V" strings (the CLI's --header / --query)."""
    result: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str):
            name, separator, value = item.partition("=")
            if not separator:
                raise ValueError(f"{item!r} is not NAME=VALUE")
            result.append((name.strip(), value))
        else:
            name, value = item
            result.append((str(name), str(value)))
    return result


def s3_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    key, bucket = str(values["key"]), str(values["bucket"])
    created = event != "delete"
    etag = (
        values.get("etag")
        or hashlib.md5(f"{bucket}/{key}/{values.get('size')}".encode()).hexdigest()
    )
    return {
        "key_encoded": quote_plus(key, safe="/"),
        "size": int(values["size"]) if created else OMIT,
        "etag": str(etag).strip('"') if created else OMIT,
        "event_time": iso_milliseconds(),
        "principal_id": "AWS:AIDAWASMDEPLOYLOCAL",
        "source_ip": "127.0.0.1",
        "request_id": secrets.token_hex(8).upper(),
        "host_id": base64.b64encode(secrets.token_bytes(48)).decode(),
        "sequencer": f"{time.time_ns():X}"[-18:],
    }


def apigw_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    method = str(values["method"]).upper()
    path = str(values["path"]) or "/"
    domain = values.get("domain_name") or "wasmlocal1.execute-api.us-east-1.amazonaws.com"
    headers = pairs(values["header"]) or _typical_headers(domain, str(values["source_ip"]))
    query = pairs(values["query"])
    now = datetime.now(UTC)
    body, is_base64 = _body(values, headers)
    route = values.get("route")
    path_parameters = values.get("path_parameters")
    if path_parameters is None and route:
        path_parameters = match_path_parameters(str(route), path)
    derived: dict[str, Any] = {
        "method": method,
        "path": path,
        "time_epoch": int(now.timestamp() * 1000),
        "api_id": "wasmlocal1",
        "source_ip": values["source_ip"],
        "user_agent": _first(headers, "user-agent") or "",
        "domain_name": domain,
        "is_base64_encoded": is_base64,
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
    }
    if event == "http":
        derived.update(_payload_v2(values, method, route, headers, query, body, path_parameters))
        derived["request_id"] = base64.b64encode(secrets.token_bytes(12)).decode()
    else:
        derived.update(_payload_v1(values, path, route, headers, query, body, path_parameters))
        derived["request_id"] = str(uuid.uuid4())
        derived["extended_request_id"] = base64.b64encode(secrets.token_bytes(12)).decode()
        derived["resource_id"] = secrets.token_hex(3)
    return derived


def _payload_v2(
    values: Mapping[str, Any],
    method: str,
    route: Any,
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
    body: str | None,
    path_parameters: dict[str, str] | None,
) -> dict[str, Any]:
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        if name.lower() == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    query_joined: dict[str, str] = {}
    for name, value in query:
        query_joined[name] = f"{query_joined[name]},{value}" if name in query_joined else value
    route_key = values.get("route_key") or (f"{method} {route}" if route else "$default")
    raw_query = values.get("raw_query")
    return {
        "route_key": route_key,
        "raw_query": raw_query if raw_query is not None else urlencode(query),
        "cookies": cookies or OMIT,
        "headers": joined,
        "query_parameters": query_joined or OMIT,
        "body": OMIT if body is None else body,
        "path_parameters": path_parameters or OMIT,
    }


def _payload_v1(
    values: Mapping[str, Any],
    path: str,
    route: Any,
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
    body: str | None,
    path_parameters: dict[str, str] | None,
) -> dict[str, Any]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    query_single: dict[str, str] = {}
    query_multi: dict[str, list[str]] = {}
    for name, value in query:
        query_single[name] = value
        query_multi.setdefault(name, []).append(value)
    stage = str(values["stage"])
    return {
        "resource": route or path,
        "headers": single,
        "multi_value_headers": multi,
        "query_parameters": query_single or None,
        "multi_value_query_parameters": query_multi or None,
        "stage_path": f"/{stage}{path}",
        "body": body,
        "path_parameters": path_parameters or None,
    }


def match_path_parameters(route: str, path: str) -> dict[str, str] | None:
    """Parameters of `path` under a route template: /items/{id} and /files/{proxy+}."""
    route_parts = route.strip("/").split("/")
    path_parts = path.strip("/").split("/")
    found: dict[str, str] = {}
    for index, part in enumerate(route_parts):
        if part.startswith("{") and part.endswith("+}"):
            rest = [piece for piece in path_parts[index:] if piece]
            if not rest:
                return None  # a greedy parameter matches at least one segment
            found[part[1:-2]] = "/".join(path_parts[index:])
            return found
        if index >= len(path_parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            found[part[1:-1]] = path_parts[index]
        elif part != path_parts[index]:
            return None
    return found if len(route_parts) == len(path_parts) else None


def _typical_headers(domain: str, source_ip: str) -> list[tuple[str, str]]:
    """What a request through API Gateway carries when the user named no headers."""
    return [
        ("Accept", "*/*"),
        ("Host", domain),
        ("User-Agent", "wasmdeploy-events/1.0"),
        ("X-Forwarded-For", source_ip),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]


def _body(values: Mapping[str, Any], headers: list[tuple[str, str]]) -> tuple[str | None, bool]:
    raw = values.get("body_bytes")
    if raw is None:
        text = values.get("body")
        return (None, False) if text is None else (str(text), False)
    if not raw:
        return None, False
    content_type = _first(headers, "content-type") or ""
    if not content_type or _TEXT_TYPES.match(content_type):
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(raw).decode(), True


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def cloudfront_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    origin = str(values.get("origin_domain") or "example.org")
    request_headers: list[tuple[str, str]] = [
        ("X-Forwarded-For", "203.0.113.178"),
        ("User-Agent", "Amazon CloudFront"),
        ("Via", "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"),
        ("Host", origin),
        ("Cache-Control", "no-cache, cf-no-cache"),
    ]
    derived: dict[str, Any] = {
        "method": str(values["method"]).upper(),
        "headers": cloudfront_headers(request_headers + pairs(values["header"])),
        "request_id": base64.urlsafe_b64encode(secrets.token_bytes(42)).decode(),
    }
    if event == "origin-response":
        status = int(values["status"])
        derived["status"] = str(status)
        derived["status_description"] = HTTPStatus(status).phrase
        now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        derived["response_headers"] = cloudfront_headers(
            [
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Allow-Methods", "OPTIONS,POST,GET"),
                ("Access-Control-Allow-Origin", "*"),
                ("Date", now),
                ("Content-Type", "application/json; charset=UTF-8"),
                ("Server", "Example"),
            ]
        )
    return derived


def cloudfront_headers(items: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    """CloudFront's header form: lower-case name -> [{"key": Name, "value": v}, ...]."""
    headers: dict[str, list[dict[str, str]]] = {}
    for name, value in items:
        entries = headers.setdefault(name.lower(), [])
        if name.lower() == "host":
            entries.clear()  # one Host only: a later one replaces the default
        entries.append({"key": name, "value": value})
    return headers


DERIVERS: dict[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]] = {
    "s3": s3_values,
    "apigw": apigw_values,
    "cloudfront": cloudfront_values,
    **SOURCE_DERIVERS,
}
