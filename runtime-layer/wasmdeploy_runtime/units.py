"""Sizes ("128MB", "1MiB", 1048576) and durations ("5s", "500ms", 2.5).

Shared by the runtime (reading `wasmdeploy.json`) and the manifest checks, so a
value means the same thing in both places. Standard library only.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1024,
    "kib": 1024,
    "k": 1024,
    "mb": 1024**2,
    "mib": 1024**2,
    "m": 1024**2,
    "gb": 1024**3,
    "gib": 1024**3,
    "g": 1024**3,
}
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0}
_NUMBER_WITH_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(value: object) -> int:
    """Bytes in `value`: an int (bytes) or a string with a unit (KB/MB/GB are powers of 1024)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a size; write it like '128MB'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value!r} is negative; a size must be positive")
        return value
    if isinstance(value, str):
        match = _NUMBER_WITH_UNIT.match(value)
        if match and match.group(2).lower() in _SIZE_UNITS:
            return int(Decimal(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
    raise ValueError(f"{value!r} is not a size; write it like '128MB', '512KB' or '1GB'")


def parse_duration(value: object) -> float:
    """Seconds in `value`: a number (seconds) or a string with a unit (ms, s, m)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write it like '5s' or '500ms'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative; a duration must be positive")
        return _finite_seconds(float(value) if abs(value) < 1e300 else math.inf, value)
    if isinstance(value, str):
        match = _NUMBER_WITH_UNIT.match(value)
        if match and match.group(2).lower() in ("", *_DURATION_UNITS):
            unit = match.group(2).lower() or "s"
            return _finite_seconds(float(match.group(1)) * _DURATION_UNITS[unit], value)
    raise ValueError(f"{value!r} is not a duration; write it like '5s', '500ms' or '2m'")


def _finite_seconds(seconds: float, value: object) -> float:
    if not math.isfinite(seconds):
        shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:20] + "..."
        raise ValueError(f"{shown} is too long or not a number; write a duration like '5s'")
    return seconds


def format_size(size: int) -> str:
    """The shortest exact unit form: 134217728 -> '128MB'."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"
