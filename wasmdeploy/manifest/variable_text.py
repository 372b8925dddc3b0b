"""The text side of `${source:ref, fallback}` variables: the reference and its fallback
split at the top-level comma, `self:` paths (`a.b[0].c` or `a.b.0.c`), a value placed
inside a string, and what an unresolved reference tells the user to do.
"""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy.manifest.problems import NodePath

_SELF_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
MISSING = object()  # what a source returns when it has no such value


class VariableError(Exception):
    def __init__(
        self,
        message: str,
        hint: str | None = None,
        cycle: list[NodePath] | None = None,
        secondary: bool = False,  # caused by a value whose own error is reported already
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.cycle = cycle
        self.secondary = secondary


def child(node: Any, part: str | int) -> Any:
    """node[part] for a mapping key or a list index, else MISSING."""
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part, MISSING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return MISSING


def split_top_level_comma(text: str) -> tuple[str, str | None]:
    quote: str | None = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == ",":
            return text[:index].strip(), text[index + 1 :].strip()
    return text.strip(), None


def parse_self_path(ref: str) -> NodePath:
    parts: list[str | int] = []
    for match in _SELF_PART.finditer(ref):
        name, index = match.groups()
        if index is not None:
            parts.append(int(index))
        elif name.isdigit():
            parts.append(int(name))
        else:
            parts.append(name)
    return tuple(parts)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise VariableError(
        f"a {type(value).__name__} cannot be placed inside a string",
        "Only strings and numbers can be embedded; use the variable as the whole value.",
    )


def unresolved_message(reference: str) -> tuple[str, str]:
    source, _, ref = reference.partition(":")
    ref = ref.strip()
    if source == "opt":
        return (
            f"'${{{reference}}}' is not set: no --{ref} option was given",
            f"Pass --{ref}, or give a default: ${{opt:{ref}, 'dev'}}.",
        )
    if source == "env":
        return (
            f"'${{{reference}}}' is not set: environment variable {ref} is not defined",
            f"Export {ref}, or give a default: ${{env:{ref}, 'value'}}.",
        )
    if source == "self":
        return (
            f"'${{{reference}}}' refers to '{ref}', which is not in this manifest",
            "Check the path (e.g. self:provider.stage, self:custom.bucket).",
        )
    return (f"'${{{reference}}}' cannot be resolved", "Check the variable's name.")
