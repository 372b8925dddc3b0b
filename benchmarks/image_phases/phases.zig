//! The image pipeline's work split into its phases, each timed on its own inside
//! the program (the fastest of five rounds), so the same source can be compared
//! natively and under wasmtime phase by phase. Reads a 1024x1024 RGBA PNG on
//! stdin; prints `phase<TAB>milliseconds` lines, then the two deflate sizes.
//!
//! Built by `bench_image_phases.py` beside a copy of the example's sources.
const std = @import("std");
const flate = std.compress.flate;
const grayscale = @import("grayscale.zig");
const filterAdaptive = @import("png_filter.zig").filterAdaptive;

const width = 1024;
const height = 1024;
const rounds = 5;

const phases = [_][]const u8{
    "CRC-32 of the input PNG",
    "inflate + Adler-32 (4 MiB out)",
    "Adler-32 of 4 MiB",
    "luma + invert (1 Mpx)",
    "adaptive filter (1 Mpx)",
    "deflate level 4 (the example's)",
    "deflate Huffman-only",
    "CRC-32 of the output",
};

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const gpa = init.gpa;
    var in_buf: [64 * 1024]u8 = undefined;
    var stdin = std.Io.File.stdin().readerStreaming(io, &in_buf);
    const input = try stdin.interface.allocRemaining(gpa, .unlimited);
    const idat = try imageData(gpa, input);

    const row_len = width * 4 + 1;
    const raw = try gpa.alloc(u8, row_len * height);
    const window = try gpa.alloc(u8, flate.max_window_len);
    const gray = try gpa.alloc(u8, width * height);
    const filtered = try gpa.alloc(u8, (width + 1) * height);
    var best: [phases.len]i96 = @splat(std.math.maxInt(i96));
    var sizes: [2]usize = .{ 0, 0 };
    var sink: u32 = 0;
    for (0..rounds) |_| {
        var clock: Lap = .{ .io = io, .last = now(io) };
        sink +%= std.hash.Crc32.hash(input);
        clock.lap(&best[0]);
        var compressed: std.Io.Reader = .fixed(idat);
        var inflate: flate.Decompress = .init(&compressed, .zlib, window);
        try inflate.reader.readSliceAll(raw);
        clock.lap(&best[1]);
        sink +%= std.hash.Adler32.hash(raw);
        clock.lap(&best[2]);
        for (0..height) |y| {
            const row = raw[y * row_len + 1 ..][0 .. width * 4];
            for (0..width) |x| {
                gray[y * width + x] = grayscale.invertedLuma(row[4 * x], row[4 * x + 1], row[4 * x + 2]);
            }
        }
        clock.lap(&best[3]);
        var previous: [width]u8 = @splat(0);
        for (0..height) |y| {
            const row = gray[y * width ..][0..width];
            const out = filtered[y * (width + 1) ..][0 .. width + 1];
            out[0] = filterAdaptive(row, &previous, 1, out[1..]);
            previous = row.*;
        }
        clock.lap(&best[4]);
        var deflated: std.Io.Writer.Allocating = try .initCapacity(gpa, 1 << 20);
        defer deflated.deinit();
        {
            var zlib: flate.Compress = try .init(&deflated.writer, window, .zlib, .level_4);
            try zlib.writer.writeAll(filtered);
            try zlib.finish();
        }
        clock.lap(&best[5]);
        var huffman_out: std.Io.Writer.Allocating = try .initCapacity(gpa, 1 << 20);
        defer huffman_out.deinit();
        {
            var huffman: flate.Compress.Huffman = try .init(&huffman_out.writer, window, .zlib);
            try huffman.writer.writeAll(filtered);
            try huffman.finish();
        }
        clock.lap(&best[6]);
        sink +%= std.hash.Crc32.hash(deflated.written());
        clock.lap(&best[7]);
        sizes = .{ deflated.written().len, huffman_out.written().len };
    }
    var out_buf: [4096]u8 = undefined;
    var stdout = std.Io.File.stdout().writerStreaming(io, &out_buf);
    const w = &stdout.interface;
    for (phases, best) |name, ns| try w.print("{s}\t{d:.3}\n", .{ name, @as(f64, @floatFromInt(ns)) / 1e6 });
    try w.print("sizes\t{d}\t{d}\t{d}\n", .{ sizes[0], sizes[1], sink });
    try w.flush();
    return 0;
}

fn now(io: std.Io) i96 {
    return std.Io.Clock.awake.now(io).toNanoseconds();
}

const Lap = struct {
    io: std.Io,
    last: i96,

    fn lap(l: *Lap, best: *i96) void {
        const t = now(l.io);
        best.* = @min(best.*, t - l.last);
        l.last = t;
    }
};

/// The concatenated IDAT chunks of a PNG (the CRCs are the first phase's work).
fn imageData(gpa: std.mem.Allocator, png: []const u8) ![]u8 {
    var data: std.ArrayList(u8) = .empty;
    var pos: usize = 8;
    while (pos + 12 <= png.len) {
        const len = std.mem.readInt(u32, png[pos..][0..4], .big);
        if (pos + 12 + len > png.len) return error.Truncated;
        if (std.mem.eql(u8, png[pos + 4 .. pos + 8], "IDAT")) try data.appendSlice(gpa, png[pos + 8 ..][0..len]);
        pos += 12 + len;
    }
    return data.items;
}
