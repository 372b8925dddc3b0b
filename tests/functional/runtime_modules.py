"""WASM test modules, written inline as WAT, and task roots holding them.

`BEHAVIOURS` is one WASI command whose behaviour the first byte of the event
picks, so a single runtime process can meet every hostile case in turn:
`L` loops forever, `G` grows memory until refused, `R` recurses without end,
`U` hits `unreachable`, `X` calls proc_exit(3), `B` writes 10 MB, `C` bumps a
global and prints it, `E` logs the event to stderr and echoes it, anything
else echoes the event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import wasmtime

_WASI_IO = """
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
"""

# Reads stdin into memory at 1024 (up to 60000 bytes) and returns its length.
_READ_ALL = """
  (func $read_all (result i32)
    (local $total i32) (local $n i32)
    (block $done
      (loop $more
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $total)))
        (i32.store (i32.const 4) (i32.sub (i32.const 60000) (local.get $total)))
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (br_if $more (i32.lt_u (local.get $total) (i32.const 60000)))))
    (local.get $total))
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
"""

# Copies stdin to stdout in 60000-byte chunks, so payloads of any size round-trip.
ECHO = f"""(module {_WASI_IO}
  (memory (export "memory") 2)
  {_READ_ALL}
  (func (export "_start")
    (local $n i32)
    (loop $chunk
      (local.set $n (call $read_all))
      (if (local.get $n) (then
        (call $write (i32.const 1) (i32.const 1024) (local.get $n))
        (br $chunk))))))
"""

# Prints its argv then its environment, each string NUL-terminated as WASI gives them.
ARGS_AND_ENV = f"""(module {_WASI_IO}
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  {_READ_ALL}
  (func (export "_start")
    (drop (call $args_sizes (i32.const 32) (i32.const 36)))
    (drop (call $args_get (i32.const 4096) (i32.const 8192)))
    (call $write (i32.const 1) (i32.const 8192) (i32.load (i32.const 36)))
    (drop (call $env_sizes (i32.const 32) (i32.const 36)))
    (drop (call $env_get (i32.const 4096) (i32.const 16384)))
    (call $write (i32.const 1) (i32.const 16384) (i32.load (i32.const 36)))))
"""

BEHAVIOURS = f"""(module {_WASI_IO}
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (global $counter (mut i32) (i32.const 0))
  {_READ_ALL}
  (func $recurse (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "_start")
    (local $len i32) (local $cmd i32) (local $i i32)
    (local.set $len (call $read_all))
    (local.set $cmd (i32.load8_u (i32.const 1024)))
    (if (i32.eq (local.get $cmd) (i32.const 76)) (then (loop $spin (br $spin))))
    (if (i32.eq (local.get $cmd) (i32.const 71)) (then
      (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
      unreachable))
    (if (i32.eq (local.get $cmd) (i32.const 82)) (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $cmd) (i32.const 85)) (then unreachable))
    (if (i32.eq (local.get $cmd) (i32.const 88)) (then (call $proc_exit (i32.const 3))))
    (if (i32.eq (local.get $cmd) (i32.const 66)) (then
      (loop $big
        (call $write (i32.const 1) (i32.const 65536) (i32.const 65536))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $big (i32.lt_u (local.get $i) (i32.const 160))))
      return))
    (if (i32.eq (local.get $cmd) (i32.const 67)) (then
      (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
      (i32.store8 (i32.const 100) (i32.add (i32.const 48) (global.get $counter)))
      (call $write (i32.const 1) (i32.const 100) (i32.const 1))
      return))
    (if (i32.eq (local.get $cmd) (i32.const 69)) (then
      (call $write (i32.const 2) (i32.const 1024) (local.get $len))))
    (call $write (i32.const 1) (i32.const 1024) (local.get $len))))
"""

# The exports ABI: handle() upper-cases ASCII in place and returns the same buffer.
EXPORTS_UPPER = """(module
  (memory (export "memory") 2)
  (global $counter (mut i32) (i32.const 0))
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $i i32) (local $c i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (i32.store8 (i32.add (local.get $ptr) (local.get $i))
                            (i32.sub (local.get $c) (i32.const 32)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len)))))
"""

FORBIDDEN_IMPORT = """(module
  (import "env" "open_socket" (func (param i32) (result i32)))
  (func (export "_start")))
"""

NO_START = """(module
  (memory (export "memory") 1)
  (func (export "main")))
"""


def wasm(wat: str) -> bytes:
    return bytes(wasmtime.wat2wasm(wat))


def write_task_root(
    root: Path,
    wat: str | bytes,
    *,
    module: str = "handler.wasm",
    config: Mapping[str, object] | None = None,
) -> Path:
    """A task root holding the module (WAT text, or raw bytes as given) and wasmdeploy.json."""
    root.mkdir(parents=True, exist_ok=True)
    data = wat if isinstance(wat, bytes) else wasm(wat)
    (root / module).write_bytes(data)
    settings: dict[str, object] = {"function": "testFunction", "handler": module}
    settings.update(config or {})
    (root / "wasmdeploy.json").write_text(json.dumps(settings))
    return root
