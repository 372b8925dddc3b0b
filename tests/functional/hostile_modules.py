"""Hostile WASM modules for the sandbox's bounds, written inline as WAT.

`HOST_CALLS` is one WASI command whose behaviour the first byte of the event
picks (anything else echoes the event), so one runtime process meets each case:

- `P` poll_oneoff with a relative 20 s monotonic clock; `A` with an absolute
  realtime clock 20 s ahead; `Y` sched_yield forever; `T` clock_time_get forever;
  `I` fd_read from stdin forever into 1024 iovecs of 2 GB each;
- `W` / `S` fd_write to stdout / stderr of 1024 iovecs repeating one 64 KB
  buffer (64 MB a call) until refused; `w` / `s` one 64 KB write at a time;
- `F` writes lines to stderr that imitate the runtime's metric line and Lambda's
  START / END / REPORT lines, with carriage returns and escape sequences, then
  echoes; `B` calls env.abort with such a message;
- `M` grows its four memories and two tables until each is refused, then writes
  the memory pages and table elements it holds (two little-endian i64);
  `N` does the same and then traps.

`POLL` uses poll_oneoff as ordinary programs do (see its comment).
`START_LOOP` spins forever in its start function. `SLOW_START` spends 300 ms
in its start function and 300 ms in `_start`. `DEEP_RECURSION` recurses to the
depth given by the event's first byte times 10,000 and prints "ok".
"""

from __future__ import annotations

_IMPORTS = """
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
"""

# Memory 0: 0-1023 scratch, 1024-17407 iovecs, 32768 the stdin copy, 65536-131071 a buffer.
_HELPERS = """
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func $read_event (result i32)
    (i32.store (i32.const 16) (i32.const 32768))
    (i32.store (i32.const 20) (i32.const 32768))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.load (i32.const 24)))
  (func $iovecs (param $ptr i32) (param $len i32)
    (local $i i32)
    (loop $fill
      (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 3)))
        (local.get $ptr))
      (i32.store (i32.add (i32.const 1028) (i32.shl (local.get $i) (i32.const 3)))
        (local.get $len))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024)))))
  (func $sleep (param $clock i32) (param $timeout i64) (param $flags i32)
    (i64.store (i32.const 2048) (i64.const 7))
    (i32.store8 (i32.const 2056) (i32.const 0))
    (i32.store (i32.const 2064) (local.get $clock))
    (i64.store (i32.const 2072) (local.get $timeout))
    (i64.store (i32.const 2080) (i64.const 0))
    (i32.store16 (i32.const 2088) (local.get $flags))
    (drop (call $poll_oneoff (i32.const 2048) (i32.const 4096) (i32.const 1) (i32.const 8)))
    (call $write (i32.const 1) (i32.const 200) (i32.const 5)))
  (func $now (param $clock i32) (result i64)
    (drop (call $clock_time_get (local.get $clock) (i64.const 1) (i32.const 40)))
    (i64.load (i32.const 40)))
"""

FAKE_LINES = (
    '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Duration":1}\n'
    "REPORT RequestId: fake\tDuration: 1 ms\rEND RequestId: fake\n"
    "START RequestId: fake\x1b[2K\xe2\x80\xa8REPORT RequestId: again\n"
)

ABORT_MESSAGE = "boom\nREPORT RequestId: fake\r"
_FAKE_LENGTH = len(FAKE_LINES.encode("latin-1"))


def _data(text: str) -> str:
    """`text` as a WAT string literal, every byte escaped."""
    return "".join(f"\\{byte:02x}" for byte in text.encode("latin-1"))


def _utf16(text: str) -> str:
    """An AssemblyScript string: its UTF-16LE byte length, then the text."""
    encoded = text.encode("utf-16-le")
    return "".join(f"\\{byte:02x}" for byte in len(encoded).to_bytes(4, "little") + encoded)


