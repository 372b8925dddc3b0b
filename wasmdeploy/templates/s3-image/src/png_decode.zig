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

/// A decoded image: `pixels` is width * height RGBA8 quadruples, row by row.
pub const Image = struct {
    width: u32,
    height: u32,
    /// The source carried transparency (an alpha channel or a palette tRNS).
    has_alpha: bool,
    pixels: []u8,
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

/// Decodes a whole PNG held in memory.
pub fn decode(gpa: std.mem.Allocator, bytes: []const u8) DecodeError!Image {
    if (bytes.len < signature.len or !std.mem.eql(u8, bytes[0..8], &signature))
        return error.NotPng;

    var chunks: ChunkReader = .{ .bytes = bytes };
    var header: ?Header = null;
    var palette: [256][4]u8 = @splat(.{ 0, 0, 0, 255 });
    var palette_len: usize = 0;
    var palette_alpha = false;
    var compressed: std.ArrayList(u8) = .empty;
    defer compressed.deinit(gpa);

    while (try chunks.next()) |chunk| {
        if (header == null and !std.mem.eql(u8, &chunk.kind, "IHDR")) return error.MissingHeader;
        if (std.mem.eql(u8, &chunk.kind, "IHDR")) {
            if (header != null) return error.BadHeader;
            header = try parseHeader(chunk.data);
        } else if (std.mem.eql(u8, &chunk.kind, "PLTE")) {
            if (chunk.data.len % 3 != 0 or chunk.data.len > 768) return error.BadHeader;
            palette_len = chunk.data.len / 3;
            for (0..palette_len) |i| {
                palette[i] = .{ chunk.data[3 * i], chunk.data[3 * i + 1], chunk.data[3 * i + 2], 255 };
            }
        } else if (std.mem.eql(u8, &chunk.kind, "tRNS")) {
            if (header.?.color == .palette) {
                if (chunk.data.len > 256) return error.BadHeader;
                for (chunk.data, 0..) |alpha, i| palette[i][3] = alpha;
                palette_alpha = true;
            }
        } else if (std.mem.eql(u8, &chunk.kind, "IDAT")) {
            try compressed.appendSlice(gpa, chunk.data);
        } else if (std.mem.eql(u8, &chunk.kind, "IEND")) {
            break;
        } else if (chunk.kind[0] & 0x20 == 0) {
            // An unknown critical chunk (upper-case first letter) cannot be skipped.
            return error.UnsupportedFormat;
        }
    } else return error.Truncated;

    const h = header orelse return error.MissingHeader;
    if (compressed.items.len == 0) return error.MissingImageData;
    if (h.color == .palette and palette_len == 0) return error.MissingPalette;

    const row_bytes = h.rowBytes();
    const raw_len = (row_bytes + 1) * h.height;
    const raw = try inflate(gpa, compressed.items, raw_len);
    defer gpa.free(raw);

    const pixels = try gpa.alloc(u8, @as(usize, h.width) * h.height * 4);
    errdefer gpa.free(pixels);
    const previous = try gpa.alloc(u8, row_bytes);
    defer gpa.free(previous);
    @memset(previous, 0);

    for (0..h.height) |y| {
        const line = raw[y * (row_bytes + 1) ..][0 .. row_bytes + 1];
        const row = line[1..];
        try unfilter(line[0], row, previous, h.filterStride());
        const out = pixels[y * h.width * 4 ..][0 .. h.width * 4];
        try expandRow(h, row, out, palette[0..palette_len]);
        @memcpy(previous, row);
    }

    return .{
        .width = h.width,
        .height = h.height,
        .has_alpha = h.color == .gray_alpha or h.color == .rgba or palette_alpha,
        .pixels = pixels,
    };
}

/// Inflates the zlib stream of the concatenated IDAT chunks into exactly `len` bytes.
fn inflate(gpa: std.mem.Allocator, compressed: []const u8, len: usize) DecodeError![]u8 {
    const out = try gpa.alloc(u8, len);
    errdefer gpa.free(out);
    const window = try gpa.alloc(u8, flate.max_window_len);
    defer gpa.free(window);
    var input: std.Io.Reader = .fixed(compressed);
    var zlib: flate.Decompress = .init(&input, .zlib, window);
    zlib.reader.readSliceAll(out) catch return error.BadCompressedData;
    return out;
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
