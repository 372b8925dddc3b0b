"""The guest SDK shipped with the runtime: where it is, and a C module built with its header."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from wasmdeploy_runtime.config import FunctionConfig
from wasmdeploy_runtime.function import WasmFunction
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE, KvGrant
from wasmdeploy_runtime.sdk import C_HEADER, SDK_DIR, ZIG_MODULE

from tests.functional.test_examples_rebuild import require_zig

# Increments, reads back, claims a lock only if absent, and counts the keys of a page.
COUNTER_C = r"""
#include <stdio.h>
#include "wasmdeploy_kv.h"

int main(void) {
    int64_t visits;
    if (wasmdeploy_kv_increment_str("default", "visits", 1, &visits) != 0) return 1;
    char buf[64];
    int64_t n = wasmdeploy_kv_get_str("default", "visits", buf, sizeof buf);
    int32_t claimed = wasmdeploy_kv_compare_and_swap("default", 7, "lock", 4, NULL, -1, "me", 2);
    uint8_t page[4096];
    int64_t size = wasmdeploy_kv_list_keys("default", 7, "", 0, "", 0, page, sizeof page);
    const char *cursor;
    uint32_t cursor_len;
    const uint8_t *end;
    const uint8_t *key = wasmdeploy_kv_page(page, size, &cursor, &cursor_len, &end);
    int keys = 0;
    while (key < end) {
        uint32_t len;
        memcpy(&len, key, 4);
        key += 4 + len;
        keys++;
    }
    printf("%lld %.*s %d %d %u\n", (long long)visits, (int)n, buf, claimed, keys, cursor_len);
    return 0;
}
"""


def test_the_sdk_module_prints_where_its_files_are() -> None:
    for kind, expected in (("zig", ZIG_MODULE), ("c", SDK_DIR)):
        result = subprocess.run(
            [sys.executable, "-m", "wasmdeploy_runtime.sdk", kind],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == str(expected)
    assert C_HEADER.is_file() and ZIG_MODULE.is_file()


@pytest.mark.slow
@pytest.mark.toolchain
def test_a_c_module_built_with_the_header_uses_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_zig()
    (tmp_path / "counter.c").write_text(COUNTER_C)
    module = tmp_path / "counter.wasm"
    command = [sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2"]
    compiled = subprocess.run(
        [*command, f"-I{SDK_DIR}", str(tmp_path / "counter.c"), "-o", str(module)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert compiled.returncode == 0, compiled.stderr
    monkeypatch.setenv(BACKEND_VARIABLE, f"sqlite:{tmp_path / 'kv.sqlite3'}")
    grants = {"default": KvGrant("default", "c-dev-default")}
    function = WasmFunction(
        FunctionConfig("counter", "counter.wasm", module, None, kv=grants),
        log=lambda _d: None,
        metrics=lambda _d: None,
    )
    outputs = [function.invoke(b"").body for _ in range(2)]
    function.close()
    assert outputs == [b"1 1 1 2 0\n", b"2 2 0 2 0\n"]