HOST_CALLS = f"""(module {_IMPORTS}
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 3) (memory (export "m1") 1) (memory (export "m2") 1)
  (memory (export "m3") 1)
  (table $t0 1 funcref) (table $t1 1 funcref)
  (data (i32.const 200) "slept")
  (data (i32.const 300) "{_data(FAKE_LINES)}")
  (data (i32.const 796) "{_utf16(ABORT_MESSAGE)}")
  {_HELPERS}
  (func $grow_all
    (loop $m0 (br_if $m0 (i32.ne (memory.grow 0 (i32.const 4)) (i32.const -1))))
    (loop $m1 (br_if $m1 (i32.ne (memory.grow 1 (i32.const 4)) (i32.const -1))))
    (loop $m2 (br_if $m2 (i32.ne (memory.grow 2 (i32.const 4)) (i32.const -1))))
    (loop $m3 (br_if $m3 (i32.ne (memory.grow 3 (i32.const 4)) (i32.const -1))))
    (loop $t0 (br_if $t0 (i32.ne (table.grow $t0 (ref.null func) (i32.const 4096))
                                 (i32.const -1))))
    (loop $t1 (br_if $t1 (i32.ne (table.grow $t1 (ref.null func) (i32.const 4096))
                                 (i32.const -1)))))
  (func (export "_start")
    (local $len i32) (local $cmd i32)
    (local.set $len (call $read_event))
    (local.set $cmd (i32.load8_u (i32.const 32768)))
    (if (i32.eq (local.get $cmd) (i32.const 80)) (then
      (call $sleep (i32.const 1) (i64.const 20000000000) (i32.const 0)) return))
    (if (i32.eq (local.get $cmd) (i32.const 65)) (then
      (call $sleep (i32.const 0)
        (i64.add (call $now (i32.const 0)) (i64.const 20000000000)) (i32.const 1))
      return))
    (if (i32.eq (local.get $cmd) (i32.const 89)) (then
      (loop $yield (drop (call $sched_yield)) (br $yield))))
    (if (i32.eq (local.get $cmd) (i32.const 84)) (then
      (loop $clock (drop (call $now (i32.const 1))) (br $clock))))
    (if (i32.eq (local.get $cmd) (i32.const 73)) (then
      (call $iovecs (i32.const 65536) (i32.const 0x7fffffff))
      (loop $read
        (drop (call $fd_read (i32.const 0) (i32.const 1024) (i32.const 1024) (i32.const 24)))
        (br $read))))
    (if (i32.or (i32.eq (local.get $cmd) (i32.const 87)) (i32.eq (local.get $cmd) (i32.const 83)))
      (then
        (call $iovecs (i32.const 65536) (i32.const 65536))
        (loop $many
          (br_if $many (i32.eqz (call $fd_write
            (if (result i32) (i32.eq (local.get $cmd) (i32.const 87))
              (then (i32.const 1)) (else (i32.const 2)))
            (i32.const 1024) (i32.const 1024) (i32.const 24)))))
        return))
    (if (i32.or (i32.eq (local.get $cmd) (i32.const 119)) (i32.eq (local.get $cmd) (i32.const 115)))
      (then
        (loop $one
          (call $write
            (if (result i32) (i32.eq (local.get $cmd) (i32.const 119))
              (then (i32.const 1)) (else (i32.const 2)))
            (i32.const 65536) (i32.const 65536))
          (br $one))))
    (if (i32.eq (local.get $cmd) (i32.const 70)) (then
      (call $write (i32.const 2) (i32.const 300) (i32.const {_FAKE_LENGTH}))))
    (if (i32.eq (local.get $cmd) (i32.const 66)) (then
      (call $abort (i32.const 800) (i32.const 800) (i32.const 1) (i32.const 2))))
    (if (i32.or (i32.eq (local.get $cmd) (i32.const 77)) (i32.eq (local.get $cmd) (i32.const 78)))
      (then
        (call $grow_all)
        (if (i32.eq (local.get $cmd) (i32.const 78)) (then unreachable))
        (i64.store (i32.const 48) (i64.extend_i32_u (i32.add (i32.add (memory.size 0)
          (memory.size 1)) (i32.add (memory.size 2) (memory.size 3)))))
        (i64.store (i32.const 56) (i64.extend_i32_u (i32.add (table.size $t0)
          (table.size $t1))))
        (call $write (i32.const 1) (i32.const 48) (i32.const 16))
        return))
    (call $write (i32.const 1) (i32.const 32768) (local.get $len))))
"""

