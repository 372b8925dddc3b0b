"""Precedence (CLI option > function > provider > default) and Lambda@Edge's forced settings."""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import settings

DATA: dict[str, Any] = {
    "provider": {
        "stage": "qa",
        "region": "eu-west-1",
        "runtime": "provided.al2",
        "architecture": "arm64",
        "memorySize": 512,
        "environment": {"A": "provider", "FLAG": True},
        "sandbox": {"memoryLimit": "64MB", "maxTime": "3s"},
    }
}


def test_cli_option_beats_provider_beats_default() -> None:
    assert settings.stage(DATA, "prod") == "prod"
    assert settings.stage(DATA, None) == "qa"
    assert settings.stage({}, None) == "dev"
    assert settings.region(DATA, None) == "eu-west-1"
    assert settings.region({}, None) == "us-east-1"


def test_function_beats_provider() -> None:
    function = {"memorySize": 1024, "environment": {"A": "function"}, "runtime": "python3.12"}
    assert settings.memory_size(DATA, function) == 1024
    assert settings.memory_size(DATA, {}) == 512
    assert settings.timeout(DATA, {}) == 6
    assert settings.environment(DATA, function) == {"A": "function", "FLAG": "true"}
    assert settings.deployed_runtime(DATA, function) == "python3.12"


def test_wasmtime_runtime_inherits_and_al2_deploys_as_al2023() -> None:
    function = {"runtime": "wasmtime"}
    assert settings.requested_runtime(DATA, function) == "provided.al2"
    assert settings.deployed_runtime(DATA, function) == "provided.al2023"


def test_edge_functions_get_lambda_edge_terms() -> None:
    edge = {"edge": {"eventType": "origin-request"}, "environment": {"X": "1"}}
    assert settings.deployed_runtime(DATA, edge) == "python3.13"
    assert settings.architecture(DATA, edge) == "x86_64"
    assert settings.environment(DATA, edge) == {}
    assert settings.architecture(DATA, {}) == "arm64"


def test_sandbox_merges_key_by_key_and_accepts_the_snake_case_alias() -> None:
    function = {"wasm_sandbox": {"max_time": "1s", "allowed_imports": ["env.*"]}}
    assert settings.sandbox_settings(DATA, function) == {
        "memoryLimit": "64MB",
        "maxTime": "1s",
        "allowedImports": ["env.*"],
    }


def test_handler_splits_into_module_and_export() -> None:
    assert settings.split_handler("wasm-handler") == ("wasm-handler.wasm", None)
    assert settings.split_handler("build/mod.wasm#handle") == ("build/mod.wasm", "handle")


def test_malformed_values_fall_back_to_defaults() -> None:
    broken = {"provider": {"memorySize": "lots", "architecture": 3, "environment": ["x"]}}
    assert settings.memory_size(broken, {}) == 128
    assert settings.architecture(broken, {}) == "x86_64"
    assert settings.environment(broken, {"environment": None}) == {}
