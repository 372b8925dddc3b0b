//! The same transform behind the `exports` ABI (no WASI): the host calls
//! `alloc(len)`, copies the PNG in, and calls `handle(ptr, len)`, which returns
//! `(out_ptr << 32) | out_len`. A bad input traps (a function error).
const std = @import("std");
const grayscale = @import("grayscale.zig");

const gpa = std.heap.wasm_allocator;

export fn alloc(len: u32) u32 {
    const buf = gpa.alloc(u8, len) catch @trap();
    return @intFromPtr(buf.ptr);
}

export fn handle(ptr: u32, len: u32) u64 {
    const input = @as([*]const u8, @ptrFromInt(ptr))[0..len];
    const output = grayscale.grayscaleInvert(gpa, input) catch @trap();
    return (@as(u64, @intFromPtr(output.ptr)) << 32) | output.len;
}
