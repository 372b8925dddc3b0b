//! The WASI command: PNG bytes on stdin, the grayscale-inverted PNG on stdout.
//! A bad input prints `error: ...` on stderr and exits 1 (a function error).
const std = @import("std");
const grayscale = @import("grayscale.zig");

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const gpa = init.gpa;

    var in_buf: [64 * 1024]u8 = undefined;
    var stdin = std.Io.File.stdin().readerStreaming(io, &in_buf);
    const input = try stdin.interface.allocRemaining(gpa, .unlimited);
    defer gpa.free(input);

    const output = grayscale.grayscaleInvert(gpa, input) catch |err| {
        var err_buf: [256]u8 = undefined;
        var stderr = std.Io.File.stderr().writerStreaming(io, &err_buf);
        try stderr.interface.print("error: {s} ({d} bytes read)\n", .{ grayscale.describe(err), input.len });
        try stderr.interface.flush();
        return 1;
    };
    defer gpa.free(output);

    var stdout = std.Io.File.stdout().writerStreaming(io, &.{});
    try stdout.interface.writeAll(output);
    try stdout.interface.flush();
    return 0;
}
