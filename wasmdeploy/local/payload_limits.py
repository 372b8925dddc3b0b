"""Lambda's invocation payload limits, and the error Lambda's Invoke API gives past them.

Synchronous invocations (RequestResponse) take up to 6 MB (6,291,456 bytes) of
event; asynchronous ones (Event) up to 1 MB since AWS raised that limit from
256 KB in 2025. Past either, Invoke answers 413 `RequestEntityTooLargeException`
without running the function.
"""

from __future__ import annotations

from typing import Literal

InvocationType = Literal["RequestResponse", "Event"]

SYNC_REQUEST_BYTES = 6 * 1024 * 1024
ASYNC_REQUEST_BYTES = 1024 * 1024
TOO_LARGE_ERROR = "RequestEntityTooLargeException"
TOO_LARGE_STATUS = 413


def request_limit(invocation_type: InvocationType = "RequestResponse") -> int:
    return ASYNC_REQUEST_BYTES if invocation_type == "Event" else SYNC_REQUEST_BYTES


def too_large_message(size: int, invocation_type: InvocationType = "RequestResponse") -> str | None:
    """Lambda's message for an event of `size` bytes, or None when Lambda would take it."""
    limit = request_limit(invocation_type)
    if size <= limit:
        return None
    if invocation_type == "Event":
        return (
            f"{size} byte payload is too large for the Event invocation type (limit {limit} bytes)"
        )
    return f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
