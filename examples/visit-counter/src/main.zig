//! A visit counter behind an HTTP API, as an `exports` ABI module (no WASI):
//!
//!   GET /visits/{page}  -> 200 {"page": "<page>", "visits": N}   (adds one visit)
//!   GET /visits         -> 200 {"pages": {"<page>": N, ...}}     (every page's count)
//!
//! The counts live in the `default` key-value store, one key per page
//! (`page:<page>`), added to with the store's atomic `increment`: concurrent
//! requests never lose a visit.
const std = @import("std");
const kv = @import("wasmdeploy_kv");
const Value = std.json.Value;

const store = "default";
const key_prefix = "page:";
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
    return respond(arena, 503, .{ .@"error" = "the visit store is unavailable", .reason = @errorName(err) });
}

/// One API Gateway event (payload 2.0 or 1.0) in, the response object out.
pub fn handleEvent(arena: std.mem.Allocator, event_text: []const u8) ![]u8 {
    const event = std.json.parseFromSliceLeaky(Value, arena, event_text, .{}) catch
        return respond(arena, 400, .{ .@"error" = "the event is not JSON" });
    const page = field(field(event, "pathParameters"), "page") orelse return allPages(arena);
    if (page != .string or page.string.len == 0 or page.string.len > kv.max_key_len - key_prefix.len)
        return respond(arena, 400, .{ .@"error" = "name a page: /visits/{page}" });
    const key = try std.fmt.allocPrint(arena, key_prefix ++ "{s}", .{page.string});
    const visits = kv.increment(store, key, 1) catch |err| switch (err) {
        error.InvalidKey => return respond(arena, 400, .{ .@"error" = "the page name is not UTF-8" }),
        else => return unavailable(arena, err),
    };
    return respond(arena, 200, .{ .page = page.string, .visits = visits });
}

fn allPages(arena: std.mem.Allocator) ![]u8 {
    var pages: std.json.ObjectMap = .empty;
    const buf = try arena.alloc(u8, 128 * 1024);
    var cursor: []const u8 = "";
    while (true) {
        var page = kv.listKeys(store, key_prefix, cursor, buf) catch |err| switch (err) {
            error.NoSpaceLeft => return respond(arena, 500, .{ .@"error" = "a page of keys did not fit" }),
            else => |e| return unavailable(arena, e),
        };
        while (page.next()) |key| {
            var digits: [24]u8 = undefined;
            const n = (kv.get(store, key, &digits) catch |err| return unavailable(arena, err)) orelse continue;
            const count = std.fmt.parseInt(i64, digits[0..@min(n, digits.len)], 10) catch continue;
            try pages.put(arena, try arena.dupe(u8, key[key_prefix.len..]), .{ .integer = count });
        }
        if (page.cursor.len == 0) break;
        cursor = try arena.dupe(u8, page.cursor);
    }
    return respond(arena, 200, .{ .pages = Value{ .object = pages } });
}
