//! A rate limiter behind an HTTP API, as an `exports` ABI module (no WASI):
//!
//!   GET    /quota/{client}  -> 200 {"allowed": true, "remaining": N}
//!                            or 429 {"allowed": false, "retryAfter": S} past the limit
//!   DELETE /quota/{client}  -> 200 {"reset": "<client>"}
//!
//! Each client may make `limit` requests per minute (a fixed window, from the
//! request's own time). Its window lives in the `limits` store as
//! "<window>:<count>", updated with `compare_and_swap`: a request that loses a
//! race to another reads the new value and tries again, so the limit holds
//! however many instances serve the client at once.
const std = @import("std");
const kv = @import("wasmdeploy_kv");
const Value = std.json.Value;

const store = "limits";
const limit = 5;
const window_ms = 60_000;
const attempts = 16;
const gpa = std.heap.wasm_allocator;

const Response = struct {
    statusCode: u16,
    headers: struct { @"content-type": []const u8 = "application/json" } = .{},
    body: []const u8,
};

export fn alloc(len: u32) u32 {
    const buf = gpa.alloc(u8, len) catch @trap();
    return @intFromPtr(buf.ptr);
}

export fn handle(ptr: u32, len: u32) u64 {
    const event = @as([*]const u8, @ptrFromInt(ptr))[0..len];
    var arena: std.heap.ArenaAllocator = .init(gpa);
    const response = handleEvent(arena.allocator(), event) catch @trap();
    return (@as(u64, @intFromPtr(response.ptr)) << 32) | response.len;
}

fn field(v: ?Value, name: []const u8) ?Value {
    return switch (v orelse return null) {
        .object => |o| o.get(name),
        else => null,
    };
}

fn respond(arena: std.mem.Allocator, status: u16, body: anytype) ![]u8 {
    const text = try std.json.Stringify.valueAlloc(arena, body, .{});
    return std.json.Stringify.valueAlloc(arena, Response{ .statusCode = status, .body = text }, .{});
}

fn unavailable(arena: std.mem.Allocator, err: kv.Error) ![]u8 {
    return respond(arena, 503, .{ .@"error" = "the limit store is unavailable", .reason = @errorName(err) });
}

/// The request's time in epoch milliseconds (payload 2.0, then 1.0).
fn requestTime(event: Value) ?i64 {
    const context = field(event, "requestContext");
    const time = field(context, "timeEpoch") orelse field(context, "requestTimeEpoch") orelse return null;
    return if (time == .integer) time.integer else null;
}

const Window = struct { start: i64, count: i64 };

fn parseWindow(text: []const u8) ?Window {
    const colon = std.mem.indexOfScalar(u8, text, ':') orelse return null;
    return .{
        .start = std.fmt.parseInt(i64, text[0..colon], 10) catch return null,
        .count = std.fmt.parseInt(i64, text[colon + 1 ..], 10) catch return null,
    };
}

/// One API Gateway event (payload 2.0 or 1.0) in, the response object out.
pub fn handleEvent(arena: std.mem.Allocator, event_text: []const u8) ![]u8 {
    const event = std.json.parseFromSliceLeaky(Value, arena, event_text, .{}) catch
        return respond(arena, 400, .{ .@"error" = "the event is not JSON" });
    const client = field(field(event, "pathParameters"), "client") orelse
        return respond(arena, 400, .{ .@"error" = "name a client: /quota/{client}" });
    if (client != .string or client.string.len == 0 or client.string.len > 200)
        return respond(arena, 400, .{ .@"error" = "a client name is 1 to 200 bytes" });
    const key = try std.fmt.allocPrint(arena, "client:{s}", .{client.string});
    const method = field(field(field(event, "requestContext"), "http"), "method") orelse field(event, "httpMethod");
    if (method != null and method.? == .string and std.mem.eql(u8, method.?.string, "DELETE")) {
        kv.delete(store, key) catch |err| return unavailable(arena, err);
        return respond(arena, 200, .{ .reset = client.string });
    }
    const now = requestTime(event) orelse return respond(arena, 400, .{ .@"error" = "the event has no request time" });
    const window = @divFloor(now, window_ms) * window_ms;
    var buf: [64]u8 = undefined;
    for (0..attempts) |_| {
        const found = kv.get(store, key, &buf) catch |err| return unavailable(arena, err);
        const old: ?[]const u8 = if (found) |n| buf[0..@min(n, buf.len)] else null;
        const current = if (old) |text| parseWindow(text) else null;
        var next: Window = .{ .start = window, .count = 1 };
        if (current) |seen| {
            if (seen.start == window) {
                if (seen.count >= limit) {
                    const retry_after = @divFloor(window + window_ms - now + 999, 1000);
                    return respond(arena, 429, .{ .allowed = false, .retryAfter = retry_after });
                }
                next.count = seen.count + 1;
            }
        }
        const text = try std.fmt.allocPrint(arena, "{d}:{d}", .{ next.start, next.count });
        const swapped = kv.compareAndSwap(store, key, old, text) catch |err| return unavailable(arena, err);
        if (swapped) return respond(arena, 200, .{ .allowed = true, .remaining = limit - next.count });
    }
    return respond(arena, 503, .{ .@"error" = "too many concurrent requests for this client; retry" });
}
