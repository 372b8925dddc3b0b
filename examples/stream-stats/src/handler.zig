//! The HTTP side of stream-stats: an API Gateway (payload 2.0 or 1.0) event in,
//! a response object out. The request body is a JSON array of readings, or an
//! object `{"readings": [...]}`; a reading is a number or `{"value": number}`.
const std = @import("std");
const stats = @import("stats.zig");
const Value = std.json.Value;

/// The largest batch accepted in one request.
pub const max_readings = 1_000_000;

const Response = struct {
    statusCode: u16,
    headers: struct { @"content-type": []const u8 = "application/json" } = .{},
    body: []const u8,
    isBase64Encoded: bool = false,
};

const BadRequest = struct { @"error": []const u8 };

fn field(v: ?Value, name: []const u8) ?Value {
    return switch (v orelse return null) {
        .object => |o| o.get(name),
        else => null,
    };
}

fn number(v: Value) ?f64 {
    return switch (v) {
        .integer => |i| @floatFromInt(i),
        .float => |f| f,
        .number_string => |s| std.fmt.parseFloat(f64, s) catch null,
        .object => if (field(v, "value")) |inner| number(inner) else null,
        else => null,
    };
}

fn respond(arena: std.mem.Allocator, status: u16, body: anytype) ![]u8 {
    const text = try std.json.Stringify.valueAlloc(arena, body, .{});
    return std.json.Stringify.valueAlloc(arena, Response{ .statusCode = status, .body = text }, .{});
}

fn requestBody(arena: std.mem.Allocator, event: Value) ![]const u8 {
    const body = switch (field(event, "body") orelse return "") {
        .string => |s| s,
        else => return "",
    };
    const encoded = field(event, "isBase64Encoded") orelse return body;
    if (encoded != .bool or !encoded.bool) return body;
    const decoder = std.base64.standard.Decoder;
    const decoded = try arena.alloc(u8, try decoder.calcSizeForSlice(body));
    try decoder.decode(decoded, body);
    return decoded;
}

/// Handles one event (JSON text); returns the response JSON text. Bad requests
/// get a 400 response; only running out of memory is an error.
pub fn handleEvent(arena: std.mem.Allocator, event_text: []const u8) error{OutOfMemory}![]u8 {
    const event = std.json.parseFromSliceLeaky(Value, arena, event_text, .{}) catch
        return respond(arena, 400, BadRequest{ .@"error" = "the event is not JSON" });
    const body = requestBody(arena, event) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return respond(arena, 400, BadRequest{ .@"error" = "the body is not valid base64" }),
    };
    const parsed = std.json.parseFromSliceLeaky(Value, arena, body, .{}) catch
        return respond(arena, 400, BadRequest{ .@"error" = "the body is not JSON: send [1, 2.5, ...] or {\"readings\": [...]}" });
    const readings = switch (field(parsed, "readings") orelse parsed) {
        .array => |a| a.items,
        else => return respond(arena, 400, BadRequest{ .@"error" = "expected a JSON array of readings, or {\"readings\": [...]}" }),
    };
    if (readings.len == 0) return respond(arena, 400, BadRequest{ .@"error" = "no readings" });
    if (readings.len > max_readings) return respond(arena, 400, BadRequest{ .@"error" = "too many readings (at most 1000000)" });

    const values = try arena.alloc(f64, readings.len);
    for (readings, values, 0..) |reading, *out, i| {
        out.* = number(reading) orelse {
            const message = try std.fmt.allocPrint(arena, "reading {d} is not a number or {{\"value\": number}}", .{i});
            return respond(arena, 400, BadRequest{ .@"error" = message });
        };
    }
    return respond(arena, 200, stats.aggregate(values));
}
