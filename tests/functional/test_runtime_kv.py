"""The `wasmdeploy_kv` host imports under real wasmtime, on the SQLite backend."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from wasmdeploy_runtime.config import FunctionConfig, SandboxLimits
from wasmdeploy_runtime.errors import InitError
from wasmdeploy_runtime.function import WasmFunction
from wasmdeploy_runtime.kv_host import decode_page
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE, KvGrant

from tests.functional.kv_dynamodb_support import (
    dynamodb_client,
    dynamodb_endpoint,
    dynamodb_grants,
)
from tests.functional.kv_modules import (
    KV_DRIVER,
    VISITS,
    KvReply,
    increment_result,
    kv_reply,
    kv_request,
)
from tests.functional.runtime_modules import ECHO, wasm

__all__ = ["dynamodb_endpoint"]  # the fixture, for the DynamoDB runs

GRANTS = {
    "default": KvGrant("default", "svc-dev-default"),
    "counters": KvGrant("counters", "svc-dev-counters"),
}


class Driver:
    """The KV driver module as a function granted `grants`, with its metric lines kept."""

    def __init__(self, tmp_path: Path, grants: dict[str, KvGrant], **limits: object) -> None:
        path = tmp_path / "driver.wasm"
        path.write_bytes(wasm(KV_DRIVER))
        config = FunctionConfig(
            function_name="driver",
            handler="driver.wasm#handle",
            module_path=path,
            export="handle",
            sandbox=SandboxLimits(**limits),  # type: ignore[arg-type,unused-ignore]
            kv=grants,
        )
        self.metrics: list[dict[str, object]] = []
        self.logs: list[bytes] = []
        self.function = WasmFunction(config, log=self.logs.append, metrics=self._keep_metrics)

    def _keep_metrics(self, data: bytes) -> None:
        self.metrics.extend(json.loads(line) for line in data.decode().splitlines())

    def call(self, op: str, store: str, *args: bytes | str | None, **options: int) -> KvReply:
        result = self.function.invoke(kv_request(op, store, *args, **options))  # type: ignore[arg-type]
        self.function.after_response()
        assert result.error is None, result.error
        assert result.body is not None
        return kv_reply(result.body)


@pytest.fixture
def store_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "local" / "kv-dev.sqlite3"
    monkeypatch.setenv(BACKEND_VARIABLE, f"sqlite:{path}")
    return path


@pytest.fixture(params=["sqlite", "dynamodb"])
def grants(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, KvGrant]:
    """The stores of the test, on SQLite or on DynamoDB (moto's server), empty."""
    if request.param == "sqlite":
        monkeypatch.setenv(BACKEND_VARIABLE, f"sqlite:{tmp_path / 'kv.sqlite3'}")
        return GRANTS
    endpoint = request.getfixturevalue("dynamodb_endpoint")
    return dynamodb_grants(endpoint, monkeypatch, ["default", "counters"])


@pytest.fixture
def driver(tmp_path: Path, grants: dict[str, KvGrant]) -> Driver:
    return Driver(tmp_path, grants)


def test_a_module_sets_gets_deletes_and_checks_keys(driver: Driver) -> None:
    assert driver.call("get", "default", "greeting").result == -1
    assert driver.call("set", "default", "greeting", b"hello").result == 0
    assert driver.call("exists", "default", "greeting").result == 1
    assert driver.call("get", "default", "greeting") == KvReply(5, b"hello")
    assert driver.call("delete", "default", "greeting").result == 0
    assert driver.call("delete", "default", "greeting").result == 0  # absent is fine
    assert driver.call("exists", "default", "greeting").result == 0


def test_get_copies_what_fits_and_returns_the_whole_length(driver: Driver) -> None:
    driver.call("set", "default", "long", b"0123456789")
    assert driver.call("get", "default", "long", cap=4) == KvReply(10, b"0123")
    driver.call("set", "default", "empty", b"")
    assert driver.call("get", "default", "empty") == KvReply(0, b"")
    assert driver.call("exists", "default", "empty").result == 1


def test_increment_counts_from_zero_and_get_reads_decimal_text(driver: Driver) -> None:
    assert increment_result(driver.call("increment", "counters", "hits", delta=1)) == 1
    assert increment_result(driver.call("increment", "counters", "hits", delta=41)) == 42
    assert increment_result(driver.call("increment", "counters", "hits", delta=-50)) == -8
    assert driver.call("get", "counters", "hits") == KvReply(2, b"-8")
    driver.call("set", "counters", "typed", b"100")
    assert increment_result(driver.call("increment", "counters", "typed", delta=1)) == 101


def test_increment_of_a_value_that_is_not_an_integer_is_refused(driver: Driver) -> None:
    driver.call("set", "counters", "name", b"ten")
    assert driver.call("increment", "counters", "name", delta=1).result == -6
    driver.call("set", "counters", "big", str(2**63 - 1).encode())
    assert driver.call("increment", "counters", "big", delta=1).result == -6
    assert driver.call("get", "counters", "name").data == b"ten"


def test_compare_and_swap_swaps_only_the_expected_value(driver: Driver) -> None:
    assert driver.call("cas", "default", "lock", None, b"mine").result == 1  # only if absent
    assert driver.call("cas", "default", "lock", None, b"theirs").result == 0
    assert driver.call("cas", "default", "lock", b"other", b"theirs").result == 0
    assert driver.call("cas", "default", "lock", b"mine", b"next").result == 1
    assert driver.call("get", "default", "lock").data == b"next"


def test_list_keys_pages_by_prefix_with_a_cursor(driver: Driver) -> None:
    for index in range(150):
        driver.call("set", "default", f"user:{index:03}", b"x")
    driver.call("set", "default", "other", b"x")
    pages, cursor = [], ""
    for _ in range(10):
        page = driver.call("list", "default", "user:", cursor.encode(), cap=65536)
        keys, cursor = decode_page(page.data)
        pages.append(keys)
        if not cursor:
            break
    assert len(pages) >= 2 and all(len(keys) <= 100 for keys in pages)
    assert sorted(key for keys in pages for key in keys) == [f"user:{i:03}" for i in range(150)]


def test_list_keys_into_a_small_buffer_returns_the_size_it_needs(driver: Driver) -> None:
    driver.call("set", "default", "a", b"1")
    driver.call("set", "default", "b", b"2")
    small = driver.call("list", "default", "", b"", cap=4)
    assert small == KvReply(4 + 5 + 5, b"")
    assert decode_page(driver.call("list", "default", "", b"", cap=small.result).data) == (
        ["a", "b"],
        "",
    )


def test_a_store_the_function_was_not_granted_is_refused(driver: Driver) -> None:
    assert driver.call("set", "sessions", "k", b"v").result == -2
    assert driver.call("get", "sessions", "k").result == -2
    assert driver.call("increment", "sessions", "k", delta=1).result == -2


def test_invalid_keys_and_oversized_values_are_refused(driver: Driver) -> None:
    assert driver.call("set", "default", "", b"v").result == -3
    assert driver.call("set", "default", "k" * 1025, b"v").result == -3
    assert driver.call("set", "default", b"\xff\xfe", b"v").result == -3
    assert driver.call("set", "default", "k" * 1024, b"v").result == 0
    assert driver.call("set", "default", "big", b"v" * 393_217).result == -4
    assert driver.call("set", "default", "big", b"v" * 393_216).result == 0
    assert driver.call("get", "default", "big", cap=0).result == 393_216


def test_a_pointer_outside_memory_traps_and_the_next_call_works(driver: Driver) -> None:
    result = driver.function.invoke(kv_request("get", "default", "k", wild=2**31))
    assert result.error is not None and result.error.error_type == "WasmTrap"
    assert (
        "wasmdeploy_kv.get:" in result.error.message
        and "leave the guest's memory" in result.error.message
    )
    assert driver.call("set", "default", "k", b"v").result == 0


def test_entries_expire_after_the_store_ttl(tmp_path: Path, store_file: Path) -> None:
    short = Driver(tmp_path, {"default": KvGrant("default", "t", ttl=0.2)})
    short.call("set", "default", "session", b"abc")
    assert short.call("exists", "default", "session").result == 1
    time.sleep(0.3)
    assert short.call("get", "default", "session").result == -1
    assert decode_page(short.call("list", "default", "").data) == ([], "")
    assert increment_result(short.call("increment", "default", "session", delta=2)) == 2


def test_dynamodb_items_past_their_ttl_read_as_absent_before_dynamodb_deletes_them(
    tmp_path: Path, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = dynamodb_grants(dynamodb_endpoint, monkeypatch, ["default"])["default"]
    client: Any = dynamodb_client(dynamodb_endpoint)
    past = {"N": str(int(time.time()) - 5)}
    item = {"pk": {"S": "session"}, "val": {"B": b"abc"}, "expiresAt": past}
    client.put_item(TableName=grant.table, Item=item)
    short = Driver(tmp_path, {"default": grant._replace(ttl=60)})
    assert short.call("get", "default", "session").result == -1
    assert short.call("cas", "default", "session", None, b"new").result == 1
    assert short.call("get", "default", "session").data == b"new"
    stored = client.get_item(TableName=grant.table, Key={"pk": {"S": "session"}})["Item"]
    assert int(stored["expiresAt"]["N"]) >= time.time() + 59


def test_the_metric_line_counts_store_calls_and_their_time(driver: Driver) -> None:
    driver.call("increment", "counters", "hits", delta=1)
    line = driver.metrics[-1]
    assert line["KvCalls"] == 1 and isinstance(line["KvTime"], float) and line["KvTime"] > 0
    names = [m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]  # type: ignore[index]
    assert "KvCalls" in names and "KvTime" in names


def test_a_store_call_blocked_past_max_time_stops_the_guest(
    tmp_path: Path, store_file: Path
) -> None:
    quick = Driver(tmp_path, GRANTS, max_time=0.3)
    quick.call("set", "default", "k", b"v")  # creates the file
    holder = sqlite3.connect(store_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = quick.function.invoke(kv_request("increment", "default", "k", delta=1))
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.error is not None and result.error.error_type == "WasmTimeout"
    assert elapsed < 1.5


def test_wasi_commands_get_the_imports_and_state_outlives_the_function(
    tmp_path: Path, store_file: Path
) -> None:
    path = tmp_path / "visits.wasm"
    path.write_bytes(wasm(VISITS))
    counts = []
    for _ in range(3):
        config = FunctionConfig("visits", "visits.wasm", path, None, kv=GRANTS)
        function = WasmFunction(config, log=lambda _data: None, metrics=lambda _data: None)
        result = function.invoke(b"")
        function.close()
        counts.append(result.body)
    assert counts == [b"1", b"2", b"3"]


def test_a_module_importing_the_store_without_a_grant_is_refused_at_init(
    tmp_path: Path,
) -> None:
    path = tmp_path / "visits.wasm"
    path.write_bytes(wasm(VISITS))
    with pytest.raises(InitError) as raised:
        WasmFunction(FunctionConfig("visits", "visits.wasm", path, None))
    assert raised.value.error_type == "WasmForbiddenImport"
    assert "imports wasmdeploy_kv.increment" in raised.value.message


def test_a_function_whose_module_uses_no_store_writes_no_store_metrics(tmp_path: Path) -> None:
    path = tmp_path / "echo.wasm"
    path.write_bytes(wasm(ECHO))
    lines: list[bytes] = []
    function = WasmFunction(
        FunctionConfig("echo", "echo.wasm", path, None, kv=GRANTS),
        log=lambda _data: None,
        metrics=lines.append,
    )
    function.invoke(b"hi")
    function.close()
    assert "KvCalls" not in json.loads(lines[0])
