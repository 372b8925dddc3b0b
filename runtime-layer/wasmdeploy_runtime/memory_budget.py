"""`memoryLimit` shared by all of a module's memories and tables.

wasmtime's store limits (the only resource limiter its C API offers) cap each
memory and each table separately, with one cap for all memories and one for
all tables. The budget therefore splits `memoryLimit` ahead of time from the
module's declared memories and tables (`wasm_sections`), so that every memory
and table grown to its cap still fits the limit together:

- a table element costs 8 bytes (a function reference); tables may grow
  within a sixteenth of the limit, or keep their initial size when that is
  more;
- the memories share what is left, each capped at the same size, except that
  a memory whose declared maximum is below the cap keeps only its maximum.

One memory and no tables (most modules) gets the whole limit. A module whose
memories start larger than their share fails at instantiation with
`WasmMemoryLimit`, as one memory larger than the limit does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from wasmdeploy_runtime.wasm_sections import Limits, ModuleLayout

TABLE_ELEMENT_BYTES = 8
# The instance pool's own bounds (engine.py): per memory, per table, per module.
MAX_MEMORY_BYTES = 4 * 1024 * 1024 * 1024
MAX_TABLE_ELEMENTS = 1_000_000
MAX_PER_MODULE = 8
_TABLE_SHARE = 16
_UNBOUNDED = (Limits(0, None),) * MAX_PER_MODULE


class StoreCaps(NamedTuple):
    """Arguments of `Store.set_limits` that keep a module within its memory limit."""

    memory_size: int  # bytes, per memory
    table_elements: int  # per table
    memories: int
    tables: int


def store_caps(memory_limit: int, layout: ModuleLayout | None) -> StoreCaps:
    """The caps for a module of `layout` (None: not readable, so assume eight of each)."""
    memories = layout.memories if layout is not None else _UNBOUNDED
    tables = layout.tables if layout is not None else _UNBOUNDED
    table_budget = max(
        memory_limit // _TABLE_SHARE // TABLE_ELEMENT_BYTES,
        sum(table.minimum for table in tables),
    )
    table_cap = min(_shared_cap(tables, table_budget), MAX_TABLE_ELEMENTS)
    table_bytes = TABLE_ELEMENT_BYTES * sum(_held(table, table_cap) for table in tables)
    memory_cap = _shared_cap(memories, max(memory_limit - table_bytes, 0))
    return StoreCaps(
        memory_size=min(memory_cap, memory_limit, MAX_MEMORY_BYTES),
        table_elements=table_cap,
        memories=len(memories),
        tables=len(tables),
    )


def _held(item: Limits, cap: int) -> int:
    """What `item` can reach under `cap`."""
    return cap if item.maximum is None else min(item.maximum, cap)


def _shared_cap(items: Sequence[Limits], budget: int) -> int:
    """The largest cap such that all `items`, each grown to it (or to its own maximum),
    fit `budget` together."""
    if not items:
        return budget
    maxima = sorted(item.maximum for item in items if item.maximum is not None)
    unbounded = len(items) - len(maxima)
    remaining, left = budget, len(items)
    for maximum in maxima:
        if maximum * left > remaining:
            return remaining // left
        remaining -= maximum
        left -= 1
    if unbounded:
        return remaining // unbounded
    return maxima[-1] if maxima else budget
