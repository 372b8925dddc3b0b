//! wasmdeploy key-value stores for Zig guests: the `wasmdeploy_kv` imports and a
//! typed API over them. Works in both ABIs (wasi and exports); the function must be
//! granted the store in the manifest (`kv: [STORE]`).
//!
//!     const kv = @import("wasmdeploy_kv");
//!     const visits = try kv.increment("default", "visits", 1);
//!
//! Build with the module on the command line (`python3 -m wasmdeploy_runtime.sdk zig`
//! prints its path), e.g.
//!     zig build-exe --dep wasmdeploy_kv -Mroot=src/main.zig \
//!         -Mwasmdeploy_kv=$(python3 -m wasmdeploy_runtime.sdk zig) ...
const std = @import("std");

/// What a store call can fail with (the ABI's negative results).
pub const Error = error{
    /// -2: the manifest does not grant this function the store.
    NotGranted,
    /// -3: the key is empty, longer than 1024 bytes or not UTF-8.
    InvalidKey,
    /// -4: the value is longer than 393,216 bytes.
    ValueTooLarge,
    /// -5: the store did not answer (after retries).
    Unavailable,
    /// -6: `increment` found a value that is not a decimal integer.
    NotAnInteger,
};

pub const max_key_len = 1024;
pub const max_value_len = 393_216;

const raw = struct {
    extern "wasmdeploy_kv" fn get(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32, buf: [*]u8, buf_cap: i32) i64;
    extern "wasmdeploy_kv" fn set(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32, value: [*]const u8, value_len: i32) i32;
    extern "wasmdeploy_kv" fn delete(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32) i32;
    extern "wasmdeploy_kv" fn exists(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32) i32;
    extern "wasmdeploy_kv" fn increment(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32, delta: i64, out: *i64) i32;
    extern "wasmdeploy_kv" fn compare_and_swap(store: [*]const u8, store_len: i32, key: [*]const u8, key_len: i32, old: [*]const u8, old_len: i32, new: [*]const u8, new_len: i32) i32;
    extern "wasmdeploy_kv" fn list_keys(store: [*]const u8, store_len: i32, prefix: [*]const u8, prefix_len: i32, cursor: [*]const u8, cursor_len: i32, buf: [*]u8, buf_cap: i32) i64;
};

fn check(code: i64) Error!i64 {
    return switch (code) {
        -2 => error.NotGranted,
        -3 => error.InvalidKey,
        -4 => error.ValueTooLarge,
        -5 => error.Unavailable,
        -6 => error.NotAnInteger,
        else => code,
    };
}

fn len(bytes: []const u8) i32 {
    return @intCast(@min(bytes.len, std.math.maxInt(i32)));
}

/// The value's length (null: no such key); its first `buf.len` bytes are in `buf`.
pub fn get(store: []const u8, key: []const u8, buf: []u8) Error!?usize {
    const n = try check(raw.get(store.ptr, len(store), key.ptr, len(key), buf.ptr, len(buf)));
    return if (n == -1) null else @intCast(n);
}

/// The whole value (null: no such key), in memory from `allocator`.
pub fn getAlloc(allocator: std.mem.Allocator, store: []const u8, key: []const u8) (Error || std.mem.Allocator.Error)!?[]u8 {
    var buf = try allocator.alloc(u8, 256);
    while (true) {
        const n = (try get(store, key, buf)) orelse return null;
        if (n <= buf.len) return buf[0..n];
        buf = try allocator.realloc(buf, n);
    }
}

pub fn set(store: []const u8, key: []const u8, value: []const u8) Error!void {
    _ = try check(raw.set(store.ptr, len(store), key.ptr, len(key), value.ptr, len(value)));
}

/// Deletes the key (nothing happens when it is absent).
pub fn delete(store: []const u8, key: []const u8) Error!void {
    _ = try check(raw.delete(store.ptr, len(store), key.ptr, len(key)));
}

pub fn exists(store: []const u8, key: []const u8) Error!bool {
    return try check(raw.exists(store.ptr, len(store), key.ptr, len(key))) == 1;
}

/// Adds `delta` atomically (a missing key counts from 0); the new value.
pub fn increment(store: []const u8, key: []const u8, delta: i64) Error!i64 {
    var out: i64 = 0;
    _ = try check(raw.increment(store.ptr, len(store), key.ptr, len(key), delta, &out));
    return out;
}

/// Sets `new` only if the value is `old` (null: only if the key is absent); whether it did.
pub fn compareAndSwap(store: []const u8, key: []const u8, old: ?[]const u8, new: []const u8) Error!bool {
    const old_ptr: [*]const u8 = if (old) |o| o.ptr else new.ptr;
    const old_len: i32 = if (old) |o| len(o) else -1;
    return try check(raw.compare_and_swap(store.ptr, len(store), key.ptr, len(key), old_ptr, old_len, new.ptr, len(new))) == 1;
}

/// One page of keys: iterate with `next()`; `cursor` continues the listing ("" at the end).
pub const Page = struct {
    cursor: []const u8,
    rest: []const u8,

    pub fn next(self: *Page) ?[]const u8 {
        if (self.rest.len < 4) return null;
        const n = std.mem.readInt(u32, self.rest[0..4], .little);
        const key = self.rest[4 .. 4 + n];
        self.rest = self.rest[4 + n ..];
        return key;
    }
};

/// The page of keys starting with `prefix` after `cursor` ("" for the first page),
/// decoded from `buf`; error.NoSpaceLeft when `buf` is too small for it.
pub fn listKeys(store: []const u8, prefix: []const u8, cursor: []const u8, buf: []u8) (Error || error{NoSpaceLeft})!Page {
    const n: usize = @intCast(try check(raw.list_keys(store.ptr, len(store), prefix.ptr, len(prefix), cursor.ptr, len(cursor), buf.ptr, len(buf))));
    if (n > buf.len) return error.NoSpaceLeft;
    const cursor_len = std.mem.readInt(u32, buf[0..4], .little);
    return .{ .cursor = buf[4 .. 4 + cursor_len], .rest = buf[4 + cursor_len .. n] };
}
