"""The guest's log lines, marked as the guest's and unable to pass for anyone else's.

Lambda's log stream mixes the platform's lines (`START RequestId: ...`,
`END`, `REPORT`), the runtime's metric line (an EMF JSON document that
CloudWatch turns into metrics) and the function's own output. A guest writing
`{"_aws": ...}` or `REPORT RequestId: ...` to stderr must not be read as either,
so every line the guest writes gets the prefix Lambda's Node.js runtime gives
console output, `<ISO-8601 UTC time>\t<request id>\tINFO\t`, and the text is
made printable: control characters, including carriage returns and the
Unicode line separators, become escapes (`\\r`, `\\x1b`, `\\u2028`), so one write can
never start a line of its own without the prefix.
"""

from __future__ import annotations

import re
import time

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x1b": "\\x1b"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` on one line with every control character escaped (tabs kept)."""
    return _UNPRINTABLE.sub(_escape, text.replace("\n", "\\n"))


def timestamp(now: float | None = None) -> str:
    """Lambda's log timestamp: '2024-05-01T12:00:00.123Z'."""
    now = time.time() if now is None else now
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def guest_lines(data: bytes, request_id: str, *, now: float | None = None) -> bytes:
    """The guest's output `data` as log lines, each prefixed and printable."""
    prefix = f"{timestamp(now)}\t{request_id or '-'}\tINFO\t"
    text = data.decode("utf-8", errors="replace")
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    return "".join(prefix + printable(line) + "\n" for line in lines).encode()
