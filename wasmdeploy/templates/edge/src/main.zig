//! A Lambda@Edge origin-request function as a WASI command: the CloudFront
//! event on stdin, the (rewritten) request on stdout.
//!
//! Rewrites, in order:
//!   /legacy/...       -> /...             (the old site's prefix is stripped)
//!   /docs/            -> /docs/index.html (a directory gets its index)
//!   /docs             -> /docs/index.html (so does a path without an extension)
//! and adds `x-original-uri` (when the URI changed) and `x-rewritten-by` headers.
const std = @import("std");
const Value = std.json.Value;

pub const legacy_prefix = "/legacy";

/// The URI the origin should see for `uri` (a CloudFront URI: path only, no query).
pub fn rewriteUri(arena: std.mem.Allocator, uri: []const u8) ![]const u8 {
    var path = uri;
    if (std.mem.eql(u8, path, legacy_prefix)) {
        path = "/";
    } else if (std.mem.startsWith(u8, path, legacy_prefix ++ "/")) {
        path = path[legacy_prefix.len..];
    }
    if (path.len == 0) path = "/";
    if (std.mem.endsWith(u8, path, "/")) return std.mem.concat(arena, u8, &.{ path, "index.html" });
    const last = path[(std.mem.lastIndexOfScalar(u8, path, '/') orelse 0) + 1 ..];
    if (std.mem.indexOfScalar(u8, last, '.') == null) return std.mem.concat(arena, u8, &.{ path, "/index.html" });
    return path;
}

fn addHeader(arena: std.mem.Allocator, headers: *std.json.ObjectMap, key: []const u8, value: []const u8) !void {
    var entry: std.json.ObjectMap = .empty;
    try entry.put(arena, "key", .{ .string = key });
    try entry.put(arena, "value", .{ .string = value });
    var list: std.json.Array = .init(arena);
    try list.append(.{ .object = entry });
    const lower = try std.ascii.allocLowerString(arena, key);
    try headers.put(arena, lower, .{ .array = list });
}

fn objectPtr(v: *Value, name: []const u8) ?*Value {
    return switch (v.*) {
        .object => |*o| o.getPtr(name),
        else => null,
    };
}

/// Finds Records[0].cf.request in the event.
fn requestOf(event: *Value) ?*Value {
    const records = objectPtr(event, "Records") orelse return null;
    if (records.* != .array or records.array.items.len == 0) return null;
    const cf = objectPtr(&records.array.items[0], "cf") orelse return null;
    const request = objectPtr(cf, "request") orelse return null;
    return if (request.* == .object) request else null;
}

fn fail(w: *std.Io.Writer, message: []const u8) !u8 {
    try w.print("error: {s}\n", .{message});
    try w.flush();
    return 1;
}

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const arena = init.arena.allocator();

    var in_buf: [16 * 1024]u8 = undefined;
    var stdin = std.Io.File.stdin().readerStreaming(io, &in_buf);
    const input = try stdin.interface.allocRemaining(arena, .limited(1024 * 1024));

    var err_buf: [512]u8 = undefined;
    var stderr = std.Io.File.stderr().writerStreaming(io, &err_buf);
    const log = &stderr.interface;

    var event = std.json.parseFromSliceLeaky(Value, arena, input, .{}) catch
        return fail(log, "the event is not JSON");
    const request = requestOf(&event) orelse
        return fail(log, "not a CloudFront event (expected Records[0].cf.request)");
    const uri_value = objectPtr(request, "uri") orelse return fail(log, "the request has no uri");
    if (uri_value.* != .string) return fail(log, "the request's uri is not a string");

    const original = uri_value.string;
    const rewritten = try rewriteUri(arena, original);
    uri_value.* = .{ .string = rewritten };

    if (objectPtr(request, "headers") == null) {
        try request.object.put(arena, "headers", .{ .object = .empty });
    }
    const headers = &objectPtr(request, "headers").?.object;
    if (!std.mem.eql(u8, original, rewritten)) try addHeader(arena, headers, "X-Original-Uri", original);
    try addHeader(arena, headers, "X-Rewritten-By", "wasmdeploy-edge-rewrite");

    try log.print("{s} -> {s}\n", .{ original, rewritten });
    try log.flush();

    var out_buf: [4096]u8 = undefined;
    var stdout = std.Io.File.stdout().writerStreaming(io, &out_buf);
    try std.json.Stringify.value(request.*, .{}, &stdout.interface);
    try stdout.interface.flush();
    return 0;
}

test rewriteUri {
    const a = std.testing.allocator;
    var arena_state = std.heap.ArenaAllocator.init(a);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    try std.testing.expectEqualStrings("/index.html", try rewriteUri(arena, "/"));
    try std.testing.expectEqualStrings("/docs/index.html", try rewriteUri(arena, "/docs/"));
    try std.testing.expectEqualStrings("/docs/index.html", try rewriteUri(arena, "/docs"));
    try std.testing.expectEqualStrings("/img/a.png", try rewriteUri(arena, "/img/a.png"));
    try std.testing.expectEqualStrings("/about/index.html", try rewriteUri(arena, "/legacy/about"));
    try std.testing.expectEqualStrings("/index.html", try rewriteUri(arena, "/legacy"));
    try std.testing.expectEqualStrings("/legacyx/index.html", try rewriteUri(arena, "/legacyx"));
}
