//! The image pipeline's transform: PNG in, grayscale-and-inverted PNG out.
//!
//! Gray is ITU-R BT.601 integer luma, Y = (299 R + 587 G + 114 B + 500) / 1000,
//! and the output sample is 255 - Y. Alpha, when the source has any, is kept.
const std = @import("std");
const png_decode = @import("png_decode.zig");
const png_encode = @import("png_encode.zig");

pub const Error = png_decode.DecodeError || png_encode.EncodeError;

pub fn invertedLuma(r: u8, g: u8, b: u8) u8 {
    const y = (@as(u32, r) * 299 + @as(u32, g) * 587 + @as(u32, b) * 114 + 500) / 1000;
    return @intCast(255 - y);
}

/// Decodes `png`, converts it row by row, and returns the encoded result
/// (owned by the caller). Memory: the input, its image data, the output, and
/// a few rows; never a whole decoded image.
pub fn grayscaleInvert(gpa: std.mem.Allocator, png: []const u8) Error![]u8 {
    var decoder: png_decode.RowDecoder = undefined;
    try decoder.init(gpa, png);
    defer decoder.deinit();
    var encoder: png_encode.RowEncoder = undefined;
    try encoder.init(gpa, decoder.width, decoder.height, decoder.has_alpha, png.len / 2);
    defer encoder.deinit();

    const width: usize = decoder.width;
    const channels: usize = if (decoder.has_alpha) 2 else 1;
    const rgba = try gpa.alloc(u8, width * 4);
    defer gpa.free(rgba);
    const samples = try gpa.alloc(u8, width * channels);
    defer gpa.free(samples);
    for (0..decoder.height) |_| {
        try decoder.nextRow(rgba);
        for (0..width) |x| {
            const px = rgba[4 * x ..][0..4];
            samples[x * channels] = invertedLuma(px[0], px[1], px[2]);
            if (channels == 2) samples[x * channels + 1] = px[3];
        }
        try encoder.writeRow(samples);
    }
    return encoder.finish();
}

/// A one-line, user-facing explanation of a transform error.
pub fn describe(err: Error) []const u8 {
    return switch (err) {
        error.NotPng => "input is not a PNG file (it does not start with the PNG signature)",
        error.Truncated => "the PNG file is truncated",
        error.BadChunkCrc => "the PNG file is corrupt (a chunk's CRC does not match)",
        error.MissingHeader => "the PNG file has no IHDR chunk first",
        error.MissingImageData => "the PNG file has no IDAT chunk",
        error.MissingPalette => "the palette PNG has no PLTE chunk",
        error.BadHeader => "the PNG file has an invalid IHDR, PLTE or tRNS chunk",
        error.UnsupportedInterlace => "interlaced (Adam7) PNGs are not supported; save it non-interlaced",
        error.UnsupportedFormat => "unsupported PNG colour type / bit depth combination or critical chunk",
        error.ImageTooLarge => "the image is larger than 268435456 pixels",
        error.BadPaletteIndex => "a pixel refers to a colour beyond the palette",
        error.BadFilter => "the PNG image data uses an unknown filter type",
        error.BadCompressedData => "the PNG image data is not a valid zlib stream of the right size",
        error.OutOfMemory => "out of memory (raise the function's sandbox.memoryLimit)",
        error.WriteFailed => "could not write the output image",
        error.TooManyRows => "internal error: more rows than the image height",
    };
}
