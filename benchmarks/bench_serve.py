"""Requests per second and latency through `wasmdeploy serve`, beside a plain http.server.

Both servers run as their own processes and answer the same body; the same
client (16 threads, one keep-alive connection each) loads each in turn, in one
run, so the ratio compares like with like on this machine.

    python benchmarks/bench_serve.py [--requests 4000] [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import wasmtime

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.ports import free_port  # noqa: E402

BODY = b'{"message":"hello"}'
# Exports ABI: the answer sits in a data segment; handle() points at it.
RESPONSE = json.dumps(
    {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": BODY.decode()},
    separators=(",", ":"),
).encode()
WAT_STRING = "".join(f"\\{byte:02x}" for byte in RESPONSE)
HELLO_WAT = f"""
(module
  (memory (export "memory") 1)
  (data (i32.const 64) "{WAT_STRING}")
  (func (export "alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "handle") (param i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const {len(RESPONSE)}))))
"""
MANIFEST = """
service: bench
provider:
  name: aws
  runtime: provided.al2023
functions:
  hello:
    handler: hello.wasm#handle
    sandbox:
      allowedImports: []
    events:
      - httpApi: 'GET /hello'
"""
BASELINE_SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = {body!r}

class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as serve does: no 40 ms delayed-ACK stall per response
    def log_message(self, *args): pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hello)
server.daemon_threads = True
server.serve_forever()
"""


def wait_until_serving(port: int, path: str, process: subprocess.Popen[bytes]) -> None:
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        if process.poll() is not None:
            sys.exit(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path)
            if connection.getresponse().read() == BODY:
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing answered on port {port}")


def load(port: int, path: str, requests: int, clients: int) -> tuple[float, list[float]]:
    """Send `requests` GETs from `clients` threads; return (seconds, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = requests // clients
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        start_gate.wait()
        for _ in range(per_client):
            began = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != 200 or body != BODY:
                raise SystemExit(f"wrong answer {response.status} {body[:80]!r}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(port: int, path: str, requests: int, clients: int) -> dict[str, float]:
    load(port, path, clients * 20, clients)  # warm: every sandbox started, connections open
    seconds, latencies = load(port, path, requests, clients)
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
    }


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=4, help="warm sandboxes in serve")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as directory:
        root = Path(directory)
        (root / "hello.wasm").write_bytes(wasmtime.wat2wasm(HELLO_WAT))
        (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
        (root / "baseline.py").write_text(BASELINE_SERVER.format(body=BODY))
        results: dict[str, dict[str, float]] = {}

        port = free_port()
        baseline = subprocess.Popen(
            [sys.executable, str(root / "baseline.py"), str(port)], stderr=subprocess.PIPE
        )
        try:
            wait_until_serving(port, "/hello", baseline)
            results["python http.server"] = measure(port, "/hello", args.requests, args.clients)
        finally:
            stop(baseline)

        port = free_port()
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wasmdeploy",
                "serve",
                "--port",
                str(port),
                "--aws-port",
                str(free_port()),
                "--concurrency",
                str(args.concurrency),
            ],
            cwd=root,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(port, "/hello", serve)
            results["wasmdeploy serve"] = measure(port, "/hello", args.requests, args.clients)
        finally:
            stop(serve)

    base = results["python http.server"]
    print(
        f"{args.requests} GET requests, {args.clients} concurrent clients, keep-alive, "
        f"CPUs: {os.cpu_count()}"
    )
    print(f"{'server':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'req/s vs baseline':>20}")
    for name, figures in results.items():
        ratio = figures["rps"] / base["rps"]
        print(
            f"{name:<22}{figures['rps']:>10.0f}{figures['p50']:>10.2f}{figures['p99']:>10.2f}"
            f"{ratio:>19.2f}x"
        )


if __name__ == "__main__":
    main()
