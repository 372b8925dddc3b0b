"""The local API Gateway's HTTP server: request -> route -> event -> warm sandbox -> response."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from wasmdeploy.errors import UserError
from wasmdeploy.local.apigw.responses import (
    HttpResponse,
    api_error,
    map_response,
    map_response_error,
)
from wasmdeploy.local.apigw.router import NoRoute, Preflight, RouteMatch, Router
from wasmdeploy.local.events.catalog import render_event
from wasmdeploy.local.http_bodies import BodyTooLarge, read_body
from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES
from wasmdeploy.local.local_http import LocalHttpHandler, LocalHttpServer
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.manifest.model import Service

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
DISCARD_LIMIT = 64 * 1024 * 1024  # past this, a refused body is not read: the connection drops
CORS_ALLOW_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

Notice = Callable[[str], None]


class ApiGatewayServer(LocalHttpServer):
    request_queue_size = 256  # many clients connect at once; the default backlog (5) drops them

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
        super().__init__((host, port), _ApiGatewayHandler)

    def respond(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        client_ip: str,
    ) -> HttpResponse:
        parts = urlsplit(target)
        raw_path = parts.path or "/"
        match = self.router.match(method, unquote(raw_path))
        if isinstance(match, NoRoute):
            return api_error(match.status, match.message)
        if isinstance(match, Preflight):
            return _preflight(match)
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


class _ApiGatewayHandler(LocalHttpHandler):
    server: ApiGatewayServer

    def _handle(self) -> None:
        try:
            body = read_body(self.rfile, self.headers.get, MAX_REQUEST_BYTES)
        except BodyTooLarge as error:
            if (self.headers.get("Transfer-Encoding") or "").lower() != "chunked":
                self._discard(int(error.args[0]))
            self.close_connection = True
            self._write(api_error(413, "Request Entity Too Large"))
            return
        try:
            response = self.server.respond(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
        except Exception:
            self.server.notice(traceback.format_exc())
            response = api_error(500, "Internal Server Error")
        self._write(response)

    def _discard(self, length: int) -> None:
        """Read the refused body, so the client sees the 413 instead of a reset connection."""
        remaining = min(length, DISCARD_LIMIT)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                return
            remaining -= len(chunk)

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle
