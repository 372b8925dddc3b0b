//! What a scheduled run reports: which job fired, when, and which period it
//! closes. The event is EventBridge's "Scheduled Event" (its `time` is the
//! scheduled minute, in UTC) or, when the schedule sets `input`, that input:
//! `{"job": "daily-digest", "period": "day"}`.
const std = @import("std");
const Value = std.json.Value;

pub const Error = error{ OutOfMemory, NotAScheduledEvent };

const Report = struct {
    job: []const u8,
    firedAt: ?[]const u8,
    rule: ?[]const u8,
    period: []const u8,
    closes: ?[]const u8,
};

fn field(v: ?Value, name: []const u8) ?Value {
    return switch (v orelse return null) {
        .object => |o| o.get(name),
        else => null,
    };
}

fn string(v: ?Value) ?[]const u8 {
    return switch (v orelse return null) {
        .string => |s| s,
        else => null,
    };
}

/// The part of an ISO-8601 UTC time (`2026-12-01T08:00:00Z`) that names the
/// period: the day (`2026-12-01`), the hour (`2026-12-01T08`) or the minute.
fn periodOf(time: []const u8, period: []const u8) ?[]const u8 {
    const length: usize = if (std.mem.eql(u8, period, "day")) 10 else if (std.mem.eql(u8, period, "hour")) 13 else 16;
    return if (time.len >= length) time[0..length] else null;
}

pub fn handleEvent(arena: std.mem.Allocator, event_text: []const u8) Error![]u8 {
    const event = std.json.parseFromSliceLeaky(Value, arena, event_text, .{}) catch
        return error.NotAScheduledEvent;
    if (event != .object) return error.NotAScheduledEvent;
    const scheduled = std.mem.eql(u8, string(field(event, "detail-type")) orelse "", "Scheduled Event");
    const job = string(field(event, "job")) orelse if (scheduled) "tick" else return error.NotAScheduledEvent;
    const period = string(field(event, "period")) orelse "minute";
    const fired = string(field(event, "time"));
    const rule = if (field(event, "resources")) |r| switch (r) {
        .array => |a| if (a.items.len > 0) string(a.items[0]) else null,
        else => null,
    } else null;
    const report: Report = .{
        .job = job,
        .firedAt = fired,
        .rule = rule,
        .period = period,
        .closes = if (fired) |time| periodOf(time, period) else null,
    };
    return std.json.Stringify.valueAlloc(arena, report, .{});
}

test handleEvent {
    var arena: std.heap.ArenaAllocator = .init(std.testing.allocator);
    defer arena.deinit();
    const tick = try handleEvent(arena.allocator(),
        \\{"detail-type": "Scheduled Event", "time": "2026-12-01T08:05:00Z", "resources": ["arn:r"]}
    );
    try std.testing.expectEqualStrings(
        \\{"job":"tick","firedAt":"2026-12-01T08:05:00Z","rule":"arn:r","period":"minute","closes":"2026-12-01T08:05"}
    , tick);
    const digest = try handleEvent(arena.allocator(), "{\"job\": \"digest\", \"period\": \"day\"}");
    try std.testing.expect(std.mem.indexOf(u8, digest, "\"job\":\"digest\"") != null);
    try std.testing.expectError(error.NotAScheduledEvent, handleEvent(arena.allocator(), "[1]"));
}
