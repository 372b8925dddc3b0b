"""Key-value state as a user sees it: `invoke` runs that remember, and `wasmdeploy kv`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.test_invoke_local import wasmdeploy
from tests.e2e.test_serve_local import get, start, stop
from tests.functional.kv_modules import VISITS
from tests.functional.runtime_modules import wasm
from tests.ports import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFEST = """\
service: counter
provider:
  name: aws
kv:
  sessions:
    ttl: 1h
functions:
  count:
    handler: visits.wasm
    kv: [default]
"""


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    (tmp_path / "visits.wasm").write_bytes(wasm(VISITS))
    (tmp_path / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    return tmp_path


def test_state_persists_across_invoke_runs_in_the_stage_store(service_dir: Path) -> None:
    outputs = [wasmdeploy(service_dir, "invoke", "count").stdout.strip() for _ in range(3)]
    assert outputs == [b"1", b"2", b"3"]
    assert (service_dir / ".wasmdeploy" / "local" / "kv-dev.sqlite3").is_file()
    other_stage = wasmdeploy(service_dir, "invoke", "count", "--stage", "prod")
    assert other_stage.stdout.strip() == b"1"
    read = wasmdeploy(service_dir, "kv", "get", "default", "visits", "--json")
    assert json.loads(read.stdout) == {"store": "default", "key": "visits", "value": "3"}


def test_kv_sets_lists_and_deletes_keys_of_the_local_store(service_dir: Path) -> None:
    assert wasmdeploy(service_dir, "kv", "set", "sessions", "user:1", "ann").returncode == 0
    from_stdin = wasmdeploy(service_dir, "kv", "set", "sessions", "user:2", "-", stdin=b"bob")
    assert from_stdin.returncode == 0
    listed = wasmdeploy(service_dir, "kv", "list", "sessions", "user:")
    assert listed.stdout.decode().split() == ["user:1", "user:2"]
    assert wasmdeploy(service_dir, "kv", "get", "sessions", "user:2").stdout == b"bob"
    assert wasmdeploy(service_dir, "kv", "delete", "sessions", "user:1").returncode == 0
    missing = wasmdeploy(service_dir, "kv", "get", "sessions", "user:1")
    assert missing.returncode == 1 and b"no key 'user:1'" in missing.stderr
    assert wasmdeploy(service_dir, "kv", "incr", "default", "hits", "5").stdout == b"5\n"


def test_kv_names_the_stores_when_asked_for_an_unknown_one(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "kv", "get", "carts", "k")
    assert result.returncode == 1
    assert b"no key-value store 'carts' (stores: sessions, default)" in result.stderr
    assert b"Traceback" not in result.stderr


def test_plan_shows_the_tables_with_recovery_and_access_scoped_to_them(service_dir: Path) -> None:
    result = wasmdeploy(service_dir, "plan", "--json")
    assert result.returncode == 0, result.stderr
    resources = json.loads(result.stdout)
    tables = {r["inputs"]["name"]: r["inputs"] for r in resources if "dynamodb" in r["type"]}
    assert set(tables) == {"counter-dev-default", "counter-dev-sessions"}
    assert all(table["pointInTimeRecovery"] == {"enabled": True} for table in tables.values())
    assert tables["counter-dev-sessions"]["ttl"] == {"enabled": True, "attributeName": "expiresAt"}
    [policy] = [r for r in resources if r["name"] == "count-kv-policy"]
    [statement] = json.loads(policy["inputs"]["policy"])["Statement"]
    assert statement["Resource"] == [
        "arn:aws:dynamodb:us-east-1:123456789012:table/counter-dev-default"
    ]


def test_serve_with_dynamodb_stores_counts_on_the_local_aws(tmp_path: Path) -> None:
    example = tmp_path / "visit-counter"
    shutil.copytree(EXAMPLES / "visit-counter", example, ignore=shutil.ignore_patterns("src"))
    port, aws_port = free_port(), free_port()
    args = ("serve", "--kv", "dynamodb", "--port", str(port), "--aws-port", str(aws_port))
    server = start(example, *args, port=port)
    try:
        server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
        assert "tables: visit-counter-dev-default" in server.output()
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: get(port, "GET", "/visits/home"), range(8)))
        assert sorted(body["visits"] for _, body in answers) == list(range(1, 9))
        read = subprocess.run(
            [sys.executable, "-m", "wasmdeploy", "kv", "get", "default", "page:home", "--remote"],
            cwd=example,
            capture_output=True,
            timeout=120,
            env={
                **os.environ,
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
                "AWS_ACCESS_KEY_ID": "wasmdeploy-local",
                "AWS_SECRET_ACCESS_KEY": "wasmdeploy-local",
            },
        )
        assert read.stdout == b"8", read.stderr
    finally:
        stop(server)
    assert not (example / ".wasmdeploy" / "local" / "kv-dev.sqlite3").exists()
