//! PNG's adaptive row filtering, for the encoder (PNG spec section 12.8): a row
//! is filtered all five ways and the type whose residuals have the least sum of
//! absolute values (read as signed bytes) is kept, the heuristic libpng uses;
//! on a tie the lower type wins.
//!
//! The five costs come from one pass over the row, 16 bytes at a time (SIMD:
//! WebAssembly's simd128, SSE/AVX natively), and only the chosen filter is
//! written out. The first pixel of a row, which has no left neighbour, and a
//! tail shorter than a vector go byte by byte; both paths give the same bytes.
const std = @import("std");
const paeth = @import("png_decode.zig").paeth;

const lanes = 16;
const Bytes = @Vector(lanes, u8);
const Sums = @Vector(lanes, u16);
/// Vectors whose costs are summed in 16-bit lanes before they are added to the
/// totals: a byte costs at most 128, and 128 * 256 stays below 2^16.
const vectors_per_flush = 256;

/// Filters `row` (`stride` bytes per pixel; `prev` is the row above, zeros for
/// the first row) into `out` with the cheapest filter; returns its type, 0-4.
pub fn filterAdaptive(row: []const u8, prev: []const u8, stride: usize, out: []u8) u8 {
    const costs = costOfEachFilter(row, prev, stride);
    var best: u8 = 0;
    for (1..5) |kind| {
        if (costs[kind] < costs[best]) best = @intCast(kind);
    }
    switch (best) {
        inline 0...4 => |kind| applyFilter(kind, row, prev, stride, out),
        else => unreachable,
    }
    return best;
}

/// The heuristic's cost of each filter type on `row`.
fn costOfEachFilter(row: []const u8, prev: []const u8, stride: usize) [5]u64 {
    var totals: [5]u64 = @splat(0);
    const head = @min(stride, row.len);
    for (0..head) |i| addCosts(&totals, row[i], 0, prev[i], 0);
    var i = head;
    while (row.len - i >= lanes) {
        var sums: [5]Sums = @splat(@splat(0));
        var n: usize = 0;
        while (n < vectors_per_flush and row.len - i >= lanes) : ({
            n += 1;
            i += lanes;
        }) {
            const x: Bytes = row[i..][0..lanes].*;
            const a: Bytes = row[i - stride ..][0..lanes].*;
            const b: Bytes = prev[i..][0..lanes].*;
            const c: Bytes = prev[i - stride ..][0..lanes].*;
            inline for (0..5) |kind| sums[kind] += cost(x -% predictVector(kind, a, b, c));
        }
        inline for (0..5) |kind| totals[kind] += @reduce(.Add, @as(@Vector(lanes, u32), sums[kind]));
    }
    for (i..row.len) |j| addCosts(&totals, row[j], row[j - stride], prev[j], prev[j - stride]);
    return totals;
}

fn addCosts(totals: *[5]u64, x: u8, a: u8, b: u8, c: u8) void {
    inline for (0..5) |kind| {
        const v: i8 = @bitCast(x -% predict(kind, a, b, c));
        totals[kind] += @abs(v);
    }
}

/// Writes `row` filtered with filter type `kind` into `out`.
fn applyFilter(comptime kind: u8, row: []const u8, prev: []const u8, stride: usize, out: []u8) void {
    const head = @min(stride, row.len);
    for (0..head) |i| out[i] = row[i] -% predict(kind, 0, prev[i], 0);
    var i = head;
    while (row.len - i >= lanes) : (i += lanes) {
        const x: Bytes = row[i..][0..lanes].*;
        const a: Bytes = row[i - stride ..][0..lanes].*;
        const b: Bytes = prev[i..][0..lanes].*;
        const c: Bytes = prev[i - stride ..][0..lanes].*;
        out[i..][0..lanes].* = x -% predictVector(kind, a, b, c);
    }
    for (i..row.len) |j| out[j] = row[j] -% predict(kind, row[j - stride], prev[j], prev[j - stride]);
}

/// The predictor of filter `kind` from the left (`a`), upper (`b`) and
/// upper-left (`c`) bytes.
fn predict(comptime kind: u8, a: u8, b: u8, c: u8) u8 {
    return switch (kind) {
        0 => 0,
        1 => a,
        2 => b,
        3 => @intCast((@as(u16, a) + b) / 2),
        4 => paeth(a, b, c),
        else => unreachable,
    };
}

