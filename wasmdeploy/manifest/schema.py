"""Validate the manifest against the published JSON Schema, with messages a person can act on.

jsonschema's raw errors ("Additional properties are not allowed ('handlr' was
unexpected)", "... is not valid under any of the given schemas") are rewritten:
unknown keys get a did-you-mean from the keys the schema allows at that place,
and a failed string-or-object union reports the branch that matches the value's
type.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from wasmdeploy.manifest import serverless_keys
from wasmdeploy.manifest.problems import Problems

SCHEMA_FILE = "wasmdeploy.schema.json"
SCHEMA_URL = "https://wasmdeploy.dev/schemas/wasmdeploy.schema.json"

NAME_RULES = {
    "^[a-zA-Z0-9_-]+$": "letters, digits, '-' and '_' only",
    "^[a-zA-Z][a-zA-Z0-9_]*$": "a letter, then letters, digits and '_'",
}
_JSON_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def schema_path() -> Path:
    """The schema shipped in the package (a link to the repository's schemas/ in a checkout)."""
    packaged = Path(__file__).with_name(SCHEMA_FILE)
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE


@cache
def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def _type_matches(instance: Any, types: Any) -> bool:
    names = types if isinstance(types, list) else [types]
    for name in names:
        if name == "integer" and isinstance(instance, int) and not isinstance(instance, bool):
            return True
        if (
            name == "number"
            and isinstance(instance, int | float)
            and not isinstance(instance, bool)
        ):
            return True
        expected = _JSON_TYPES.get(name)
        if expected is bool and isinstance(instance, bool):
            return True
        if expected and expected is not bool and isinstance(instance, expected):
            return not (expected is int and isinstance(instance, bool))
    return False


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty (null)"


def _leaf_errors(error: ValidationError) -> Iterable[ValidationError]:
    """For anyOf/oneOf failures, the errors of the branch matching the value's type."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = error.validator_value
        matching = [
            i
            for i, branch in enumerate(branches)
            if _type_matches(error.instance, branch.get("type"))
        ]
        if len(matching) == 1:
            for sub in error.context:
                if sub.relative_schema_path and sub.relative_schema_path[0] == matching[0]:
                    yield from _leaf_errors(sub)
            return
    yield error


def _message(error: ValidationError) -> tuple[str, str | None]:
    validator, value, instance = error.validator, error.validator_value, error.instance
    if validator == "type":
        expected = " or ".join(value) if isinstance(value, list) else value
        return f"{_describe(instance)} is {_type_name(instance)}; expected {expected}", None
    if validator == "enum":
        choices = ", ".join(str(v) for v in value)
        close = difflib.get_close_matches(str(instance), [str(v) for v in value], n=1)
        hint = f"Did you mean '{close[0]}'?" if close else None
        return f"{_describe(instance)} is not one of: {choices}", hint
    if validator == "const":
        return f"{_describe(instance)} must be {_describe(value)}", None
    if validator == "required":
        missing = [key for key in value if isinstance(instance, dict) and key not in instance]
        return f"missing required key '{missing[0] if missing else value[0]}'", None
    if validator in ("minimum", "maximum"):
        bound = "at least" if validator == "minimum" else "at most"
        return f"{_describe(instance)} must be {bound} {value}", None
    if validator in ("minProperties", "maxProperties") and isinstance(instance, dict):
        allowed = sorted((error.schema.get("properties") or {}).keys())
        keys = ", ".join(allowed)
        if not instance:
            return f"this mapping is empty; give one of: {keys}", None
        return f"give exactly one of {keys} here, not {len(instance)} keys", None
    if validator == "minLength":
        return f"{_describe(instance)} is too short (at least {value} characters)", None
    if validator == "maxLength":
        return f"{_describe(instance)} is too long (at most {value} characters)", None
    if validator == "pattern":
        what = error.schema.get("description") or f"matching {value}"
        examples = error.schema.get("examples") or []
        like = f" (for example {_describe(examples[0])})" if examples else ""
        return f"{_describe(instance)} does not have the expected form{like}", what
    return error.message, None


def _unknown_keys(error: ValidationError) -> list[str]:
    allowed = error.schema.get("properties") or {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [key for key in instance if key not in allowed]


def _answered_by_serverless_check(path: tuple[Any, ...], key: str) -> bool:
    """A Serverless key wasmdeploy warns about or refuses: check_serverless reports it."""
    found = serverless_keys.answer(path, key)
    return found is not None and found.status != "supported"


def check_schema(data: Any, problems: Problems) -> None:
    """Report every schema violation into `problems`.

    A value a variable failed to fill is not reported again, and a missing
    required key is not reported when a misspelt key nearby was taken for it.
    """
    errors = [leaf for raw in _validator().iter_errors(data) for leaf in _leaf_errors(raw)]
    misspelt: set[tuple[Any, ...]] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and error.schema.get("properties"):
            allowed = list(error.schema["properties"])
            for key in _unknown_keys(error):
                if _answered_by_serverless_check(path, key):
                    continue
                elsewhere = serverless_keys.misplaced_hint(path, key)
                if elsewhere:
                    problems.error(
                        (*path, key),
                        f"'{key}' does not belong here",
                        hint=elsewhere + ".",
                        key=True,
                    )
                    continue
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
                hint = f"Did you mean '{close[0]}'?" if close else None
                hint = hint or f"Known keys here: {', '.join(allowed)}."
                if close:
                    misspelt.add((*path, close[0]))
                problems.error((*path, key), f"unknown key '{key}'", hint=hint, key=True)
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and error.schema.get("properties"):
            continue
        if path in problems.unresolved:
            continue
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [k for k in error.validator_value if k not in error.instance]
            if all((*path, k) in misspelt for k in missing):
                continue
            if all(serverless_keys.stands_in_for(error.instance, k) for k in missing):
                continue
        if "propertyNames" in error.relative_schema_path:
            rule = NAME_RULES.get(
                str(error.validator_value), f"names matching {error.validator_value}"
            )
            problems.error(
                (*path, str(error.instance)),
                f"'{error.instance}' is not a valid name here",
                hint=f"Use {rule}.",
                key=True,
            )
            continue
        message, message_hint = _message(error)
        problems.error(path, message, hint=message_hint)
