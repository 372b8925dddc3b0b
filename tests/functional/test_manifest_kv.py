"""Key-value stores in real manifests: the `kv:` block, grants, and the checks around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.functional.kv_modules import VISITS
from tests.functional.test_manifest_load import write_service
from wasmdeploy.build.config import runtime_config
from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.model import KvStore
from wasmdeploy.manifest.problems import ManifestInvalid

MANIFEST = """\
service: shop
provider:
  name: aws
kv:
  sessions:
    ttl: 1d
  carts:
    retain: false
functions:
  counter:
    handler: visits.wasm
    kv: [default, sessions]
  plain:
    handler: visits.wasm
    kv: [carts]
"""


def problems_of(tmp_path: Path, manifest: str) -> list[str]:
    path = write_service(tmp_path, manifest, {"visits.wasm": VISITS})
    with pytest.raises(ManifestInvalid) as raised:
        load_service(path)
    return [f"{p.path}: {p.message}" for p in raised.value.problems]


def test_stores_resolve_to_tables_named_after_service_stage_and_store(tmp_path: Path) -> None:
    service = load_service(write_service(tmp_path, MANIFEST, {"visits.wasm": VISITS}), stage="prod")
    assert service.kv_stores == (
        KvStore("sessions", "shop-prod-sessions", ttl=86400.0),
        KvStore("carts", "shop-prod-carts", retain=False),
        KvStore("default", "shop-prod-default"),
    )
    counter = service.function("counter")
    assert [store.name for store in counter.kv] == ["default", "sessions"]
    assert "wasmdeploy_kv.*" in counter.sandbox.allowed_imports


def test_the_package_config_names_each_granted_table(tmp_path: Path) -> None:
    service = load_service(write_service(tmp_path, MANIFEST, {"visits.wasm": VISITS}))
    config = runtime_config(service.function("counter"))
    assert config["kv"] == {
        "default": {"table": "shop-dev-default", "ttl": None},
        "sessions": {"table": "shop-dev-sessions", "ttl": 86400},
    }
    json.dumps(config)


def test_a_grant_of_an_undeclared_store_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("kv: [carts]", "kv: [crats]")
    assert problems_of(tmp_path, manifest) == [
        "functions.plain.kv[0]: 'crats' is not a key-value store of this service "
        "(stores: default, sessions, carts)"
    ]


def test_a_module_importing_the_store_without_a_grant_is_refused_naming_the_import(
    tmp_path: Path,
) -> None:
    manifest = MANIFEST.replace("    kv: [carts]\n", "")
    [problem] = problems_of(tmp_path, manifest)
    assert problem.startswith(
        "functions.plain.handler: visits.wasm imports wasmdeploy_kv.increment"
    )
    assert "granted no key-value store" in problem


def test_a_ttl_that_does_not_parse_is_refused(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, MANIFEST.replace("ttl: 1d", "ttl: 2 weeks"))
    assert problem.startswith("kv.sessions.ttl: '2 weeks' is not a TTL")


def test_an_edge_function_with_a_store_is_refused_with_the_reason(tmp_path: Path) -> None:
    manifest = MANIFEST + (
        "  rewrite:\n"
        "    handler: visits.wasm\n"
        "    kv: [default]\n"
        "    edge: {eventType: origin-request}\n"
        "cdn:\n"
        "  origin: {domain: example.com}\n"
    )
    problems = problems_of(tmp_path, manifest)
    assert any(
        p.startswith("functions.rewrite.kv: edge functions cannot use key-value stores")
        and "CloudFront region" in p
        for p in problems
    ), problems


def test_the_schema_refuses_unknown_store_settings(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, MANIFEST.replace("retain: false", "retian: false"))
    assert any(p.startswith("kv.carts") and "retian" in p for p in problems), problems
