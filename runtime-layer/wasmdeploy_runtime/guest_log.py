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

import time

_NAMED = {"\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Every C0 control but the tab, DEL, the C1 controls, and the Unicode line separators.
_ESCAPES = {
    code: _escape(code)
    for code in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
}


def printable(text: str) -> str:
    """`text` on one line with every control character escaped (tabs kept)."""
    return text.translate(_ESCAPES)


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
