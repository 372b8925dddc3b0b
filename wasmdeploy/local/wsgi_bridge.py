"""A WSGI application (moto's server) behind the emulator's strict HTTP/1.1 server.

Requests reach the application as werkzeug's development server would hand
them over (PEP 3333's environ: the path decoded to bytes-as-latin-1, headers
as `HTTP_*`), but only once `LocalHttpServer` has parsed and checked them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from wasmdeploy.local.local_http import HttpRequest, HttpResponse, LocalHttpServer

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_NOT_HTTP_PREFIXED = {"CONTENT_TYPE", "CONTENT_LENGTH"}


class WsgiServer(LocalHttpServer):
    max_body_bytes = 5 * 1024**3  # S3's largest single PUT
    refuse_other_sites = True  # no web page of another site talks to it

    def __init__(self, address: tuple[str, int], app: WsgiApp) -> None:
        super().__init__(address)
        self.app = app

    def respond_to(self, request: HttpRequest) -> HttpResponse:
        answer: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        result = self.app(self.environ(request), start_response)
        try:
            body = b"".join([*answer.get("written", []), *result])
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status = int(str(answer.get("status", "500")).split(" ", 1)[0])
        return HttpResponse(status, body, list(answer.get("headers", [])))

    def environ(self, request: HttpRequest) -> dict[str, Any]:
        path, _, query = request.target.partition("?")
        host, port = self.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": request.target,
            "REQUEST_URI": request.target,
            "CONTENT_LENGTH": str(len(request.body)),
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": request.client_ip,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers:
            key = name.upper().replace("-", "_")
            if key not in _NOT_HTTP_PREFIXED:
                key = f"HTTP_{key}"
            if key == "CONTENT_LENGTH":
                continue  # the body as h11 decoded it (chunked framing removed) sets it
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ
