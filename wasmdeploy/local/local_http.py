"""What the emulator's HTTP servers share: threaded, quiet, served from a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    poll_interval = 0.5  # seconds; `stop` (shutdown) waits for one poll

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


class LocalHttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients and runtimes reuse one connection
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms ACK stall

    def log_message(self, format: str, *args: object) -> None:
        pass
