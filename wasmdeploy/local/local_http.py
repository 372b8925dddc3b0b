"""What the emulator's HTTP servers share: strict HTTP/1.1 (h11) on a thread per connection.

h11's state machine parses every request; on top of it a request is refused
as a strict server refuses it: 400 for `Content-Length` beside
`Transfer-Encoding` or a repeated `Content-Length`, a bad length or chunk,
403 for a Host name that is not local (see local_origins), 413 when the
declared length is over the server's limit (before reading any of it) or a
chunked body grows past it (reading stops there), 431 for headers over
`max_header_bytes`. A refused request closes its connection. Subclasses
answer requests in `respond_to`.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus

import h11

from wasmdeploy.local.local_origins import cross_site, host_allowed, local_names

MAX_HEADER_BYTES = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"\ncontent-length:([^\r\n]*)", re.IGNORECASE)
LINGER_SECONDS = 2.0  # after refusing a body: how long unread bytes are drained (no RST)
LINGER_BYTES = 16 * 1024 * 1024


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]  # as sent, names in their original case
    body: bytes
    client_ip: str

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LocalHttpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    poll_interval = 0.5  # seconds; `stop` (shutdown) waits for one poll
    request_queue_size = 128
    max_body_bytes = 6 * 1024 * 1024
    max_header_bytes = MAX_HEADER_BYTES
    idle_timeout: float | None = 120.0  # seconds a keep-alive connection may sit unused
    refuse_other_sites = False  # for servers no web page should call

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Connection)
        self.allowed_hosts = local_names(address[0])

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        threading.Thread(target=self.serve_forever, args=(self.poll_interval,), daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-request (or a runtime killed by a timeout): expected

    def respond_to(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    def refusal(self, status: int, reason: str, head: h11.Request | None) -> HttpResponse:
        """The answer to a request refused before `respond_to`; subclasses give it their format."""
        return HttpResponse(status, reason.encode(), [("Content-Type", "text/plain")])

    def invalid_response(self, reason: str) -> HttpResponse:
        """What goes out instead of a response that is not valid HTTP (a header with CR/LF)."""
        return HttpResponse(502, b"Bad Gateway", [("Content-Type", "text/plain")])

    def check_head(self, head: h11.Request) -> None:
        """Refuse what h11 lets through but a strict server does not."""
        names = {name for name, _ in head.headers}
        if b"transfer-encoding" in names and b"content-length" in names:
            raise Refused(400, "Content-Length and Transfer-Encoding together")
        host = _header(head, b"host")
        if not host_allowed(host, self.allowed_hosts):
            raise Refused(403, f"Host {host!r} is not a local name")
        origin, site = _header(head, b"origin"), _header(head, b"sec-fetch-site")
        if self.refuse_other_sites and cross_site(origin, site, self.allowed_hosts):
            raise Refused(403, "requests from web pages of other sites are refused")
        length = _header(head, b"content-length")
        if length is not None and int(length) > self.max_body_bytes:
            raise Refused(413, f"the body is over {self.max_body_bytes} bytes")


class _Connection(socketserver.BaseRequestHandler):
    server: LocalHttpServer
    request: socket.socket

    def handle(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(self.server.idle_timeout)
        connection = h11.Connection(
            h11.SERVER, max_incomplete_event_size=self.server.max_header_bytes
        )
        while True:
            head: h11.Request | None = None
            try:
                head = self._read_head(connection)
                if head is None:
                    return
                self.server.check_head(head)
                body = self._read_body(connection, head)
            except (h11.RemoteProtocolError, Refused) as error:
                status = error.status if isinstance(error, Refused) else error.error_status_hint
                self._refuse(connection, self.server.refusal(status, str(error), head))
                return
            except (OSError, h11.LocalProtocolError):
                return
            request = HttpRequest(
                method=head.method.decode("ascii"),
                target=head.target.decode("iso-8859-1"),
                headers=[
                    (n.decode("iso-8859-1"), v.decode("iso-8859-1"))
                    for n, v in head.headers.raw_items()
                ],
                body=body,
                client_ip=self.client_address[0],
            )
            try:
                response = self.server.respond_to(request)
            except Exception:
                response = HttpResponse(500, b"Internal Server Error")
            try:
                self._send(connection, response, head.method)
            except (OSError, h11.LocalProtocolError):
                return
            if connection.our_state is h11.MUST_CLOSE:
                return
            try:
                connection.start_next_cycle()
            except h11.LocalProtocolError:
                return

    def _receive(self, connection: h11.Connection) -> None:
        connection.receive_data(self.request.recv(65536))

    def _read_head(self, connection: h11.Connection) -> h11.Request | None:
        received = [connection.trailing_data[0]]  # what h11 holds of this request already
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                data = self.request.recv(65536)
                received.append(data)
                connection.receive_data(data)
                continue
            if not isinstance(event, h11.Request):
                return None  # ConnectionClosed (or a client that sent nothing)
            # The raw head, to see what h11 forgives: a head larger than one read (h11 bounds
            # only incomplete ones) and Content-Length repeated or listed (h11 merges them).
            large = sum(map(len, received)) > self.server.max_header_bytes
            if large or any(name == b"content-length" for name, _ in event.headers):
                seen = b"".join(received)
                head = seen[: len(seen) - len(connection.trailing_data[0])]
                if len(head) > self.server.max_header_bytes:
                    raise Refused(431, f"the headers are over {self.server.max_header_bytes} bytes")
                lengths = _CONTENT_LENGTH.findall(head)
                if len(lengths) > 1 or any(not value.strip().isdigit() for value in lengths):
                    raise Refused(400, "more than one Content-Length")
            return event

    def _read_body(self, connection: h11.Connection, head: h11.Request) -> bytes:
        if connection.client_is_waiting_for_100_continue:
            self.request.sendall(
                connection.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                self._receive(connection)
            elif isinstance(event, h11.Data):
                total += len(event.data)
                if total > self.server.max_body_bytes:
                    raise Refused(413, f"the body is over {self.server.max_body_bytes} bytes")
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return b"".join(chunks)
            else:  # the client closed mid-body
                raise OSError("connection closed before the end of the body")

    def _send(self, connection: h11.Connection, response: HttpResponse, method: bytes) -> None:
        close = connection.their_state is not h11.DONE
        try:
            head = _response_head(response, close=close, head_request=method == b"HEAD")
        except (h11.LocalProtocolError, UnicodeEncodeError) as error:
            response = self.server.invalid_response(str(error))
            head = _response_head(response, close=close)
        out = connection.send(head) or b""
        if method != b"HEAD" and response.body:
            out += connection.send(h11.Data(data=response.body)) or b""
        out += connection.send(h11.EndOfMessage()) or b""
        self.request.sendall(out)

    def _refuse(self, connection: h11.Connection, response: HttpResponse) -> None:
        """Answer, then drain what the client still sends for a while, so it reads the answer."""
        with contextlib.suppress(OSError, h11.LocalProtocolError):
            if connection.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                self._send(connection, response, b"GET")
            else:
                self.request.sendall(_raw_response(response))
            self.request.shutdown(socket.SHUT_WR)
            self.request.settimeout(0.2)
            give_up, drained = time.monotonic() + LINGER_SECONDS, 0
            while time.monotonic() < give_up and drained < LINGER_BYTES:
                data = self.request.recv(65536)
                if not data:
                    break
                drained += len(data)


def _response_head(
    response: HttpResponse, *, close: bool, head_request: bool = False
) -> h11.Response:
    """The status line and headers, as h11 validates them (no CR or LF inside a value).

    The length is the body's, except in the answer to HEAD: the length a GET would have.
    """
    framing = ("content-length", "connection", "transfer-encoding")
    headers = [
        (name.encode("ascii"), value.strip(" \t").encode("utf-8"))
        for name, value in response.headers
        if name.lower() not in framing
    ]
    declared = next((v for n, v in response.headers if n.lower() == "content-length"), None)
    length = declared.strip() if head_request and declared else str(len(response.body))
    headers.append((b"Content-Length", length.encode("ascii")))
    if close:
        headers.append((b"Connection", b"close"))
    return h11.Response(status_code=response.status, headers=headers, reason=_reason(response))


def _header(head: h11.Request, name: bytes) -> str | None:
    value = next((v for n, v in head.headers if n == name), None)
    return None if value is None else value.decode("iso-8859-1")


def _raw_response(response: HttpResponse) -> bytes:
    """A response written without h11, for a connection its state machine has given up on."""
    lines = [f"HTTP/1.1 {response.status} {_reason(response)}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("iso-8859-1") + response.body


def _reason(response: HttpResponse) -> str:
    try:
        return HTTPStatus(response.status).phrase
    except ValueError:
        return ""
