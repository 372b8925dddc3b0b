"""The local servers (serve's API Gateway, start-lambda's Invoke API, the Runtime API and
the local AWS) parse HTTP/1.1 strictly, over raw sockets: one answer per request,
malformed framing refused with 400 / 413 / 431, limits checked before the body is read,
only local Host names, and no request a web page of another site makes on the APIs no
page should call."""

from __future__ import annotations

import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_emulation_support import make_function, make_service
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from wasmdeploy.local.apigw.server import ApiGatewayServer
from wasmdeploy.local.lambda_invoke_api import LambdaInvokeServer
from wasmdeploy.local.local_aws import without_admin_api
from wasmdeploy.local.local_http import LocalHttpServer
from wasmdeploy.local.runtime_api import RuntimeApiServer
from wasmdeploy.local.wsgi_bridge import WsgiServer
from wasmdeploy.manifest.model import HttpRoute

# A request each server answers without a function behind it, and that answer's status.
PROBES = {
    "apigw": (b"GET /nowhere", 404),
    "invoke": (b"POST /2015-03-31/functions/nothing/invocations", 404),
    "runtime": (b"POST /2018-06-01/runtime/init/error", 202),
    "aws": (b"GET /", 200),  # the local AWS: S3's ListBuckets
}
SMALL_LIMIT = 4096  # bytes; set on each server so the limit tests stay fast


def make_server(kind: str, root: Path) -> LocalHttpServer:
    route = HttpRoute(kind="httpApi", method="GET", path="/hello")
    service = make_service(root, make_function(root, routes=[route]))
    if kind == "apigw":
        return ApiGatewayServer(service, {}, port=0)
    if kind == "invoke":
        return LambdaInvokeServer(service, {}, port=0)
    if kind == "aws":
        app = DomainDispatcherApplication(create_backend_app)
        return WsgiServer(("127.0.0.1", 0), without_admin_api(app))
    return RuntimeApiServer(port=0)


@pytest.fixture(params=sorted(PROBES))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalHttpServer]:
    server = make_server(request.param, tmp_path)
    server.kind = request.param  # type: ignore[attr-defined]
    server.poll_interval = 0.02  # a quick stop
    server.start()
    yield server
    server.stop()


def exchange(server: LocalHttpServer, data: bytes, *, wait: float = 2.0) -> bytes:
    """Send `data`, half-close, and read everything the server answers within `wait` seconds."""
    with socket.create_connection(server.server_address[:2], timeout=wait) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        give_up = time.monotonic() + wait
        while time.monotonic() < give_up:
            try:
                data = connection.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not data:
                break
            answer += data
        return answer


def statuses(answer: bytes) -> list[int]:
    """The status of each response in `answer` (the bodies here are JSON or short text)."""
    return [int(status) for status in re.findall(rb"HTTP/1\.[01] (\d{3}) ", answer)]


def head(server: LocalHttpServer, *headers: bytes, body: bytes = b"") -> bytes:
    line, _ = PROBES[server.kind]  # type: ignore[attr-defined]
    return line + b" HTTP/1.1\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


HOST = b"Host: 127.0.0.1"


def test_a_well_formed_request_gets_its_answer(server: LocalHttpServer) -> None:
    _, expected = PROBES[server.kind]  # type: ignore[attr-defined]
    answer = exchange(server, head(server, HOST, b"Content-Length: 2", body=b"{}"))
    assert statuses(answer) == [expected]


def test_pipelined_requests_get_one_answer_each_in_order(server: LocalHttpServer) -> None:
    _, expected = PROBES[server.kind]  # type: ignore[attr-defined]
    one = head(server, HOST, b"Content-Length: 0")
    assert statuses(exchange(server, one * 3)) == [expected] * 3


def test_content_length_beside_chunked_is_refused_and_the_smuggled_request_not_answered(
    server: LocalHttpServer,
) -> None:
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    request = head(
        server,
        HOST,
        f"Content-Length: {len(body)}".encode(),
        b"Transfer-Encoding: chunked",
        body=body,
    )
    assert statuses(exchange(server, request)) == [400]


@pytest.mark.parametrize(
    "lengths",
    [
        (b"Content-Length: 2", b"Content-Length: 2"),
        (b"Content-Length: 2", b"Content-Length: 7"),
        (b"Content-Length: 2, 2",),
    ],
    ids=["same", "different", "list"],
)
def test_a_repeated_content_length_is_refused(
    server: LocalHttpServer, lengths: tuple[bytes, ...]
) -> None:
    assert statuses(exchange(server, head(server, HOST, *lengths, body=b"{}"))) == [400]


@pytest.mark.parametrize("value", [b"-1", b"abc", b"1e3", b"0x10", b"+5", b" "])
def test_a_bad_content_length_is_answered_400_at_once(
    server: LocalHttpServer, value: bytes
) -> None:
    began = time.monotonic()
    answer = exchange(server, head(server, HOST, b"Content-Length: " + value), wait=5)
    assert statuses(answer) == [400]
    assert time.monotonic() - began < 2  # answered, not left hanging


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhelloXX0\r\n\r\n", b"-5\r\nhello\r\n0\r\n\r\n"],
    ids=["not-hex", "no-crlf", "negative"],
)
def test_a_bad_chunk_is_answered_400(server: LocalHttpServer, chunks: bytes) -> None:
    request = head(server, HOST, b"Transfer-Encoding: chunked", body=chunks)
    assert statuses(exchange(server, request)) == [400]


