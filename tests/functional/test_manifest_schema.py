"""The published JSON Schema: well-formed, documented, strict, and helpful when it refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.schema import SCHEMA_URL, check_schema, load_schema

REPO_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "wasmdeploy.schema.json"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def walk_properties(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{where}/properties/{name}", sub
        for key, value in node.items():
            yield from walk_properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_properties(value, f"{where}/{index}")


def walk_objects(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_objects(value, f"{where}/{index}")


def resolve_ref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and "description" not in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def errors_for(data: Any) -> list[tuple[str, str, str | None]]:
    problems = Problems("wasmdeploy.yml")
    check_schema(data, problems)
    return [(p.path, p.message, p.hint) for p in problems.errors]


def test_schema_is_valid_2020_12_with_id_and_examples() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_URL
    assert schema["examples"]
    for example in schema["examples"]:
        assert not list(Draft202012Validator(schema).iter_errors(example))


def test_packaged_schema_is_the_published_file() -> None:
    assert load_schema() == json.loads(REPO_SCHEMA.read_text())


def test_every_property_has_a_description() -> None:
    schema = load_schema()
    missing = [
        where
        for where, sub in walk_properties(schema)
        if "description" not in resolve_ref(schema, sub)
    ]
    assert not missing


def test_every_object_with_known_keys_refuses_unknown_ones() -> None:
    open_objects = [
        where
        for where, node in walk_objects(load_schema())
        if "/examples" not in where
        and isinstance(node.get("properties"), dict)
        and "additionalProperties" not in node
    ]
    assert not open_objects


@pytest.mark.parametrize(
    ("data", "path", "hint"),
    [
        ({"service": "s", "functions": {}, "provdier": {}}, "provdier", "Did you mean 'provider'?"),
        (
            {"service": "s", "functions": {"f": {"handler": "h", "memorysize": 1}}},
            "functions.f.memorysize",
            "Did you mean 'memorySize'?",
        ),
        (
            {
                "service": "s",
                "functions": {"f": {"handler": "h", "events": [{"sqs": {"batchsize": 5}}]}},
            },
            "functions.f.events[0].sqs.batchsize",
            "Did you mean 'batchSize'?",
        ),
    ],
)
def test_unknown_keys_are_errors_with_a_suggestion(data: Any, path: str, hint: str) -> None:
    [(found_path, message, found_hint)] = errors_for(data)
    assert found_path == path
    assert message.startswith("unknown key")
    assert found_hint == hint


def test_misspelt_required_key_is_reported_once() -> None:
    errors = errors_for({"service": "s", "functions": {"f": {"handlr": "h"}}})
    assert [path for path, _, _ in errors] == ["functions.f.handlr"]


def test_type_and_range_messages_name_the_value() -> None:
    errors = dict(
        (path, message)
        for path, message, _ in errors_for(
            {
                "service": "s",
                "provider": {"memorySize": 64, "timeout": "long", "architecture": "arm"},
                "functions": {"f": {"handler": "h"}},
            }
        )
    )
    assert errors["provider.memorySize"] == "64 must be at least 128"
    assert errors["provider.timeout"] == "'long' is a string; expected integer"
    assert errors["provider.architecture"] == "'arm' is not one of: x86_64, arm64"


def test_short_and_long_event_forms_are_both_accepted() -> None:
    data = {
        "service": "s",
        "functions": {
            "f": {
                "handler": "h",
                "events": [
                    {"s3": "bucket-name"},
                    {"s3": {"bucket": "b-b-b", "event": ["s3:ObjectCreated:*"]}},
                    {"httpApi": "GET /x"},
                    {"httpApi": {"method": "get", "path": "/x"}},
                    {"http": {"path": "x", "method": "post", "cors": True}},
                ],
            }
        },
    }
    assert errors_for(data) == []


def test_an_event_entry_takes_exactly_one_kind() -> None:
    errors = errors_for(
        {"service": "s", "functions": {"f": {"handler": "h", "events": [{"s3": "b", "http": "x"}]}}}
    )
    assert [(path, message) for path, message, _ in errors] == [
        (
            "functions.f.events[0]",
            "give exactly one of eventBridge, http, httpApi, s3, schedule, sns, sqs, stream here, "
            "not 2 keys",
        )
    ]


def test_third_party_validator_accepts_the_examples_as_written(tmp_path: Path) -> None:
    """Editors and CI validate the raw YAML, variables unresolved: the schema must allow them."""
    origin = tmp_path / "origin.yml"
    origin.write_text(
        "service: svc-${opt:stage, 'dev'}\n"
        "provider: {name: aws, stage: '${opt:stage}', region: '${env:REGION, us-east-1}'}\n"
        "functions:\n  f: {handler: '${self:custom.module}', events: [{httpApi: 'GET /x'}]}\n"
        "custom: {module: mod}\n"
    )
    manifests = [str(origin), *map(str, sorted(EXAMPLES.glob("*/wasmdeploy.yml")))]
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(REPO_SCHEMA), *manifests],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pattern_failures_explain_the_form_instead_of_the_regex() -> None:
    [(path, message, hint)] = errors_for({"service": "two words", "functions": {}})
    assert (path, message) == (
        "service",
        "'two words' does not have the expected form (for example 'wasm-function-service')",
    )
    assert hint and hint.startswith("The service name: letters, digits and hyphens")
