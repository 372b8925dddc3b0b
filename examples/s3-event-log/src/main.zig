//! wasm-handler: a WASI command for S3 events. Reads the S3 notification on
//! stdin, logs one line per object on stderr, and writes a JSON summary of the
//! objects on stdout. Anything but an S3 event is an error (exit 1).
const std = @import("std");
const Value = std.json.Value;

const ObjectSummary = struct {
    bucket: []const u8,
    key: []const u8,
    size: i64,
    eventName: []const u8,
    eventTime: ?[]const u8,
};

const Summary = struct {
    count: usize,
    totalBytes: i64,
    objects: []const ObjectSummary,
};

const EventError = error{ NotJson, NotS3Event, OutOfMemory };

fn field(v: Value, name: []const u8) ?Value {
    return switch (v) {
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

fn integer(v: ?Value) i64 {
    return switch (v orelse return 0) {
        .integer => |i| i,
        .float => |f| @intFromFloat(f),
        else => 0,
    };
}

/// S3 URL-encodes object keys in events (`+` for a space, `%XX` escapes).
fn decodeKey(arena: std.mem.Allocator, key: []const u8) ![]const u8 {
    var out: std.ArrayList(u8) = try .initCapacity(arena, key.len);
    var i: usize = 0;
    while (i < key.len) : (i += 1) {
        const c = key[i];
        if (c == '+') {
            out.appendAssumeCapacity(' ');
        } else if (c == '%' and i + 2 < key.len) {
            const byte = std.fmt.parseInt(u8, key[i + 1 .. i + 3], 16) catch {
                out.appendAssumeCapacity(c);
                continue;
            };
            out.appendAssumeCapacity(byte);
            i += 2;
        } else {
            out.appendAssumeCapacity(c);
        }
    }
    return out.items;
}

fn summarize(arena: std.mem.Allocator, input: []const u8) EventError!Summary {
    const event = std.json.parseFromSliceLeaky(Value, arena, input, .{}) catch return error.NotJson;
    const records = switch (field(event, "Records") orelse return error.NotS3Event) {
        .array => |a| a.items,
        else => return error.NotS3Event,
    };
    const objects = try arena.alloc(ObjectSummary, records.len);
    var total: i64 = 0;
    for (records, objects) |record, *out| {
        const s3 = field(record, "s3") orelse return error.NotS3Event;
        const object = field(s3, "object") orelse return error.NotS3Event;
        const raw_key = string(field(object, "key")) orelse return error.NotS3Event;
        out.* = .{
            .bucket = string(field(field(s3, "bucket") orelse .null, "name")) orelse return error.NotS3Event,
            .key = try decodeKey(arena, raw_key),
            .size = integer(field(object, "size")),
            .eventName = string(field(record, "eventName")) orelse "unknown",
            .eventTime = string(field(record, "eventTime")),
        };
        total += out.size;
    }
    return .{ .count = objects.len, .totalBytes = total, .objects = objects };
}

pub fn main(init: std.process.Init) !u8 {
    const io = init.io;
    const arena = init.arena.allocator();

    var in_buf: [16 * 1024]u8 = undefined;
    var stdin = std.Io.File.stdin().readerStreaming(io, &in_buf);
    const input = try stdin.interface.allocRemaining(arena, .limited(64 * 1024 * 1024));

    var err_buf: [1024]u8 = undefined;
    var stderr = std.Io.File.stderr().writerStreaming(io, &err_buf);
    const log = &stderr.interface;

    const summary = summarize(arena, input) catch |err| {
        try log.print("error: {s}\n", .{switch (err) {
            error.NotJson => "the event is not JSON",
            error.NotS3Event => "the event is not an S3 notification (expected Records[].s3.bucket.name and .object.key)",
            error.OutOfMemory => "out of memory",
        }});
        try log.flush();
        return 1;
    };
    for (summary.objects) |object| {
        try log.print("{s} s3://{s}/{s} ({d} bytes)\n", .{ object.eventName, object.bucket, object.key, object.size });
    }
    try log.flush();

    var out_buf: [4096]u8 = undefined;
    var stdout = std.Io.File.stdout().writerStreaming(io, &out_buf);
    try std.json.Stringify.value(summary, .{}, &stdout.interface);
    try stdout.interface.writeByte('\n');
    try stdout.interface.flush();
    return 0;
}