def test_an_unsupported_transfer_coding_is_refused(server: LocalHttpServer) -> None:
    request = head(server, HOST, b"Transfer-Encoding: gzip, chunked", body=b"0\r\n\r\n")
    assert statuses(exchange(server, request))[0] in (400, 501)


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    server: LocalHttpServer,
) -> None:
    server.max_body_bytes = SMALL_LIMIT
    request = head(server, HOST, f"Content-Length: {300 * 1024 * 1024}".encode())
    began = time.monotonic()
    assert statuses(exchange(server, request)) == [413]  # no byte of the body was sent
    assert time.monotonic() - began < 2


def chunk_until_answered(server: LocalHttpServer, piece: int, most: int) -> tuple[int, bytes]:
    """Stream a chunked body `piece` bytes at a time until the server answers (or `most` sent)."""
    chunk = f"{piece:x}\r\n".encode() + b"x" * piece + b"\r\n"
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(head(server, HOST, b"Transfer-Encoding: chunked"))
        sent = 0
        while sent < most and not select.select([connection], [], [], 0.002)[0]:
            try:
                connection.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server stopped reading: its answer is waiting
            sent += piece
        return sent, connection.recv(65536)


def test_a_chunked_body_growing_past_the_limit_is_refused_while_it_arrives(
    server: LocalHttpServer,
) -> None:
    server.max_body_bytes = SMALL_LIMIT
    sent, answer = chunk_until_answered(server, 1024, 256 * SMALL_LIMIT)
    assert statuses(answer) == [413]
    assert sent < 64 * SMALL_LIMIT  # refused while the body arrives, not once all of it is read


def test_headers_over_the_limit_get_431(server: LocalHttpServer) -> None:
    request = head(server, HOST, b"X-Padding: " + b"a" * (80 * 1024))
    assert statuses(exchange(server, request)) == [431]


@pytest.mark.parametrize(
    "host", [b"attacker.example", b"attacker.example:3000", b"127.0.0.1.nip.io", b"0.0.0.0"]
)
def test_a_host_that_is_not_local_is_refused(server: LocalHttpServer, host: bytes) -> None:
    request = head(server, b"Host: " + host, b"Content-Length: 0")
    assert statuses(exchange(server, request)) == [403]


@pytest.mark.parametrize("host", [b"localhost", b"LOCALHOST:3000", b"127.0.0.1:1", b"[::1]:3000"])
def test_local_host_names_are_served(server: LocalHttpServer, host: bytes) -> None:
    _, expected = PROBES[server.kind]  # type: ignore[attr-defined]
    request = head(server, b"Host: " + host, b"Content-Length: 0")
    assert statuses(exchange(server, request)) == [expected]


def test_a_request_line_that_is_not_http_gets_400(server: LocalHttpServer) -> None:
    assert statuses(exchange(server, b"HELLO\r\n\r\n")) == [400]


@pytest.mark.parametrize("kind", ["invoke", "runtime", "aws"])
@pytest.mark.parametrize(
    "browser",
    [b"Origin: https://attacker.example", b"Sec-Fetch-Site: cross-site", b"Origin: null"],
)
def test_apis_no_page_should_call_refuse_other_sites(
    kind: str, browser: bytes, tmp_path: Path
) -> None:
    server = make_server(kind, tmp_path)
    server.kind = kind  # type: ignore[attr-defined]
    server.start()
    try:
        request = head(server, HOST, browser, b"Content-Length: 0")
        assert statuses(exchange(server, request)) == [403]
        local = head(server, HOST, b"Origin: http://localhost:3000", b"Content-Length: 0")
        assert statuses(exchange(server, local)) == [PROBES[kind][1]]
    finally:
        server.stop()


def test_the_api_gateway_answers_pages_of_other_sites_as_cors_allows(
    tmp_path: Path,
) -> None:
    server = make_server("apigw", tmp_path)
    server.kind = "apigw"  # type: ignore[attr-defined]
    server.start()
    try:
        request = head(server, HOST, b"Origin: https://app.example", b"Content-Length: 0")
        assert statuses(exchange(server, request)) == [404]
    finally:
        server.stop()


def test_start_lambda_refuses_a_300_mb_chunked_body_at_its_own_limit(tmp_path: Path) -> None:
    server = make_server("invoke", tmp_path)
    server.kind = "invoke"  # type: ignore[attr-defined]
    server.start()
    try:
        sent, answer = chunk_until_answered(server, 256 * 1024, 300 * 1024 * 1024)
        assert statuses(answer) == [413]
        assert b"RequestEntityTooLargeException" in answer
        assert sent < server.max_body_bytes + 4 * 1024 * 1024
    finally:
        server.stop()
