"""A persistent HTTP/1.1 client connection over a plain socket, for the Runtime API.

The runtime talks to exactly one local HTTP server. `http.client` would cost
a quarter of a cold start in imports alone (it pulls in `email` and `ssl`), so
this speaks the small part of HTTP/1.1 the Runtime API needs: requests with a
Content-Length body, and responses framed by Content-Length, chunked transfer
coding, or connection close. Any socket or framing error raises
`ConnectionError`, and the caller reconnects. It uses the `_socket` extension
that `socket` wraps: the wrapper's enum conversions alone cost milliseconds at
import, and a connection to one host needs none of them.
"""

from __future__ import annotations

import _socket
from collections.abc import Sequence
from typing import Any

_MAX_LINE = 65536
_MAX_HEADERS = 200


class HttpResponse:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers  # names in lower case
        self.body = body


class HttpConnection:
    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._socket: _socket.socket | None = None
        self._buffer = b""

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            finally:
                self._socket = None
                self._buffer = b""

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> HttpResponse:
        self.send_request(method, path, body, headers)
        return self.read_response(method)

    def send_request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> None:
        """Send a request; its response is read by `read_response`, so the caller can
        work while the server answers."""
        if self._socket is None:
            self._connect()
        assert self._socket is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        if body is not None or method == "POST":
            lines.append(f"Content-Length: {len(body or b'')}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            if body and len(body) < 65536:
                self._socket.sendall(head + body)
            else:
                self._socket.sendall(head)
                if body:
                    self._socket.sendall(body)
        except OSError as error:  # ConnectionError included
            self.close()
            raise ConnectionError(f"{method} {path}: {error}") from error

    def read_response(self, method: str) -> HttpResponse:
        try:
            return self._read_response(method)
        except OSError as error:
            self.close()
            raise ConnectionError(f"{method}: {error}") from error

    def _connect(self) -> None:
        problem: OSError | None = None
        for family, kind, proto, _, address in _addresses(self._host, self._port):
            connection = _socket.socket(family, kind, proto)
            try:
                connection.connect(address)
            except OSError as error:
                connection.close()
                problem = error
                continue
            connection.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            self._socket = connection
            self._buffer = b""
            return
        raise problem or ConnectionError(f"cannot resolve {self._host}")

    def _read_response(self, method: str) -> HttpResponse:
        lines = self._read_head().split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ConnectionError(f"bad HTTP status line {lines[0][:80]!r}")
        if len(lines) > _MAX_HEADERS:
            raise ConnectionError("too many HTTP headers")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self._read_body(method, status, headers)
        keep_alive = headers.get("connection", "").lower() != "close" and parts[0] != "HTTP/1.0"
        if not keep_alive:
            self.close()
        return HttpResponse(status, headers, body)

    def _read_body(self, method: str, status: int, headers: dict[str, str]) -> bytes:
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                raise ConnectionError(f"bad Content-Length {length!r}")
            return self._read_exactly(int(length))
        headers["connection"] = "close"  # the body runs to the end of the connection
        return self._read_to_close()

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size_line = self._read_line().split(";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ConnectionError(f"bad chunk size {size_line[:20]!r}") from None
            if size == 0:
                while self._read_line():  # trailers, up to the blank line
                    pass
                return b"".join(chunks)
            chunks.append(self._read_exactly(size))
            if self._read_line():
                raise ConnectionError("chunk not followed by CRLF")

    def _fill(self) -> None:
        assert self._socket is not None
        data = self._socket.recv(262144)
        if not data:
            raise ConnectionError("the server closed the connection")
        self._buffer += data

    def _read_head(self) -> str:
        """The status line and headers, up to (not including) the blank line."""
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
                return head.decode("latin-1")
            if len(self._buffer) > _MAX_LINE:
                raise ConnectionError("HTTP header block too long")
            self._fill()

    def _read_line(self) -> str:
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
                return line.decode("latin-1")
            if len(self._buffer) > _MAX_LINE:
                raise ConnectionError("HTTP line too long")
            self._fill()

    def _read_exactly(self, size: int) -> bytes:
        if len(self._buffer) >= size:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        parts = [self._buffer]
        have = len(self._buffer)
        self._buffer = b""
        assert self._socket is not None
        while have < size:
            data = self._socket.recv(min(size - have, 1 << 20))
            if not data:
                raise ConnectionError("the server closed the connection mid-body")
            parts.append(data)
            have += len(data)
        return b"".join(parts)

    def _read_to_close(self) -> bytes:
        assert self._socket is not None
        parts = [self._buffer]
        self._buffer = b""
        while True:
            data = self._socket.recv(1 << 20)
            if not data:
                return b"".join(parts)
            parts.append(data)


def _addresses(host: str, port: int) -> Sequence[tuple[int, int, int, str, Any]]:
    """Where to connect. An IP literal (Lambda gives 127.0.0.1) skips `getaddrinfo`, whose
    first call loads the resolver and the IDNA codec: milliseconds of a cold start."""
    for family in (_socket.AF_INET, _socket.AF_INET6):
        try:
            _socket.inet_pton(family, host)
        except OSError:
            continue
        address: tuple[object, ...] = (
            (host, port) if family == _socket.AF_INET else (host, port, 0, 0)
        )
        return [(family, _socket.SOCK_STREAM, 0, "", address)]
    return _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)
