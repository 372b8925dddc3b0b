"""Lambda's event filtering for SQS and stream mappings (`filterPatterns`), as AWS applies it.

A record passes when any pattern matches it; a record that matches none is
dropped before the function runs: an SQS message is deleted, a stream
record skipped (its checkpoint moves past it), exactly as Lambda does. The
patterns use EventBridge's syntax: exact values, `prefix`, `suffix`,
`anything-but`, `numeric`, `exists`, `equals-ignore-case`, `wildcard` and
`$or`. An SQS `body` or a Kinesis `data` that holds JSON is matched as JSON.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_MISSING = object()
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def filterable(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as Lambda's filter sees it: a JSON body or Kinesis data parsed."""
    view = dict(record)
    if isinstance(view.get("body"), str):
        view["body"] = _parsed(view["body"])
    kinesis = view.get("kinesis")
    if isinstance(kinesis, Mapping) and isinstance(kinesis.get("data"), str):
        view.update(kinesis)  # Lambda filters on the Kinesis fields at the top: partitionKey, data
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            view["data"] = _parsed(base64.b64decode(kinesis["data"]).decode())
    return view


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def passes(record: Mapping[str, Any], patterns: Sequence[Mapping[str, Any]]) -> bool:
    """No patterns: everything passes; otherwise the record must match one of them."""
    if not patterns:
        return True
    view = filterable(record)
    return any(matches(pattern, view) for pattern in patterns)


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    for key, condition in pattern.items():
        if key == "$or":
            if not any(matches(option, event) for option in condition):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(condition, Mapping):
            if value is _MISSING or not matches(condition, value):
                return False
        elif not any(_condition_holds(c, value) for c in condition):
            return False
    return True


def _condition_holds(condition: Any, value: Any) -> bool:
    if isinstance(condition, Mapping) and "exists" in condition:
        return (value is not _MISSING) == bool(condition["exists"])
    if value is _MISSING:
        return False
    if isinstance(value, list):
        return any(_condition_holds(condition, item) for item in value)
    if not isinstance(condition, Mapping):
        return bool(condition == value and type(condition) is type(value)) or (
            _is_number(condition) and _is_number(value) and float(condition) == float(value)
        )
    (name, argument), *_ = condition.items()
    if name in ("prefix", "suffix"):
        if not isinstance(value, str):
            return False
        wanted, subject = str(argument), value
        if isinstance(argument, Mapping):  # {"prefix": {"equals-ignore-case": "ab"}}
            wanted, subject = str(next(iter(argument.values()))).lower(), value.lower()
        return subject.startswith(wanted) if name == "prefix" else subject.endswith(wanted)
    if name == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(argument).lower()
    if name == "wildcard":
        return isinstance(value, str) and fnmatch.fnmatchcase(value, str(argument))
    if name == "numeric":
        return _is_number(value) and all(
            _COMPARE[argument[i]](float(value), float(argument[i + 1]))
            for i in range(0, len(argument) - 1, 2)
        )
    if name == "anything-but":
        if isinstance(argument, Mapping):
            return not _condition_holds(argument, value)
        excluded = argument if isinstance(argument, list) else [argument]
        return not any(_condition_holds(item, value) for item in excluded)
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
