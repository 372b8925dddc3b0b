"""Every example the schema offers is valid: validate quotes them as hints ("for example
'dev'"), editors offer them as completions, and a hint must pass the check it is a hint for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

from wasmdeploy.manifest.naming import bucket_name_problem

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "wasmdeploy.schema.json"


def examples(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, the subschema, one of its examples) for every example in the schema."""
    if isinstance(node, dict):
        for example in node.get("examples", []) if isinstance(node.get("examples"), list) else []:
            yield path, node, example
        for key, child in node.items():
            yield from examples(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from examples(child, f"{path}/{index}")


def test_every_example_in_the_schema_passes_its_own_subschema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    checker = jsonschema.validators.validator_for(schema)
    found = list(examples(schema))
    assert len(found) > 50  # the walk reaches the schema's examples
    invalid = []
    for where, subschema, example in found:
        own = {key: value for key, value in subschema.items() if key != "examples"}
        rooted = {**own, "$defs": schema["$defs"]}
        errors = [error.message for error in checker(rooted).iter_errors(example)]
        if errors:
            invalid.append((where, example, errors[0]))
    assert invalid == []


def test_the_schemas_bucket_name_examples_follow_s3s_rules() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    names = schema["$defs"]["bucketName"]["examples"]
    assert names and all(bucket_name_problem(name) is None for name in names)