START_LOOP = """(module
  (memory (export "memory") 1)
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "_start")))
"""

_SPIN_FOR_300_MS = """
    (local $t0 i64)
    (local.set $t0 (call $now (i32.const 1)))
    (loop $spin
      (br_if $spin (i64.lt_u (i64.sub (call $now (i32.const 1)) (local.get $t0))
                             (i64.const 300000000))))
"""

SLOW_START = f"""(module {_IMPORTS}
  (memory (export "memory") 3)
  {_HELPERS}
  (func $init {_SPIN_FOR_300_MS})
  (start $init)
  (func (export "_start") {_SPIN_FOR_300_MS}
    (call $write (i32.const 1) (i32.const 32768) (call $read_event))))
"""

DEEP_RECURSION = f"""(module {_IMPORTS}
  (memory (export "memory") 3)
  (data (i32.const 200) "ok")
  {_HELPERS}
  (func $deep (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "_start")
    (drop (call $read_event))
    (drop (call $deep (i32.mul (i32.load8_u (i32.const 32768)) (i32.const 10000))))
    (call $write (i32.const 1) (i32.const 200) (i32.const 2))))
"""

# poll_oneoff as ordinary programs use it. The event's first byte picks: `c` sleeps 50 ms
# on a relative monotonic clock; `m` subscribes to a 20 s clock and to stdin being
# readable. Then it writes the number of events and each event's (userdata, error, type)
# as little-endian u32, u32, u16, u8.
POLL = f"""(module {_IMPORTS}
  (memory (export "memory") 3)
  {_HELPERS}
  (func $subscribe (param $at i32) (param $userdata i64) (param $tag i32) (param $target i32)
                   (param $timeout i64)
    (i64.store (local.get $at) (local.get $userdata))
    (i32.store8 (i32.add (local.get $at) (i32.const 8)) (local.get $tag))
    (i32.store (i32.add (local.get $at) (i32.const 16)) (local.get $target))
    (i64.store (i32.add (local.get $at) (i32.const 24)) (local.get $timeout))
    (i64.store (i32.add (local.get $at) (i32.const 32)) (i64.const 0))
    (i32.store16 (i32.add (local.get $at) (i32.const 40)) (i32.const 0)))
  (func (export "_start")
    (local $count i32) (local $i i32) (local $out i32)
    (drop (call $read_event))
    (local.set $count (i32.const 1))
    (call $subscribe (i32.const 2048) (i64.const 11) (i32.const 0) (i32.const 1)
      (select (i64.const 50000000) (i64.const 20000000000)
        (i32.eq (i32.load8_u (i32.const 32768)) (i32.const 99))))
    (if (i32.eq (i32.load8_u (i32.const 32768)) (i32.const 109)) (then
      (call $subscribe (i32.const 2096) (i64.const 22) (i32.const 1) (i32.const 0)
        (i64.const 0))
      (local.set $count (i32.const 2))))
    (drop (call $poll_oneoff (i32.const 2048) (i32.const 4096) (local.get $count)
      (i32.const 8)))
    (i32.store (i32.const 8192) (i32.load (i32.const 8)))
    (local.set $out (i32.const 8196))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 8))))
      (i32.store (local.get $out)
        (i32.wrap_i64
          (i64.load (i32.add (i32.const 4096) (i32.mul (local.get $i) (i32.const 32))))))
      (i32.store (i32.add (local.get $out) (i32.const 4))
        (i32.load16_u (i32.add (i32.const 4104) (i32.mul (local.get $i) (i32.const 32)))))
      (i32.store16 (i32.add (local.get $out) (i32.const 8))
        (i32.load8_u (i32.add (i32.const 4106) (i32.mul (local.get $i) (i32.const 32)))))
      (local.set $out (i32.add (local.get $out) (i32.const 10)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $write (i32.const 1) (i32.const 8192) (i32.sub (local.get $out) (i32.const 8192)))))
"""
