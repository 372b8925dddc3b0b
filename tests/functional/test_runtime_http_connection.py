"""The runtime's HTTP/1.1 client against a raw loopback server that frames responses
every way HTTP/1.1 allows (Content-Length, chunked, connection close)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from wasmdeploy_runtime.http_connection import HttpConnection


class ScriptedServer:
    """Accepts connections on 127.0.0.1 and answers each request with the next scripted
    response (raw bytes); records the raw requests it saw."""

    def __init__(self, responses: list[bytes]) -> None:
        self.responses = list(responses)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.responses:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                buffer = b""
                while self.responses:
                    while b"\r\n\r\n" not in buffer:
                        data = connection.recv(65536)
                        if not data:
                            break
                        buffer += data
                    if b"\r\n\r\n" not in buffer:
                        break
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    while len(buffer) < length:
                        buffer += connection.recv(65536)
                    self.requests.append(head + b"\r\n\r\n" + buffer[:length])
                    buffer = buffer[length:]
                    response = self.responses.pop(0)
                    connection.sendall(response)
                    if b"Connection: close" in response.split(b"\r\n\r\n")[0]:
                        break

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def server_factory() -> Iterator[object]:
    servers: list[ScriptedServer] = []

    def make(*responses: bytes) -> ScriptedServer:
        server = ScriptedServer(list(responses))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def test_content_length_responses_reuse_one_connection(server_factory) -> None:
    server = server_factory(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Id: a\r\n\r\nhello",
        b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok",
    )
    connection = HttpConnection("127.0.0.1", server.port)
    first = connection.request("GET", "/next", None, {})
    second = connection.request("POST", "/response", b'{"a": 1}', {"X-Type": "t"})
    assert (first.status, first.body, first.headers["x-id"]) == (200, b"hello", "a")
    assert (second.status, second.body) == (202, b"ok")
    assert server.connections == 1
    assert server.requests[1].endswith(b'\r\n\r\n{"a": 1}')
    assert b"Content-Length: 8" in server.requests[1]
    assert b"X-Type: t" in server.requests[1]


def test_chunked_response_body_is_reassembled(server_factory) -> None:
    server = server_factory(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext",
    )
    connection = HttpConnection("127.0.0.1", server.port)
    assert connection.request("GET", "/", None, {}).body == b"Wikipedia in \r\n\r\nchunks."
    assert connection.request("GET", "/", None, {}).body == b"next"
    assert server.connections == 1


def test_body_delimited_by_close_is_read_to_the_end_and_the_next_request_reconnects(
    server_factory,
) -> None:
    server = server_factory(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain",
    )
    connection = HttpConnection("127.0.0.1", server.port)
    assert connection.request("GET", "/", None, {}).body == b"until the end"
    assert connection.request("GET", "/", None, {}).body == b"again"
    assert server.connections == 2


def test_large_body_arrives_whole(server_factory) -> None:
    body = bytes(range(256)) * 40000  # 10 MB
    server = server_factory(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    response = HttpConnection("127.0.0.1", server.port).request("GET", "/", None, {})
    assert response.body == body


def test_refused_connection_and_garbage_are_connection_errors(server_factory) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(ConnectionError):
        HttpConnection("127.0.0.1", port).request("GET", "/", None, {})
    server = server_factory(b"SMTP ready\r\n\r\n")
    with pytest.raises(ConnectionError, match="status line"):
        HttpConnection("127.0.0.1", server.port).request("GET", "/", None, {})


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_host_names_and_ip_literals_both_connect(server_factory, host: str) -> None:
    server = server_factory(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
    response = HttpConnection(host, server.port).request("GET", "/", None, {})
    assert (response.status, response.body) == (200, b"hi")