/// `predict` on 16 bytes at once.
fn predictVector(comptime kind: u8, a: Bytes, b: Bytes, c: Bytes) Bytes {
    return switch (kind) {
        0 => @splat(0),
        1 => a,
        2 => b,
        3 => (a & b) + ((a ^ b) >> @splat(1)), // floor((a + b) / 2) without overflow
        4 => paethVector(a, b, c),
        else => unreachable,
    };
}

/// The Paeth predictor in 8-bit lanes. With p = a + b - c: |p - a| = |b - c|,
/// |p - b| = |a - c|, and |p - c| = |(b - c) + (a - c)|, which is the sum of the
/// other two when both differences have the same sign, else their difference.
/// The sum saturates at 255: it is only compared with the other two, which a
/// sum above 255 exceeds either way.
fn paethVector(a: Bytes, b: Bytes, c: Bytes) Bytes {
    const pa = absDiff(b, c);
    const pb = absDiff(a, c);
    const same_sign = (b >= c) == (a >= c);
    const pc = @select(u8, same_sign, pa +| pb, absDiff(pa, pb));
    return @select(u8, pa <= @min(pb, pc), a, @select(u8, pb <= pc, b, c));
}

fn absDiff(x: Bytes, y: Bytes) Bytes {
    return (x -| y) | (y -| x);
}

/// A residual's cost: its absolute value as a signed byte, 0-128.
fn cost(residual: Bytes) Sums {
    const signed: @Vector(lanes, i8) = @bitCast(residual);
    return @abs(signed);
}

/// Filters each way byte by byte and keeps the first cheapest: the definition
/// `filterAdaptive` must match.
fn filterReference(row: []const u8, prev: []const u8, stride: usize, out: []u8, scratch: []u8) u8 {
    var best: u8 = 0;
    var best_cost: u64 = std.math.maxInt(u64);
    for (0..5) |kind| {
        var total: u64 = 0;
        for (row, 0..) |x, i| {
            const a: u8 = if (i >= stride) row[i - stride] else 0;
            const c: u8 = if (i >= stride) prev[i - stride] else 0;
            const predicted = switch (kind) {
                inline 0...4 => |k| predict(k, a, prev[i], c),
                else => unreachable,
            };
            scratch[i] = x -% predicted;
            total += @abs(@as(i8, @bitCast(scratch[i])));
        }
        if (total < best_cost) {
            best_cost = total;
            best = @intCast(kind);
            @memcpy(out, scratch);
        }
    }
    return best;
}

test "filterAdaptive gives the bytes of the byte-by-byte definition" {
    var prng: std.Random.DefaultPrng = .init(0x9e3779b9);
    const random = prng.random();
    var buffers: [5][300]u8 = undefined;
    for (0..2000) |round| {
        const stride: usize = 1 + round % 2;
        const len = stride * random.uintAtMost(usize, 300 / stride);
        const row = buffers[0][0..len];
        const prev = buffers[1][0..len];
        // Smooth rows (small differences, where the filters compete) and noise.
        const spread: u8 = if (round % 3 == 0) 255 else random.uintAtMost(u8, 12);
        var level = random.int(u8);
        for (row, prev) |*x, *p| {
            level +%= random.uintAtMost(u8, spread);
            x.* = level;
            p.* = level +% random.uintAtMost(u8, spread);
        }
        const got = buffers[2][0..len];
        const want = buffers[3][0..len];
        const want_kind = filterReference(row, prev, stride, want, buffers[4][0..len]);
        try std.testing.expectEqual(want_kind, filterAdaptive(row, prev, stride, got));
        try std.testing.expectEqualSlices(u8, want, got);
    }
}

test "paethVector agrees with paeth on every input" {
    for (0..256) |a| for (0..256) |b| {
        var c_values: [lanes]u8 = undefined;
        var want: [lanes]u8 = undefined;
        var c: usize = 0;
        while (c < 256) : (c += lanes) {
            for (0..lanes) |i| {
                c_values[i] = @intCast(c + i);
                want[i] = paeth(@intCast(a), @intCast(b), @intCast(c + i));
            }
            const got: [lanes]u8 = paethVector(@splat(@intCast(a)), @splat(@intCast(b)), c_values);
            try std.testing.expectEqualSlices(u8, &want, &got);
        }
    };
}
