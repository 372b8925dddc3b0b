"""Peak memory of a runtime process and its children, as Lambda's `Max Memory Used`.

Lambda reports the sandbox's high-water mark. Locally the sandbox is the
runtime process tree (a `bootstrap` script may run Python as a child), so the
figure is the largest VmHWM (peak resident set) in that tree, read from /proc.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

PROC = Path("/proc")


def peak_memory_mb(pid: int, tree: list[int] | None = None) -> int:
    """The largest peak RSS in MB of `pid` and its descendants (0 if it is gone).

    `tree` (from `process_tree`) saves walking /proc on every call.
    """
    if not PROC.is_dir():
        return _children_peak_mb()
    peak_kb = 0
    for member in tree if tree is not None else process_tree(pid):
        peak_kb = max(peak_kb, _status_kb(member, "VmHWM"))
    return round(peak_kb / 1024)


def process_tree(pid: int) -> list[int]:
    seen: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.append(current)
        stack.extend(_children(current))
    return seen


def _children(pid: int) -> list[int]:
    children: list[int] = []
    tasks_dir = f"/proc/{pid}/task"
    try:
        tasks = os.listdir(tasks_dir)
    except OSError:
        return children
    for task in tasks:
        try:
            with open(f"{tasks_dir}/{task}/children") as handle:
                children.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return children


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            text = handle.read()
    except OSError:
        return 0
    start = text.find(f"\n{field}:")
    if start < 0:
        return 0
    return int(text[start + len(field) + 2 :].split(None, 1)[0])


def _children_peak_mb() -> int:
    # macOS and BSDs: ru_maxrss of waited-for children (bytes on macOS, KB elsewhere).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / (1024 * 1024)) if sys.platform == "darwin" else round(peak / 1024)
