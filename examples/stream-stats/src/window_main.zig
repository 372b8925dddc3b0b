//! The `exports` ABI entry points of window-stats: `alloc(len) -> ptr` for the
//! host to place the event, `handle(ptr, len) -> (out_ptr << 32) | out_len`.
//! A window without one valid reading traps: the invocation fails, and AWS
//! retries it, then sends it to the onFailure destination.
const std = @import("std");
const windows = @import("windows.zig");

const gpa = std.heap.wasm_allocator;

export fn alloc(len: u32) u32 {
    const buf = gpa.alloc(u8, len) catch @trap();
    return @intFromPtr(buf.ptr);
}

export fn handle(ptr: u32, len: u32) u64 {
    const event = @as([*]const u8, @ptrFromInt(ptr))[0..len];
    var arena: std.heap.ArenaAllocator = .init(gpa);
    const response = windows.handleEvent(arena.allocator(), event) catch @trap();
    return (@as(u64, @intFromPtr(response.ptr)) << 32) | response.len;
}
