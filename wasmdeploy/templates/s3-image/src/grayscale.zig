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

/// Decodes `png`, converts it, and returns the encoded result (owned by the caller).
pub fn grayscaleInvert(gpa: std.mem.Allocator, png: []const u8) Error![]u8 {
    const img = try png_decode.decode(gpa, png);
    defer gpa.free(img.pixels);

    const channels: usize = if (img.has_alpha) 2 else 1;
    const pixel_count = @as(usize, img.width) * img.height;
    const samples = try gpa.alloc(u8, pixel_count * channels);
    defer gpa.free(samples);
    for (0..pixel_count) |i| {
        const px = img.pixels[4 * i ..][0..4];
        samples[i * channels] = invertedLuma(px[0], px[1], px[2]);
        if (img.has_alpha) samples[i * channels + 1] = px[3];
    }
    return png_encode.encode(gpa, .{
        .width = img.width,
        .height = img.height,
        .has_alpha = img.has_alpha,
        .samples = samples,
    });
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
    };
}
