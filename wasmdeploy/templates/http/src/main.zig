//! A JSON API as a WASI command: the API Gateway event on stdin, the response
//! object on stdout. Understands both payload formats: HTTP API (`httpApi`,
//! payload 2.0) and REST API (`http`, payload 1.0).
//!
//!   GET  /hello/{name}  -> 200 {"message": "<GREETING>, <name>!"}
//!   POST /echo          -> 200 {"echo": <the JSON body, or the body as a string>}
//!   anything else       -> 404 {"error": "not found", ...}
//!
//! With `BASE_PATH` set (e.g. `/rest`), the routes live under it: `/rest/echo`.
const std = @import("std");
const Value = std.json.Value;

const Request = struct {
    method: []const u8,
    path: []const u8,
    name_param: ?[]const u8,
    body: []const u8,
};

const Response = struct {
    statusCode: u16,
    headers: struct { @"content-type": []const u8 = "application/json" } = .{},
    body: []const u8,
    isBase64Encoded: bool = false,
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

/// Reads method, path, {name} and body from a payload 2.0 or 1.0 event.
fn parseRequest(arena: std.mem.Allocator, event: Value) !Request {
    const context = field(event, "requestContext");
    const method = string(field(field(context, "http"), "method")) // 2.0
        orelse string(field(event, "httpMethod")) // 1.0
        orelse return error.NotApiGatewayEvent;
    const path = string(field(event, "rawPath")) orelse string(field(event, "path")) orelse "/";
    var body = string(field(event, "body")) orelse "";
    if (field(event, "isBase64Encoded")) |flag| {
        if (flag == .bool and flag.bool) {
            const decoder = std.base64.standard.Decoder;
            const decoded = try arena.alloc(u8, try decoder.calcSizeForSlice(body));
            try decoder.decode(decoded, body);
            body = decoded;
        }
    }
    return .{
        .method = method,
        .path = path,
        .name_param = string(field(field(event, "pathParameters"), "name")),
        .body = body,
    };
}

fn json(arena: std.mem.Allocator, status: u16, value: anytype) !Response {
    return .{ .statusCode = status, .body = try std.json.Stringify.valueAlloc(arena, value, .{}) };
}

/// The request path below `base` ("" for none); null when it is not below it.
pub fn stripBase(path: []const u8, base: []const u8) ?[]const u8 {
    if (base.len == 0) return path;
    if (!std.mem.startsWith(u8, path, base)) return null;
    const rest = path[base.len..];
    if (rest.len == 0) return "/";
    return if (rest[0] == '/') rest else null;
}

fn route(arena: std.mem.Allocator, full: Request, greeting: []const u8, base: []const u8) !Response {
    var req = full;
    req.path = stripBase(full.path, base) orelse
        return json(arena, 404, .{ .@"error" = "not found", .method = full.method, .path = full.path });
    const hello_prefix = "/hello/";
    if (std.mem.startsWith(u8, req.path, hello_prefix) and req.path.len > hello_prefix.len) {
        if (!std.mem.eql(u8, req.method, "GET")) return methodNotAllowed(arena, req, "GET");
        const name = req.name_param orelse req.path[hello_prefix.len..];
        const message = try std.fmt.allocPrint(arena, "{s}, {s}!", .{ greeting, name });
        return json(arena, 200, .{ .message = message });
    }
    if (std.mem.eql(u8, req.path, "/echo")) {
        if (!std.mem.eql(u8, req.method, "POST")) return methodNotAllowed(arena, req, "POST");
        if (std.json.parseFromSliceLeaky(Value, arena, req.body, .{})) |parsed| {
            return json(arena, 200, .{ .echo = parsed });
        } else |_| {
            return json(arena, 200, .{ .echo = req.body });
        }
    }
    return json(arena, 404, .{ .@"error" = "not found", .method = full.method, .path = full.path });
}

fn methodNotAllowed(arena: std.mem.Allocator, req: Request, allowed: []const u8) !Response {
    return json(arena, 405, .{ .@"error" = "method not allowed", .method = req.method, .allow = allowed });
}

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const arena = init.arena.allocator();

    var in_buf: [16 * 1024]u8 = undefined;
    var stdin = std.Io.File.stdin().readerStreaming(io, &in_buf);
    const input = try stdin.interface.allocRemaining(arena, .limited(16 * 1024 * 1024));

    var err_buf: [512]u8 = undefined;
    var stderr = std.Io.File.stderr().writerStreaming(io, &err_buf);

    const response = blk: {
        const event = std.json.parseFromSliceLeaky(Value, arena, input, .{}) catch {
            try stderr.interface.print("error: the event is not JSON\n", .{});
            try stderr.interface.flush();
            return 1;
        };
        const req = parseRequest(arena, event) catch |err| switch (err) {
            error.NotApiGatewayEvent => {
                try stderr.interface.print("error: not an API Gateway event (no requestContext.http.method or httpMethod)\n", .{});
                try stderr.interface.flush();
                return 1;
            },
            error.InvalidCharacter, error.InvalidPadding, error.NoSpaceLeft => break :blk try json(arena, 400, .{ .@"error" = "the body is not valid base64" }),
            error.OutOfMemory => return err,
        };
        const greeting = init.environ_map.get("GREETING") orelse "Hello";
        const base = init.environ_map.get("BASE_PATH") orelse "";
        const response = try route(arena, req, greeting, base);
        try stderr.interface.print("{s} {s} -> {d}\n", .{ req.method, req.path, response.statusCode });
        break :blk response;
    };
    try stderr.interface.flush();

    var out_buf: [4096]u8 = undefined;
    var stdout = std.Io.File.stdout().writerStreaming(io, &out_buf);
    try std.json.Stringify.value(response, .{}, &stdout.interface);
    try stdout.interface.flush();
    return 0;
}

test stripBase {
    try std.testing.expectEqualStrings("/echo", stripBase("/echo", "").?);
    try std.testing.expectEqualStrings("/echo", stripBase("/rest/echo", "/rest").?);
    try std.testing.expectEqualStrings("/", stripBase("/rest", "/rest").?);
    try std.testing.expect(stripBase("/restless", "/rest") == null);
    try std.testing.expect(stripBase("/echo", "/rest") == null);
}
