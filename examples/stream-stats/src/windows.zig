//! The pipeline side of stream-stats: the statistics of each window of sensor
//! readings, per sensor. A window arrives as an event AWS sends a function:
//! an SNS notification whose message is `{"sensor": "s1", "readings": [...]}`,
//! a Kinesis batch or an SQS batch whose records each hold one reading
//! `{"sensor": "s1", "value": 21.5}`, an EventBridge event whose `detail` is
//! a window or a reading, or such a window invoked directly. An SQS message
//! without a valid reading is reported in `batchItemFailures`.
const std = @import("std");
const stats = @import("stats.zig");
const Value = std.json.Value;
const Allocator = std.mem.Allocator;

pub const Error = error{ OutOfMemory, NoReadings };

const SensorWindow = struct {
    sensor: []const u8,
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

const ItemFailure = struct { itemIdentifier: []const u8 };

const Answer = struct {
    windows: []const SensorWindow,
    readings: usize,
    rejected: usize,
    /// SQS messages that hold no valid reading: with `functionResponseType:
    /// ReportBatchItemFailures` Lambda keeps just these in the queue (and its
    /// redrive policy moves them to the dead-letter queue); the rest are done.
    batchItemFailures: []const ItemFailure,
};

const Readings = struct {
    by_sensor: std.array_hash_map.String(std.ArrayList(f64)) = .empty,
    accepted: usize = 0,
    rejected: usize = 0,
    failures: std.ArrayList(ItemFailure) = .empty,

    fn add(self: *Readings, arena: Allocator, sensor: []const u8, value: f64) !void {
        const slot = try self.by_sensor.getOrPut(arena, sensor);
        if (!slot.found_existing) slot.value_ptr.* = .empty;
        try slot.value_ptr.append(arena, value);
        self.accepted += 1;
    }
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

fn number(v: Value) ?f64 {
    return switch (v) {
        .integer => |i| @floatFromInt(i),
        .float => |f| if (std.math.isFinite(f)) f else null,
        .number_string => |s| std.fmt.parseFloat(f64, s) catch null,
        .object => if (field(v, "value")) |inner| number(inner) else null,
        else => null,
    };
}

/// One reading (`{"sensor", "value"}` or a bare number) or a window
/// (`{"sensor", "readings": [...]}` or an array of readings).
fn addJson(arena: Allocator, into: *Readings, v: Value, sensor: []const u8) Allocator.Error!void {
    const name = string(field(v, "sensor")) orelse sensor;
    const list = switch (v) {
        .array => |a| a.items,
        else => if (field(v, "readings")) |r| switch (r) {
            .array => |a| a.items,
            else => {
                into.rejected += 1;
                return;
            },
        } else null,
    };
    if (list) |items| {
        for (items) |item| try addJson(arena, into, item, name);
        return;
    }
    if (number(v)) |value| try into.add(arena, name, value) else into.rejected += 1;
}

fn addText(arena: Allocator, into: *Readings, text: []const u8) Allocator.Error!void {
    const parsed = std.json.parseFromSliceLeaky(Value, arena, text, .{}) catch {
        into.rejected += 1;
        return;
    };
    try addJson(arena, into, parsed, "unknown");
}

fn addBase64(arena: Allocator, into: *Readings, encoded: []const u8) Allocator.Error!void {
    const decoder = std.base64.standard.Decoder;
    const size = decoder.calcSizeForSlice(encoded) catch {
        into.rejected += 1;
        return;
    };
    const decoded = try arena.alloc(u8, size);
    decoder.decode(decoded, encoded) catch {
        into.rejected += 1;
        return;
    };
    try addText(arena, into, decoded);
}

fn addRecord(arena: Allocator, into: *Readings, record: Value) Allocator.Error!void {
    if (string(field(field(record, "Sns"), "Message"))) |message| return addText(arena, into, message);
    if (string(field(field(record, "kinesis"), "data"))) |data| return addBase64(arena, into, data);
    if (string(field(record, "body"))) |body| {
        const before = into.accepted;
        try addText(arena, into, body);
        const message_id = string(field(record, "messageId"));
        if (into.accepted == before and message_id != null)
            try into.failures.append(arena, .{ .itemIdentifier = message_id.? });
        return;
    }
    into.rejected += 1;
}

/// The statistics of the window the event carries, as JSON text; a window with
/// no valid reading at all is an error (the function fails, so AWS retries it
/// and then sends it to the onFailure destination).
pub fn handleEvent(arena: Allocator, event_text: []const u8) Error![]u8 {
    var readings: Readings = .{};
    const event = std.json.parseFromSliceLeaky(Value, arena, event_text, .{}) catch
        return error.NoReadings;
    if (field(event, "Records")) |records| switch (records) {
        .array => |a| for (a.items) |record| try addRecord(arena, &readings, record),
        else => return error.NoReadings,
    } else if (field(event, "detail")) |detail| {
        try addJson(arena, &readings, detail, "unknown"); // an EventBridge event
    } else try addJson(arena, &readings, event, "unknown");
    if (readings.accepted == 0 and readings.failures.items.len == 0) return error.NoReadings;

    const windows = try arena.alloc(SensorWindow, readings.by_sensor.count());
    for (readings.by_sensor.keys(), readings.by_sensor.values(), windows) |sensor, values, *out| {
        const a = stats.aggregate(values.items);
        out.* = .{
            .sensor = sensor,
            .count = a.count,
            .sum = a.sum,
            .mean = a.mean,
            .min = a.min,
            .max = a.max,
            .stddev = a.stddev,
            .p50 = a.p50,
            .p95 = a.p95,
            .p99 = a.p99,
        };
    }
    const answer: Answer = .{
        .windows = windows,
        .readings = readings.accepted,
        .rejected = readings.rejected,
        .batchItemFailures = readings.failures.items,
    };
    return std.json.Stringify.valueAlloc(arena, answer, .{});
}

test handleEvent {
    var arena: std.heap.ArenaAllocator = .init(std.testing.allocator);
    defer arena.deinit();
    const event =
        \\{"Records": [{"Sns": {"Message": "{\"sensor\": \"s1\", \"readings\": [3, 1, 2, \"x\"]}"}}]}
    ;
    const answer = try handleEvent(arena.allocator(), event);
    try std.testing.expect(std.mem.indexOf(u8, answer, "\"sensor\":\"s1\",\"count\":3") != null);
    try std.testing.expect(std.mem.indexOf(u8, answer, "\"rejected\":1") != null);
    try std.testing.expectError(error.NoReadings, handleEvent(arena.allocator(), "{\"Records\": []}"));
    const sqs =
        \\{"Records": [{"messageId": "m1", "body": "{\"sensor\": \"s1\", \"value\": 2}"},
        \\             {"messageId": "m2", "body": "not a reading"}]}
    ;
    const partial = try handleEvent(arena.allocator(), sqs);
    try std.testing.expect(std.mem.indexOf(u8, partial, "\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]") != null);
}
