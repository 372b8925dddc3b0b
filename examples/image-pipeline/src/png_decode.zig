//! PNG decoding: the chunk stream, zlib inflate (std.compress.flate), scanline
//! unfiltering, and conversion of every supported colour type to RGBA8.
//!
//! Takes: bit depths 1/2/4/8 gray, 1/2/4/8 palette, 8/16 gray+alpha, RGB and
//! RGBA, 16-bit gray; every filter type; tRNS on palette images.
//! Refuses: interlaced (Adam7) images.
const std = @import("std");
const flate = std.compress.flate;

pub const signature = [8]u8{ 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/// The largest image accepted, in pixels (a 16384 x 16384 image).
pub const max_pixels: u64 = 1 << 28;

pub const DecodeError = error{
    NotPng,
    Truncated,
    BadChunkCrc,
    MissingHeader,
    MissingImageData,
    MissingPalette,
    BadHeader,
    UnsupportedInterlace,
    UnsupportedFormat,
    ImageTooLarge,
    BadPaletteIndex,
    BadFilter,
    BadCompressedData,
    OutOfMemory,
};

const ColorType = enum(u8) {
    gray = 0,
    rgb = 2,
    palette = 3,
    gray_alpha = 4,
    rgba = 6,

    fn channels(ct: ColorType) u32 {
        return switch (ct) {
            .gray, .palette => 1,
            .gray_alpha => 2,
            .rgb => 3,
            .rgba => 4,
        };
    }

    fn allowsDepth(ct: ColorType, depth: u8) bool {
        return switch (ct) {
            .gray => depth == 1 or depth == 2 or depth == 4 or depth == 8 or depth == 16,
            .palette => depth == 1 or depth == 2 or depth == 4 or depth == 8,
            .rgb, .gray_alpha, .rgba => depth == 8 or depth == 16,
        };
    }
};

const Header = struct {
    width: u32,
    height: u32,
    depth: u8,
    color: ColorType,

    fn rowBytes(h: Header) usize {
        const bits = @as(u64, h.width) * h.color.channels() * h.depth;
        return @intCast((bits + 7) / 8);
    }

    /// Bytes per complete pixel, at least 1: the filter's "left" distance.
    fn filterStride(h: Header) usize {
        return @max(1, h.color.channels() * h.depth / 8);
    }
};

const Chunk = struct {
    kind: [4]u8,
    data: []const u8,
};

/// Iterates over the chunks after the signature, checking each CRC.
const ChunkReader = struct {
    bytes: []const u8,
    pos: usize = signature.len,

    fn next(r: *ChunkReader) DecodeError!?Chunk {
        if (r.pos == r.bytes.len) return null;
        if (r.bytes.len - r.pos < 12) return error.Truncated;
        const len = std.mem.readInt(u32, r.bytes[r.pos..][0..4], .big);
        if (len > r.bytes.len - r.pos - 12) return error.Truncated;
        const typed = r.bytes[r.pos + 4 .. r.pos + 8 + len];
        const crc = std.mem.readInt(u32, r.bytes[r.pos + 8 + len ..][0..4], .big);
        if (std.hash.Crc32.hash(typed) != crc) return error.BadChunkCrc;
        r.pos += 12 + len;
        return .{ .kind = typed[0..4].*, .data = typed[4..] };
    }
};

fn parseHeader(data: []const u8) DecodeError!Header {
    if (data.len != 13) return error.BadHeader;
    const width = std.mem.readInt(u32, data[0..4], .big);
    const height = std.mem.readInt(u32, data[4..8], .big);
    if (width == 0 or height == 0 or width > 0x7fff_ffff or height > 0x7fff_ffff)
        return error.BadHeader;
    if (@as(u64, width) * height > max_pixels) return error.ImageTooLarge;
    const color = std.enums.fromInt(ColorType, data[9]) orelse return error.UnsupportedFormat;
    const depth = data[8];
    if (!color.allowsDepth(depth)) return error.UnsupportedFormat;
    if (data[10] != 0 or data[11] != 0) return error.BadHeader;
    if (data[12] != 0) return error.UnsupportedInterlace;
    return .{ .width = width, .height = height, .depth = depth, .color = color };
}

/// Decodes a PNG held in memory one scanline at a time: only the compressed
/// image data, the inflate window and two scanlines are held, never the image.
///
/// `init` in place (the inflater points into the decoder), then `nextRow` once
/// per row, then `deinit`.
pub const RowDecoder = struct {
    width: u32,
    height: u32,
    /// The source carries transparency (an alpha channel or a palette tRNS).
    has_alpha: bool,

    gpa: std.mem.Allocator,
    header: Header,
    palette: [256][4]u8,
    palette_len: usize,
    compressed: std.ArrayList(u8),
    input: std.Io.Reader,
    zlib: flate.Decompress,
    window: []u8,
    line: []u8, // the filter byte and the current scanline
    previous: []u8, // the previous scanline, unfiltered (zeros before the first)

    pub fn init(d: *RowDecoder, gpa: std.mem.Allocator, bytes: []const u8) DecodeError!void {
        if (bytes.len < signature.len or !std.mem.eql(u8, bytes[0..8], &signature))
            return error.NotPng;
        d.gpa = gpa;
        d.palette = @splat(.{ 0, 0, 0, 255 });
        d.palette_len = 0;
        d.compressed = .empty;
        errdefer d.compressed.deinit(gpa);
        // The image data is at most the file: one allocation, no growth.
        try d.compressed.ensureTotalCapacityPrecise(gpa, bytes.len);
        const palette_alpha = try d.readChunks(bytes);
        const h = d.header;
        d.width = h.width;
        d.height = h.height;
        d.has_alpha = h.color == .gray_alpha or h.color == .rgba or palette_alpha;

        d.window = try gpa.alloc(u8, flate.max_window_len);
        errdefer gpa.free(d.window);
        d.line = try gpa.alloc(u8, h.rowBytes() + 1);
        errdefer gpa.free(d.line);
        d.previous = try gpa.alloc(u8, h.rowBytes());
        @memset(d.previous, 0);
        d.input = .fixed(d.compressed.items);
        d.zlib = .init(&d.input, .zlib, d.window);
    }

    pub fn deinit(d: *RowDecoder) void {
        d.gpa.free(d.previous);
        d.gpa.free(d.line);
        d.gpa.free(d.window);
        d.compressed.deinit(d.gpa);
    }

    /// Reads the chunks: header, palette, transparency, and the image data.
    /// Returns whether a palette tRNS was seen.
    fn readChunks(d: *RowDecoder, bytes: []const u8) DecodeError!bool {
        var chunks: ChunkReader = .{ .bytes = bytes };
        var header: ?Header = null;
        var palette_alpha = false;
        while (try chunks.next()) |chunk| {
            if (std.mem.eql(u8, &chunk.kind, "IHDR")) {
                if (header != null) return error.BadHeader;
                header = try parseHeader(chunk.data);
                continue;
            }
            const h = header orelse return error.MissingHeader;
            if (std.mem.eql(u8, &chunk.kind, "PLTE")) {
                if (chunk.data.len % 3 != 0 or chunk.data.len > 768) return error.BadHeader;
                d.palette_len = chunk.data.len / 3;
                for (0..d.palette_len) |i| {
                    const rgb = chunk.data[3 * i ..][0..3];
                    d.palette[i] = .{ rgb[0], rgb[1], rgb[2], 255 };
                }
            } else if (std.mem.eql(u8, &chunk.kind, "tRNS")) {
                if (h.color == .palette) {
                    if (chunk.data.len > 256) return error.BadHeader;
                    for (chunk.data, 0..) |alpha, i| d.palette[i][3] = alpha;
                    palette_alpha = true;
                }
            } else if (std.mem.eql(u8, &chunk.kind, "IDAT")) {
                try d.compressed.appendSlice(d.gpa, chunk.data);
            } else if (std.mem.eql(u8, &chunk.kind, "IEND")) {
                break;
            } else if (chunk.kind[0] & 0x20 == 0) {
                // An unknown critical chunk (upper-case first letter) cannot be skipped.
                return error.UnsupportedFormat;
            }
        } else return error.Truncated;

        d.header = header orelse return error.MissingHeader;
        if (d.compressed.items.len == 0) return error.MissingImageData;
        if (d.header.color == .palette and d.palette_len == 0) return error.MissingPalette;
        return palette_alpha;
    }

    /// Decodes the next row into `out` as RGBA8 (`width * 4` bytes).
    pub fn nextRow(d: *RowDecoder, out: []u8) DecodeError!void {
        d.zlib.reader.readSliceAll(d.line) catch return error.BadCompressedData;
        const row = d.line[1..];
        try unfilter(d.line[0], row, d.previous, d.header.filterStride());
        try expandRow(d.header, row, out, d.palette[0..d.palette_len]);
        @memcpy(d.previous, row);
    }
};

pub fn paeth(a: u8, b: u8, c: u8) u8 {
    const p = @as(i16, a) + b - c;
    const pa = @abs(p - a);
    const pb = @abs(p - b);
    const pc = @abs(p - c);
    if (pa <= pb and pa <= pc) return a;
    if (pb <= pc) return b;
    return c;
}

/// Reverses one scanline's filter in place (PNG spec section 9).
fn unfilter(kind: u8, row: []u8, previous: []const u8, stride: usize) DecodeError!void {
    switch (kind) {
        0 => {},
        1 => for (stride..row.len) |i| {
            row[i] +%= row[i - stride];
        },
        2 => for (row, previous) |*x, b| {
            x.* +%= b;
        },
        3 => for (row, 0..) |*x, i| {
            const a: u16 = if (i >= stride) row[i - stride] else 0;
            x.* +%= @intCast((a + previous[i]) / 2);
        },
        4 => for (row, 0..) |*x, i| {
            const a = if (i >= stride) row[i - stride] else 0;
            const c = if (i >= stride) previous[i - stride] else 0;
            x.* +%= paeth(a, previous[i], c);
        },
        else => return error.BadFilter,
    }
}

/// Reads the `index`-th sample of `depth` bits from a packed scanline.
fn sample(row: []const u8, index: usize, depth: u8) u16 {
    return switch (depth) {
        8 => row[index],
        16 => std.mem.readInt(u16, row[2 * index ..][0..2], .big),
        else => blk: {
            const bit = index * depth;
            const shift: u3 = @intCast(8 - depth - bit % 8);
            const mask = (@as(u8, 1) << @intCast(depth)) - 1;
            break :blk (row[bit / 8] >> shift) & mask;
        },
    };
}

/// Scales a sample of `depth` bits to 8 bits (16-bit samples keep their high byte).
fn to8(value: u16, depth: u8) u8 {
    return switch (depth) {
        8 => @intCast(value),
        16 => @intCast(value >> 8),
        else => @intCast(value * 255 / ((@as(u16, 1) << @intCast(depth)) - 1)),
    };
}

fn expandRow(h: Header, row: []const u8, out: []u8, palette: []const [4]u8) DecodeError!void {
    if (h.depth == 8) return expandRow8(h.color, row, out, palette);
    const n = h.color.channels();
    for (0..h.width) |x| {
        const px = out[4 * x ..][0..4];
        switch (h.color) {
            .gray => {
                const g = to8(sample(row, x, h.depth), h.depth);
                px.* = .{ g, g, g, 255 };
            },
            .palette => {
                const i = sample(row, x, h.depth);
                if (i >= palette.len) return error.BadPaletteIndex;
                px.* = palette[i];
            },
            .gray_alpha, .rgb, .rgba => {
                var s: [4]u8 = undefined;
                for (0..n) |c| s[c] = to8(sample(row, x * n + c, h.depth), h.depth);
                px.* = switch (h.color) {
                    .gray_alpha => .{ s[0], s[0], s[0], s[1] },
                    .rgb => .{ s[0], s[1], s[2], 255 },
                    else => s,
                };
            },
        }
    }
}

/// The common case, 8 bits per sample, without per-sample dispatch.
fn expandRow8(color: ColorType, row: []const u8, out: []u8, palette: []const [4]u8) DecodeError!void {
    switch (color) {
        .rgba => @memcpy(out, row),
        .rgb => for (0..out.len / 4) |x| {
            out[4 * x ..][0..4].* = .{ row[3 * x], row[3 * x + 1], row[3 * x + 2], 255 };
        },
        .gray_alpha => for (0..out.len / 4) |x| {
            const g = row[2 * x];
            out[4 * x ..][0..4].* = .{ g, g, g, row[2 * x + 1] };
        },
        .gray => for (row, 0..) |g, x| {
            out[4 * x ..][0..4].* = .{ g, g, g, 255 };
        },
        .palette => for (row, 0..) |i, x| {
            if (i >= palette.len) return error.BadPaletteIndex;
            out[4 * x ..][0..4].* = palette[i];
        },
    }
}
