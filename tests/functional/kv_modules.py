"""WASM modules that use the `wasmdeploy_kv` imports, written inline as WAT.

`KV_DRIVER` is an exports-ABI module (`#handle`) that makes one store call per
event, described by the event's bytes (`kv_request`); it answers with the
call's i64 result and the bytes the call left in its buffer (`KvReply`).
`VISITS` is a WASI command that increments `visits` in the `default` store and
prints the new count.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

KV_IMPORTS_WAT = """
  (import "wasmdeploy_kv" "get" (func $get (param i32 i32 i32 i32 i32 i32) (result i64)))
  (import "wasmdeploy_kv" "set" (func $set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasmdeploy_kv" "delete" (func $delete (param i32 i32 i32 i32) (result i32)))
  (import "wasmdeploy_kv" "exists" (func $exists (param i32 i32 i32 i32) (result i32)))
  (import "wasmdeploy_kv" "increment"
    (func $increment (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "wasmdeploy_kv" "compare_and_swap"
    (func $cas (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasmdeploy_kv" "list_keys"
    (func $list (param i32 i32 i32 i32 i32 i32 i32 i32) (result i64)))
"""

OPS = {"get": 0, "set": 1, "delete": 2, "exists": 3, "increment": 4, "cas": 5, "list": 6}
_OUT = 524288  # the reply: i64 result, then the call's buffer

# The event: op, store length, key length, a length (value / old / cursor; -1: absent),
# b length (new value), buffer capacity (i32 each), delta (i64), then the bytes.
# Pointers can be pushed outside memory with the `wild` field (added to the key pointer).
KV_DRIVER = f"""(module {KV_IMPORTS_WAT}
  (memory (export "memory") 16)
  (func (export "alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "handle") (param $p i32) (param $len i32) (result i64)
    (local $sl i32) (local $kl i32) (local $al i32) (local $bl i32) (local $cap i32)
    (local $s i32) (local $k i32) (local $a i32) (local $b i32) (local $r i64) (local $n i32)
    (local.set $sl (i32.load offset=4 (local.get $p)))
    (local.set $kl (i32.load offset=8 (local.get $p)))
    (local.set $al (i32.load offset=12 (local.get $p)))
    (local.set $bl (i32.load offset=16 (local.get $p)))
    (local.set $cap (i32.load offset=20 (local.get $p)))
    (local.set $s (i32.add (local.get $p) (i32.const 40)))
    (local.set $k (i32.add (i32.add (local.get $s) (local.get $sl))
                           (i32.load offset=32 (local.get $p))))
    (local.set $a (i32.add (i32.add (local.get $s) (local.get $sl)) (local.get $kl)))
    (local.set $b (i32.add (local.get $a)
      (select (i32.const 0) (local.get $al) (i32.lt_s (local.get $al) (i32.const 0)))))
    (block $done
      (block $list (block $cas (block $inc (block $exists (block $delete (block $set (block $get
        (br_table $get $set $delete $exists $inc $cas $list (i32.load (local.get $p))))
        (local.set $r (call $get (local.get $s) (local.get $sl) (local.get $k) (local.get $kl)
                                 (i32.const {_OUT + 8}) (local.get $cap)))
        (if (i64.ge_s (local.get $r) (i64.const 0))
          (then (local.set $n (select (local.get $cap) (i32.wrap_i64 (local.get $r))
                  (i64.gt_u (local.get $r) (i64.extend_i32_u (local.get $cap)))))))
        (br $done))
      (local.set $r (i64.extend_i32_s (call $set (local.get $s) (local.get $sl)
        (local.get $k) (local.get $kl) (local.get $a) (local.get $al))))
      (br $done))
      (local.set $r (i64.extend_i32_s (call $delete (local.get $s) (local.get $sl)
        (local.get $k) (local.get $kl))))
      (br $done))
      (local.set $r (i64.extend_i32_s (call $exists (local.get $s) (local.get $sl)
        (local.get $k) (local.get $kl))))
      (br $done))
      (local.set $r (i64.extend_i32_s (call $increment (local.get $s) (local.get $sl)
        (local.get $k) (local.get $kl) (i64.load offset=24 (local.get $p))
        (i32.const {_OUT + 8}))))
      (if (i64.eqz (local.get $r)) (then (local.set $n (i32.const 8))))
      (br $done))
      (local.set $r (i64.extend_i32_s (call $cas (local.get $s) (local.get $sl)
        (local.get $k) (local.get $kl) (local.get $a) (local.get $al)
        (local.get $b) (local.get $bl))))
      (br $done))
    (local.set $r (call $list (local.get $s) (local.get $sl) (local.get $k) (local.get $kl)
      (local.get $a) (local.get $al) (i32.const {_OUT + 8}) (local.get $cap)))
    (if (i32.and (i64.ge_s (local.get $r) (i64.const 0))
                 (i64.le_u (local.get $r) (i64.extend_i32_u (local.get $cap))))
      (then (local.set $n (i32.wrap_i64 (local.get $r))))))
    (i64.store (i32.const {_OUT}) (local.get $r))
    (i64.or (i64.shl (i64.const {_OUT}) (i64.const 32))
            (i64.extend_i32_u (i32.add (i32.const 8) (local.get $n))))))
"""

# Increments `visits` in `default` and prints the new count in decimal.
VISITS = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasmdeploy_kv" "increment"
    (func $increment (param i32 i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "default")
  (data (i32.const 16) "visits")
  (func (export "_start")
    (local $n i64) (local $p i32)
    (if (call $increment (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 6)
                         (i64.const 1) (i32.const 32))
      (then unreachable))
    (local.set $n (i64.load (i32.const 32)))
    (local.set $p (i32.const 128))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (i32.store (i32.const 48) (local.get $p))
    (i32.store (i32.const 52) (i32.sub (i32.const 128) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 48) (i32.const 1) (i32.const 56)))))
"""


class KvReply(NamedTuple):
    result: int
    data: bytes


def kv_request(
    op: str,
    store: str,
    key: bytes | str = b"",
    a: bytes | None = b"",
    b: bytes = b"",
    *,
    delta: int = 0,
    cap: int = 4096,
    wild: int = 0,
) -> bytes:
    """The event that makes `KV_DRIVER` call `op`; `a=None` passes length -1 (absent)."""
    key_bytes = key.encode() if isinstance(key, str) else key
    a_bytes = a or b""
    header = struct.pack(
        "<iiiiiiqI4x",
        OPS[op],
        len(store.encode()),
        len(key_bytes),
        -1 if a is None else len(a_bytes),
        len(b),
        cap,
        delta,
        wild,
    )
    return header + store.encode() + key_bytes + a_bytes + b


def kv_reply(output: bytes) -> KvReply:
    (result,) = struct.unpack_from("<q", output)
    return KvReply(result, output[8:])


def increment_result(reply: KvReply) -> int:
    assert reply.result == 0, reply
    (value,) = struct.unpack("<q", reply.data)
    return int(value)
