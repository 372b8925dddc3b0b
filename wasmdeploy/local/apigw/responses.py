"""A function's answer as API Gateway turns it into an HTTP response.

Payload 2.0 (HTTP APIs): an object with `statusCode` gives the status,
`headers`, `cookies`, `body` and `isBase64Encoded`; any other valid JSON is a
200 `application/json` body; anything else is a 500. Payload 1.0 (REST
APIs): the object with `statusCode` is required (else 502), `headers` and
`multiValueHeaders` are merged. A function error is API Gateway's 500 (HTTP
API) or 502 (REST API); a response over Lambda's 6 MB is a 502.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from wasmdeploy.local.local_http import HttpResponse
from wasmdeploy.local.runtime_api import RESPONSE_TOO_LARGE
from wasmdeploy.local.runtime_session import InvocationOutcome

__all__ = ["HttpResponse", "MalformedResponse", "api_error", "map_response", "map_response_error"]


class MalformedResponse(ValueError):
    pass


def api_error(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, body, [("Content-Type", "application/json")])


def map_response_error(payload_version: str) -> HttpResponse:
    """API Gateway's answer when the function fails: 500 (HTTP API) or 502 (REST API)."""
    if payload_version == "2.0":
        return api_error(500, "Internal Server Error")
    return api_error(502, "Internal server error")


def map_response(outcome: InvocationOutcome, payload_version: str) -> HttpResponse:
    if outcome.invocation.error_type == RESPONSE_TOO_LARGE:
        return api_error(502, "Internal Server Error")
    if outcome.function_error:
        return map_response_error(payload_version)
    try:
        if payload_version == "2.0":
            return _map_v2(outcome.payload)
        return _map_v1(outcome.payload)
    except MalformedResponse:
        return map_response_error(payload_version)


def _map_v2(payload: bytes) -> HttpResponse:
    try:
        document = json.loads(payload)
    except ValueError as error:
        raise MalformedResponse("the response is not JSON") from error
    if not isinstance(document, dict) or "statusCode" not in document:
        return HttpResponse(200, payload, [("Content-Type", "application/json")])
    response = _structured(document)
    for cookie in document.get("cookies") or []:
        response.headers.append(("Set-Cookie", str(cookie)))
    _default_content_type(response)
    return response


def _map_v1(payload: bytes) -> HttpResponse:
    try:
        document = json.loads(payload)
    except ValueError as error:
        raise MalformedResponse("the response is not JSON") from error
    if not isinstance(document, dict) or "statusCode" not in document:
        raise MalformedResponse("a REST API response needs statusCode")
    response = _structured(document)
    multi = document.get("multiValueHeaders") or {}
    if not isinstance(multi, dict):
        raise MalformedResponse("multiValueHeaders must be an object")
    single = {name.lower() for name, _ in response.headers}
    for name, values in multi.items():
        if name.lower() in single:
            continue
        for value in values if isinstance(values, list) else [values]:
            response.headers.append((str(name), _header_value(value)))
    _default_content_type(response)
    return response


def _structured(document: dict[str, Any]) -> HttpResponse:
    try:
        status = int(document["statusCode"])
    except (TypeError, ValueError) as error:
        raise MalformedResponse("statusCode must be a number") from error
    if not 100 <= status <= 599:
        raise MalformedResponse("statusCode out of range")
    headers = document.get("headers") or {}
    if not isinstance(headers, dict):
        raise MalformedResponse("headers must be an object")
    body = document.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    elif document.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedResponse("body is not base64") from error
    else:
        data = body.encode("utf-8")
    pairs = [(str(name), _header_value(value)) for name, value in headers.items()]
    return HttpResponse(status, data, pairs)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _default_content_type(response: HttpResponse) -> None:
    if not any(name.lower() == "content-type" for name, _ in response.headers):
        response.headers.append(("Content-Type", "application/json"))
