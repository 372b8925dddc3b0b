//! Aggregates over a batch of readings: count, sum, mean, min, max, population
//! standard deviation, and nearest-rank percentiles (p50, p95, p99).
const std = @import("std");

pub const Aggregates = struct {
    count: usize,
    sum: f64,
    mean: f64,
    min: f64,
    max: f64,
    stddev: f64,
    p50: f64,
    p95: f64,
    p99: f64,
};

/// The nearest-rank percentile of sorted values: the smallest value such that
/// at least `p` percent of the values are at most it.
pub fn percentile(sorted: []const f64, p: f64) f64 {
    const rank: usize = @intFromFloat(@ceil(p / 100.0 * @as(f64, @floatFromInt(sorted.len))));
    return sorted[@max(rank, 1) - 1];
}

/// Computes the aggregates of `values` (sorted in place); `values` is not empty.
pub fn aggregate(values: []f64) Aggregates {
    std.debug.assert(values.len > 0);
    std.mem.sort(f64, values, {}, std.sort.asc(f64));
    var sum: f64 = 0;
    for (values) |v| sum += v;
    const n: f64 = @floatFromInt(values.len);
    const mean = sum / n;
    var squares: f64 = 0;
    for (values) |v| squares += (v - mean) * (v - mean);
    return .{
        .count = values.len,
        .sum = sum,
        .mean = mean,
        .min = values[0],
        .max = values[values.len - 1],
        .stddev = @sqrt(squares / n),
        .p50 = percentile(values, 50),
        .p95 = percentile(values, 95),
        .p99 = percentile(values, 99),
    };
}

test aggregate {
    var values = [_]f64{ 5, 1, 4, 2, 3 };
    const a = aggregate(&values);
    try std.testing.expectEqual(@as(usize, 5), a.count);
    try std.testing.expectEqual(@as(f64, 3), a.mean);
    try std.testing.expectEqual(@as(f64, 1), a.min);
    try std.testing.expectEqual(@as(f64, 5), a.max);
    try std.testing.expectEqual(@as(f64, 3), a.p50);
    try std.testing.expectEqual(@as(f64, 5), a.p95);
}
