"""Key-value store calls from a guest, against the same calls made from Python.

For each backend (the local SQLite file, and DynamoDB on moto's server) and
each operation (get, set, increment, compare_and_swap, list_keys), a module
makes N calls in a loop inside one invocation, through the `wasmdeploy_kv` host
imports; the baseline makes the same N calls directly on the same backend
object from Python, in the same run (alternating, best of three rounds each).
The invocation's own cost (the same module making no call) is subtracted, so
the figures are per store call:

- ops/s through the host imports, and directly from Python;
- the ratio (host / direct; 1.0 means the imports add nothing);
- the added cost per call in microseconds (pointer checks, memory copies, the
  grant lookup, counting and the deadline check). Goal: <= 10 us. On moto a
  call takes milliseconds of HTTP and moto's own work, so there the added cost
  is within the noise and the ratio is the figure to read.

    python benchmarks/bench_kv.py [--calls 20000] [--dynamodb-calls 300] [--no-dynamodb]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "runtime-layer"))

import wasmtime  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from wasmdeploy_runtime.config import FunctionConfig  # noqa: E402
from wasmdeploy_runtime.function import WasmFunction  # noqa: E402
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE, KvBackend, KvGrant  # noqa: E402

from tests.functional.kv_modules import KV_IMPORTS_WAT  # noqa: E402

OPS = ["get", "set", "increment", "compare_and_swap", "list_keys"]
VALUE = b"value-0123456789"
LISTED_KEYS = 10
ROUNDS = 3

# handle(ptr, len): the event is (op: i32, n: i32); makes n calls of op, answers nothing.
BENCH_MODULE = f"""(module {KV_IMPORTS_WAT}
  (memory (export "memory") 2)
  (data (i32.const 0) "default")
  (data (i32.const 16) "k")
  (data (i32.const 20) "n")
  (data (i32.const 32) "value-0123456789")
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "handle") (param $p i32) (param $len i32) (result i64)
    (local $op i32) (local $n i32) (local $i i32)
    (local.set $op (i32.load (local.get $p)))
    (local.set $n (i32.load offset=4 (local.get $p)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $x
          (block $l (block $c (block $inc (block $s (block $g
            (br_table $g $s $inc $c $l $x (local.get $op)))
            (drop (call $get (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 1)
                             (i32.const 4096) (i32.const 256)))
            (br $x))
            (drop (call $set (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 1)
                             (i32.const 32) (i32.const 16)))
            (br $x))
            (drop (call $increment (i32.const 0) (i32.const 7) (i32.const 20) (i32.const 1)
                                   (i64.const 1) (i32.const 64)))
            (br $x))
            (drop (call $cas (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 1)
                             (i32.const 32) (i32.const 16) (i32.const 32) (i32.const 16)))
            (br $x))
          (drop (call $list (i32.const 0) (i32.const 7) (i32.const 0) (i32.const 0)
                            (i32.const 0) (i32.const 0) (i32.const 8192) (i32.const 16384))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.const 0)))
"""


def event(op: int, calls: int) -> bytes:
    return op.to_bytes(4, "little") + calls.to_bytes(4, "little")


def direct_call(backend: KvBackend, grant: KvGrant, op: str) -> Callable[[], object]:
    """The same call as the module's, made on the backend from Python."""
    calls: dict[str, Callable[[], object]] = {
        "get": lambda: backend.get(grant, "k", None),
        "set": lambda: backend.set(grant, "k", VALUE, None),
        "increment": lambda: backend.increment(grant, "n", 1, None),
        "compare_and_swap": lambda: backend.compare_and_swap(grant, "k", VALUE, VALUE, None),
        "list_keys": lambda: backend.list_keys(grant, "", "", None),
    }
    return calls[op]


def seconds_per_direct_call(call: Callable[[], object], calls: int) -> float:
    for _ in range(min(calls // 10, 100)):
        call()
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def seconds_per_host_call(function: WasmFunction, op: int, calls: int) -> float:
    def invoke(count: int) -> float:
        started = time.perf_counter()
        result = function.invoke(event(op, count))
        elapsed = time.perf_counter() - started
        function.after_response()
        if result.error is not None:
            raise RuntimeError(str(result.error))
        return elapsed

    invoke(min(calls // 10, 100))  # warm-up
    empty = min(invoke(0) for _ in range(20))
    return (invoke(calls) - empty) / calls


def measure(name: str, grant: KvGrant, calls: int, module: Path) -> list[tuple[str, ...]]:
    config = FunctionConfig(
        "bench", f"{module.name}#handle", module, "handle", kv={grant.store: grant}
    )
    function = WasmFunction(config, log=lambda _d: None, metrics=lambda _d: None)
    function.invoke(event(len(OPS), 0))  # opens the backend
    backend = function.sandbox.prepared.kv.backend  # type: ignore[union-attr]
    backend.set(grant, "k", VALUE, None)
    for index in range(LISTED_KEYS):
        backend.set(grant, f"key-{index:02}", VALUE, None)
    rows = []
    for index, op in enumerate(OPS):
        # Alternating rounds, best of each: other load on the machine hits both sides alike.
        host, direct = float("inf"), float("inf")
        for _ in range(ROUNDS):
            host = min(host, seconds_per_host_call(function, index, calls))
            direct = min(direct, seconds_per_direct_call(direct_call(backend, grant, op), calls))
        rows.append(
            (
                name,
                op,
                f"{1 / host:,.0f}",
                f"{1 / direct:,.0f}",
                f"{direct / host:.2f}",
                f"{(host - direct) * 1e6:+.1f}",
            )
        )
    function.close()
    return rows


def dynamodb_backend(calls: int, module: Path) -> list[tuple[str, ...]]:
    import boto3
    from moto.server import ThreadedMotoServer

    from wasmdeploy.local.kv_local import create_tables

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        {
            BACKEND_VARIABLE: "dynamodb",
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        create_tables(boto3.client("dynamodb", endpoint_url=endpoint), ["bench-dev-default"])
        return measure("DynamoDB (moto)", KvGrant("default", "bench-dev-default"), calls, module)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per op on SQLite")
    parser.add_argument("--dynamodb-calls", type=int, default=300, help="calls per op on moto")
    parser.add_argument("--no-dynamodb", action="store_true", help="SQLite only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kv-") as temporary:
        module = Path(temporary) / "bench.wasm"
        module.write_bytes(wasmtime.wat2wasm(BENCH_MODULE))
        os.environ[BACKEND_VARIABLE] = f"sqlite:{Path(temporary) / 'kv.sqlite3'}"
        rows = measure("SQLite", KvGrant("default", "bench-dev-default"), args.calls, module)
        if not args.no_dynamodb:
            rows += dynamodb_backend(args.dynamodb_calls, module)
    table = Table(title="Key-value store calls: through the host imports vs direct from Python")
    for column in ("backend", "op", "host ops/s", "direct ops/s", "host/direct", "added µs/call"):
        table.add_column(column, justify="left" if column in ("backend", "op") else "right")
    for row in rows:
        table.add_row(*row)
    Console(width=110).print(table)


if __name__ == "__main__":
    main()
