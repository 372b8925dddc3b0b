//! The `exports` ABI entry points: `alloc(len) -> ptr` for the host to place the
//! event, `handle(ptr, len) -> (out_ptr << 32) | out_len` for the report. An event
//! that is neither a Scheduled Event nor a job input traps (a function error).
const std = @import("std");
const report = @import("report.zig");

const gpa = std.heap.wasm_allocator;

export fn alloc(len: u32) u32 {
    const buf = gpa.alloc(u8, len) catch @trap();
    return @intFromPtr(buf.ptr);
}

export fn handle(ptr: u32, len: u32) u64 {
    const event = @as([*]const u8, @ptrFromInt(ptr))[0..len];
    var arena: std.heap.ArenaAllocator = .init(gpa);
    const response = report.handleEvent(arena.allocator(), event) catch @trap();
    return (@as(u64, @intFromPtr(response.ptr)) << 32) | response.len;
}
