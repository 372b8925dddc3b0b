"""The local API Gateway's HTTP server: request -> route -> event -> warm sandbox -> response."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from wasmdeploy.errors import UserError
from wasmdeploy.local.apigw.responses import (
    api_error,
    map_response,
    map_response_error,
)
from wasmdeploy.local.apigw.router import NoRoute, Preflight, RouteMatch, Router
from wasmdeploy.local.events.catalog import render_event
from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES
from wasmdeploy.local.local_http import HttpRequest, HttpResponse, LocalHttpServer
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.request_log import ServedRequest
from wasmdeploy.manifest.model import Service

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
CORS_ALLOW_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

Notice = Callable[[str], None]


class ApiGatewayServer(LocalHttpServer):
    request_queue_size = 256  # many clients connect at once; the default backlog (5) drops them
    max_body_bytes = MAX_REQUEST_BYTES

    def __init__(
        self,
        service: Service,
        pools: Mapping[str, FunctionPool],
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        notice: Notice = lambda line: None,
    ) -> None:
        self.service = service
        self.router = Router(service)
        self.pools = pools
        self.notice = notice
        super().__init__((host, port))

    def respond_to(self, request: HttpRequest) -> HttpResponse:
        served = ServedRequest(request.method, request.target)
        try:
            response = self.respond(
                request.method,
                request.target,
                request.headers,
                request.body,
                request.client_ip,
                served=served,
            )
        except Exception:
            self.notice(traceback.format_exc())
            response = api_error(500, "Internal Server Error")
        self.notice(served.line(response.status))
        return response

    def refusal(self, status: int, reason: str, head: object) -> HttpResponse:
        """API Gateway's JSON error shape; the reason goes to the log."""
        self.notice(f"refused a request: {status} {reason}")
        if status == 413:
            return api_error(413, "Request Entity Too Large")
        return api_error(status, "Forbidden" if status == 403 else "Bad Request")

    def invalid_response(self, reason: str) -> HttpResponse:
        self.notice(f"the function's response is not valid HTTP ({reason}): answering 502")
        return api_error(502, "Internal server error")

    def respond(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        client_ip: str,
        *,
        served: ServedRequest | None = None,
    ) -> HttpResponse:
        parts = urlsplit(target)
        raw_path = parts.path or "/"
        match = self.router.match(method, unquote(raw_path))
        if isinstance(match, NoRoute):
            return api_error(match.status, match.message)
        if isinstance(match, Preflight):
            return _preflight(match)
        if served is not None:
            served.function = match.function.name
        payload_version = match.route.payload_version
        event = self._event(match, method, raw_path, parts.query, headers, body, client_ip)
        payload = json.dumps(event).encode()
        if len(payload) > MAX_PAYLOAD_BYTES:
            self.notice(
                f"{match.function.name}: the event is {len(payload)} bytes, over Lambda's "
                f"{MAX_PAYLOAD_BYTES}-byte invoke limit"
            )
            return map_response_error(payload_version)
        pool = self.pools[match.function.name]
        try:
            outcome = pool.invoke(payload)
        except UserError as error:
            self.notice(f"{match.function.name}: {error.message}")
            return map_response_error(payload_version)
        response = map_response(outcome, payload_version)
        if match.route.cors:
            response.headers.append(("Access-Control-Allow-Origin", "*"))
        return response

    def _event(
        self,
        match: RouteMatch,
        method: str,
        raw_path: str,
        raw_query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        client_ip: str,
    ) -> Any:
        host = next((value for name, value in headers if name.lower() == "host"), None)
        params: dict[str, Any] = {
            "method": method,
            "path": raw_path,
            "header": headers,
            "query": parse_qsl(raw_query, keep_blank_values=True),
            "raw_query": raw_query,
            "body_bytes": body,
            "source_ip": client_ip,
            "domain_name": host,
            "path_parameters": match.path_parameters,
        }
        if match.route.kind == "httpApi":
            params["route"] = None if match.route.path == "$default" else match.route.path
            params["route_key"] = match.route.route_key
            return render_event("apigw", "http", params)
        params["route"] = match.route.path
        params["stage"] = self.service.stage
        return render_event("apigw", "rest", params)


def _preflight(match: Preflight) -> HttpResponse:
    methods = ",".join(["OPTIONS", *(m for m in match.methods if m != "OPTIONS")])
    if "ANY" in match.methods:
        methods = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    return HttpResponse(
        200,
        b"",
        [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
            ("Access-Control-Allow-Methods", methods),
        ],
    )
