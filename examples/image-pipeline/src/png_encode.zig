//! PNG encoding of 8-bit gray or gray+alpha images, one row at a time:
//! per-row adaptive filtering (png_filter.zig), zlib deflate from
//! std.compress.flate, CRC-32 from std.hash. The deflate stream goes straight into the output's single IDAT
//! chunk, so the image itself is never held.
const std = @import("std");
const flate = std.compress.flate;
const signature = @import("png_decode.zig").signature;
const filterAdaptive = @import("png_filter.zig").filterAdaptive;

pub const EncodeError = error{ OutOfMemory, WriteFailed, TooManyRows };

/// `init` in place (the compressor points into the encoder), `writeRow` once
/// per row, then `finish` for the PNG bytes; `deinit` always.
pub const RowEncoder = struct {
    gpa: std.mem.Allocator,
    out: std.Io.Writer.Allocating,
    zlib: flate.Compress,
    window: []u8,
    stride: usize, // bytes per pixel: 1 (gray) or 2 (gray, alpha)
    previous: []u8, // the previous row's samples (zeros before the first)
    filtered: []u8, // the current row, filtered
    idat_start: usize, // offset of the IDAT chunk's length field in `out`
    rows_left: u32,

    /// Starts the PNG: signature, IHDR, and the IDAT chunk's header.
    /// `expected_len` sizes the output buffer up front (it grows if needed).
    pub fn init(
        e: *RowEncoder,
        gpa: std.mem.Allocator,
        width: u32,
        height: u32,
        has_alpha: bool,
        expected_len: usize,
    ) EncodeError!void {
        e.gpa = gpa;
        e.stride = if (has_alpha) 2 else 1;
        e.rows_left = height;
        const row_len = width * e.stride;
        e.out = try .initCapacity(gpa, @max(expected_len, 1024));
        errdefer e.out.deinit();
        e.window = try gpa.alloc(u8, flate.max_window_len);
        errdefer gpa.free(e.window);
        const rows = try gpa.alloc(u8, 2 * row_len);
        errdefer gpa.free(rows);
        @memset(rows, 0);
        e.previous = rows[0..row_len];
        e.filtered = rows[row_len..];

        const w = &e.out.writer;
        try w.writeAll(&signature);
        var ihdr: [13]u8 = undefined;
        std.mem.writeInt(u32, ihdr[0..4], width, .big);
        std.mem.writeInt(u32, ihdr[4..8], height, .big);
        ihdr[8] = 8; // bit depth
        ihdr[9] = if (has_alpha) 4 else 0; // colour type: gray+alpha or gray
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering
        ihdr[12] = 0; // not interlaced
        try writeChunk(w, "IHDR", &ihdr);
        e.idat_start = w.end;
        try w.writeAll("\x00\x00\x00\x00IDAT"); // the length is filled in by finish
        e.zlib = try .init(w, e.window, .zlib, .level_4);
    }

    pub fn deinit(e: *RowEncoder) void {
        const rows = e.previous.ptr[0 .. 2 * e.previous.len];
        e.gpa.free(rows);
        e.gpa.free(e.window);
        e.out.deinit();
    }

    /// Filters and compresses one row of samples (`width * stride` bytes).
    pub fn writeRow(e: *RowEncoder, row: []const u8) EncodeError!void {
        if (e.rows_left == 0) return error.TooManyRows;
        e.rows_left -= 1;
        const kind = filterAdaptive(row, e.previous, e.stride, e.filtered);
        try e.zlib.writer.writeByte(kind);
        try e.zlib.writer.writeAll(e.filtered);
        @memcpy(e.previous, row);
    }

    /// Ends the image data and the file; the caller owns the returned bytes.
    pub fn finish(e: *RowEncoder) EncodeError![]u8 {
        std.debug.assert(e.rows_left == 0);
        try e.zlib.finish();
        const w = &e.out.writer;
        const idat = w.buffered()[e.idat_start..];
        std.mem.writeInt(u32, idat[0..4], @intCast(idat.len - 8), .big);
        const crc = std.hash.Crc32.hash(idat[4..]);
        try w.writeInt(u32, crc, .big);
        try writeChunk(w, "IEND", "");
        return e.out.toOwnedSlice();
    }
};

fn writeChunk(w: *std.Io.Writer, kind: *const [4]u8, data: []const u8) EncodeError!void {
    try w.writeInt(u32, @intCast(data.len), .big);
    try w.writeAll(kind);
    try w.writeAll(data);
    var crc = std.hash.Crc32.init();
    crc.update(kind);
    crc.update(data);
    try w.writeInt(u32, crc.final(), .big);
}
