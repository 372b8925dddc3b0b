"""memoryLimit split over a module's memories and tables: together they never exceed it."""

from __future__ import annotations

import pytest
from wasmdeploy_runtime.memory_budget import TABLE_ELEMENT_BYTES, StoreCaps, store_caps
from wasmdeploy_runtime.wasm_sections import Limits, ModuleLayout

MB = 1024 * 1024
PAGE = 65536


def layout(memories: list[Limits], tables: list[Limits] | None = None) -> ModuleLayout:
    return ModuleLayout(tuple(memories), tuple(tables or ()), False, 1, 10)


def reachable(caps: StoreCaps, shape: ModuleLayout) -> int:
    """Bytes the module holds with every memory and table grown as far as the caps allow."""

    def held(item: Limits, cap: int) -> int:
        return cap if item.maximum is None else min(item.maximum, cap)

    memories = sum(held(memory, caps.memory_size) for memory in shape.memories)
    tables = sum(held(table, caps.table_elements) for table in shape.tables)
    return memories + TABLE_ELEMENT_BYTES * tables


def test_one_memory_and_no_tables_gets_the_whole_limit() -> None:
    caps = store_caps(64 * MB, layout([Limits(PAGE, None)]))
    assert caps == StoreCaps(
        memory_size=64 * MB, table_elements=64 * MB // 16 // 8, memories=1, tables=0
    )


def test_eight_unbounded_memories_share_the_limit() -> None:
    shape = layout([Limits(PAGE, None)] * 8)
    caps = store_caps(64 * MB, shape)
    assert caps.memory_size == 8 * MB
    assert caps.memories == 8
    assert reachable(caps, shape) <= 64 * MB


def test_a_memory_with_a_small_maximum_leaves_the_rest_to_the_others() -> None:
    shape = layout([Limits(PAGE, 2 * MB), Limits(PAGE, None)])
    caps = store_caps(64 * MB, shape)
    assert caps.memory_size == 62 * MB
    assert reachable(caps, shape) == 64 * MB


def test_tables_count_against_the_limit() -> None:
    shape = layout([Limits(PAGE, None)], [Limits(100_000, None), Limits(10, 10)])
    caps = store_caps(16 * MB, shape)
    assert reachable(caps, shape) <= 16 * MB
    assert caps.table_elements >= 100_000  # the tables' initial sizes still fit
    assert caps.tables == 2


def test_an_unreadable_module_is_assumed_to_have_eight_of_each() -> None:
    caps = store_caps(64 * MB, None)
    assert (caps.memories, caps.tables) == (8, 8)
    worst = layout([Limits(0, None)] * 8, [Limits(0, None)] * 8)
    assert reachable(caps, worst) <= 64 * MB


@pytest.mark.parametrize("limit", [PAGE, 8 * MB, 128 * MB, 4096 * MB])
@pytest.mark.parametrize(
    "memories",
    [
        [Limits(PAGE, None)] * 3,
        [Limits(PAGE, PAGE), Limits(PAGE, None), Limits(0, 16 * MB)],
        [Limits(4 * MB, None), Limits(0, 0)],
    ],
)
def test_memories_and_tables_grown_to_their_caps_fit_the_limit(
    limit: int, memories: list[Limits]
) -> None:
    shape = layout(memories, [Limits(1, None), Limits(5000, 5000)])
    assert reachable(store_caps(limit, shape), shape) <= limit
