"""What wasmdeploy does with each key of Serverless Framework's configuration schema.

The table (`serverless_keys.json`) lists the keys Serverless v3 and v4 define
(its config-schema.js and the AWS provider's schema), and those well-known
plugins add, by the place they appear: the top level, `provider`, a function,
an event type, the keys of an event, `package`. Each is:

- `supported`: the schema accepts it and wasmdeploy deploys it;
- `warned`: the schema accepts it, and validate says what wasmdeploy does instead;
- `refused`: a Serverless Framework feature wasmdeploy does not support, with what to do.

`plugins` maps a plugin's name to what replaces it in wasmdeploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from wasmdeploy.manifest.problems import NodePath

Status = Literal["supported", "warned", "refused"]
STATUSES: tuple[Status, ...] = ("supported", "warned", "refused")
TABLE_FILE = Path(__file__).with_name("serverless_keys.json")


@dataclass(frozen=True)
class KeyAnswer:
    """wasmdeploy's answer for one Serverless key at one place."""

    section: str  # "top", "provider", "function", "event", "http", ...
    key: str
    status: Status
    note: str  # what wasmdeploy does instead (warned) or what to do (refused)


@cache
def table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


def section_of(path: NodePath) -> str | None:
    """The table's section for the keys of the mapping at `path`, or None if it has none."""
    if path == ():
        return "top"
    if path[0] == "provider" and all(isinstance(p, str) for p in path):
        name = ".".join(str(p) for p in path)
        return name if name in table() else None
    if path[0] in ("package", "resources") and len(path) == 1:
        return str(path[0])
    if path[0] != "functions":
        return None
    if len(path) == 2:
        return "function"
    if len(path) == 3 and path[2] == "package":
        return "package"
    if len(path) == 4 and path[2] == "events" and isinstance(path[3], int):
        return "event"
    if len(path) == 5 and path[2] == "events":
        kind = str(path[4])
        return kind if kind in table() and kind not in ("event", "function") else None
    return None


def answer(path: NodePath, key: str) -> KeyAnswer | None:
    """The answer for `key` in the mapping at `path`, or None when Serverless does not define it."""
    section = section_of(path)
    if section is None:
        return None
    entry = table()[section].get(key)
    if entry is None and section == "top":
        section, entry = "pluginTop", table()["pluginTop"].get(key)
    if entry is None:
        return None
    status, note = entry
    return KeyAnswer(section=section, key=key, status=status, note=note)


def is_serverless_key(path: NodePath, key: str) -> bool:
    """True when Serverless (or a well-known plugin) defines `key` at `path`."""
    return answer(path, key) is not None


def misplaced_hint(path: NodePath, key: str) -> str | None:
    """For a key users put where neither Serverless nor wasmdeploy reads it: where it belongs."""
    section = section_of(path)
    hint = table()["misplaced"].get(f"{section}.{key}") if section else None
    return str(hint) if hint is not None else None


# Serverless keys that take the place of a key wasmdeploy requires: their refusal is the
# one error (a function with a container `image` has no `handler`).
STANDS_IN_FOR = {"handler": "image"}


def stands_in_for(instance: Any, required: str) -> bool:
    """True when `instance` has the Serverless key that replaces the missing `required`."""
    other = STANDS_IN_FOR.get(required)
    return isinstance(instance, dict) and other is not None and other in instance


def plugin_replacement(name: str) -> str | None:
    """What replaces the Serverless plugin `name` in wasmdeploy, or None when nothing does."""
    replacement = table()["plugins"].get(name)
    return str(replacement) if replacement is not None else None
