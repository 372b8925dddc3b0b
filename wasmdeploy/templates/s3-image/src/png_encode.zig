//! PNG encoding of 8-bit gray or gray+alpha images: per-row adaptive filtering
//! (the minimum-sum-of-absolute-differences heuristic libpng uses), zlib
//! deflate from std.compress.flate, CRC-32 from std.hash.
const std = @import("std");
const flate = std.compress.flate;
const signature = @import("png_decode.zig").signature;

/// An image ready to encode: 1 (gray) or 2 (gray, alpha) bytes per pixel.
pub const GrayImage = struct {
    width: u32,
    height: u32,
    has_alpha: bool,
    samples: []const u8,

    fn channels(img: GrayImage) usize {
        return if (img.has_alpha) 2 else 1;
    }
};

pub const EncodeError = error{ OutOfMemory, WriteFailed };

/// Encodes `img` as a complete PNG file; the caller owns the returned bytes.
pub fn encode(gpa: std.mem.Allocator, img: GrayImage) EncodeError![]u8 {
    var out: std.Io.Writer.Allocating = try .initCapacity(gpa, img.samples.len / 2 + 1024);
    errdefer out.deinit();
    const w = &out.writer;

    try w.writeAll(&signature);
    var ihdr: [13]u8 = undefined;
    std.mem.writeInt(u32, ihdr[0..4], img.width, .big);
    std.mem.writeInt(u32, ihdr[4..8], img.height, .big);
    ihdr[8] = 8; // bit depth
    ihdr[9] = if (img.has_alpha) 4 else 0; // colour type: gray+alpha or gray
    ihdr[10] = 0; // deflate
    ihdr[11] = 0; // adaptive filtering
    ihdr[12] = 0; // not interlaced
    try writeChunk(w, "IHDR", &ihdr);

    const filtered = try filterRows(gpa, img);
    defer gpa.free(filtered);
    const idat = try deflate(gpa, filtered);
    defer gpa.free(idat);
    try writeChunk(w, "IDAT", idat);
    try writeChunk(w, "IEND", "");
    return out.toOwnedSlice();
}

fn writeChunk(w: *std.Io.Writer, kind: *const [4]u8, data: []const u8) EncodeError!void {
    try w.writeInt(u32, @intCast(data.len), .big);
    try w.writeAll(kind);
    try w.writeAll(data);
    var crc = std.hash.Crc32.init();
    crc.update(kind);
    crc.update(data);
    try w.writeInt(u32, crc.final(), .big);
}

fn deflate(gpa: std.mem.Allocator, data: []const u8) EncodeError![]u8 {
    var out: std.Io.Writer.Allocating = try .initCapacity(gpa, data.len / 2 + 64);
    errdefer out.deinit();
    const window = try gpa.alloc(u8, flate.max_window_len);
    defer gpa.free(window);
    var zlib = try flate.Compress.init(&out.writer, window, .zlib, .level_4);
    try zlib.writer.writeAll(data);
    try zlib.finish();
    return out.toOwnedSlice();
}

fn paeth(a: u8, b: u8, c: u8) u8 {
    const p = @as(i16, a) + b - c;
    const pa = @abs(p - a);
    const pb = @abs(p - b);
    const pc = @abs(p - c);
    if (pa <= pb and pa <= pc) return a;
    if (pb <= pc) return b;
    return c;
}

/// Applies filter `kind` to `row` into `out`; returns the heuristic cost.
fn filterRow(kind: u8, row: []const u8, prev: []const u8, stride: usize, out: []u8) u64 {
    var cost: u64 = 0;
    for (row, 0..) |x, i| {
        const a: u8 = if (i >= stride) row[i - stride] else 0;
        const b = prev[i];
        const c: u8 = if (i >= stride) prev[i - stride] else 0;
        const predicted: u8 = switch (kind) {
            0 => 0,
            1 => a,
            2 => b,
            3 => @intCast((@as(u16, a) + b) / 2),
            else => paeth(a, b, c),
        };
        const v = x -% predicted;
        out[i] = v;
        cost += @abs(@as(i8, @bitCast(v)));
    }
    return cost;
}

/// Builds the filtered scanlines (filter byte + row), choosing each row's filter.
fn filterRows(gpa: std.mem.Allocator, img: GrayImage) EncodeError![]u8 {
    const stride = img.channels();
    const row_len = img.width * stride;
    const out = try gpa.alloc(u8, (row_len + 1) * img.height);
    errdefer gpa.free(out);
    const zeros = try gpa.alloc(u8, row_len);
    defer gpa.free(zeros);
    @memset(zeros, 0);
    const scratch = try gpa.alloc(u8, row_len);
    defer gpa.free(scratch);

    for (0..img.height) |y| {
        const row = img.samples[y * row_len ..][0..row_len];
        const prev = if (y == 0) zeros else img.samples[(y - 1) * row_len ..][0..row_len];
        const line = out[y * (row_len + 1) ..][0 .. row_len + 1];
        var best_kind: u8 = 0;
        var best_cost = filterRow(0, row, prev, stride, line[1..]);
        for (1..5) |k| {
            const cost = filterRow(@intCast(k), row, prev, stride, scratch);
            if (cost < best_cost) {
                best_cost = cost;
                best_kind = @intCast(k);
                @memcpy(line[1..], scratch);
            }
        }
        line[0] = best_kind;
    }
    return out;
}
