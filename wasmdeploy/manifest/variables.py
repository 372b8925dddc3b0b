"""Resolve `${source:ref, fallback}` variables in the parsed manifest.

Sources: `opt:stage` / `opt:region` (the CLI options), `sls:stage` /
`sls:region` (the effective stage and region, defaults applied), `env:NAME`,
`self:path.to.key` (another node of this manifest; `a.b[0].c` or `a.b.0.c`).
Variables nest (`${env:${opt:stage}_URL}`) and may sit inside a string; a
variable that is the whole value keeps the referenced value's type, so
`${self:custom.limits}` can insert a mapping. The fallback is a quoted string,
a number, `true`/`false`, another variable, or a bare word.

Expansion is bounded whatever the source: at most `MAX_SUBSTITUTIONS`
variables are looked up, no resolved string grows past `MAX_TEXT` characters,
and the resolved manifest (counting a value inserted twice twice) holds at most
`MAX_VALUES` values, so values that double each other stop with one clear error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wasmdeploy.manifest.problems import NodePath, Problems, format_path
from wasmdeploy.manifest.source import MAX_VALUES
from wasmdeploy.manifest.variable_text import (
    MISSING,
    VariableError,
    as_text,
    child,
    parse_self_path,
    split_top_level_comma,
    unresolved_message,
)

__all__ = ["MISSING", "NOT_MINE", "VariableContext", "VariableError", "resolve_variables"]

_INNERMOST = re.compile(r"\$\{((?:(?!\$\{)[^}])*)\}")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_REFERENCE = re.compile(r"^(?:(?:opt|env|self|sls|param|aws|ssm|cf):|file\(|strToBool\()")
NOT_MINE = object()  # what an extra source returns for a reference it does not handle
MAX_SUBSTITUTIONS = 100_000
MAX_TEXT = 1024 * 1024  # characters in one resolved string


class ExpansionTooLarge(Exception):
    """Resolving would exceed a bound: reported once, and resolution stops."""

    def __init__(self, message: str, path: NodePath) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass
class VariableContext:
    """What variables resolve against: the CLI options, the environment."""

    options: dict[str, str | None] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    defaults: dict[str, str] = field(default_factory=dict)  # sls:stage, sls:region
    sources: Any = None  # more sources, tried first: variable_sources.ServerlessSources


class _Resolver:
    def __init__(self, data: Any, context: VariableContext, problems: Problems) -> None:
        self.data = data
        self.context = context
        self.problems = problems
        self.done: dict[NodePath, Any] = {}
        self.in_progress: list[NodePath] = []
        self.substitutions = 0

    def too_large(self, message: str) -> ExpansionTooLarge:
        return ExpansionTooLarge(message, self.in_progress[-1] if self.in_progress else ())

    def join(self, text: str, values: list[Any]) -> str:
        """`text` with each placeholder replaced by its value's text, at most MAX_TEXT long."""
        pieces = _PLACEHOLDER.split(text)
        for index in range(1, len(pieces), 2):
            pieces[index] = as_text(values[int(pieces[index])])
        if sum(len(piece) for piece in pieces) > MAX_TEXT:
            raise self.too_large(
                f"a value would grow past {MAX_TEXT:,} characters as its variables are filled in"
            )
        return "".join(pieces)

    def raw(self, path: NodePath) -> Any:
        node = self.data
        for part in path:
            node = child(node, part)
        return node

    def node(self, path: NodePath) -> Any:
        """The resolved value of the node at `path` (which must exist in the raw data)."""
        if path in self.done:
            return self.done[path]
        if path in self.in_progress:
            cycle = [*self.in_progress[self.in_progress.index(path) :], path]
            raise VariableError(
                "variables refer to each other in a cycle: "
                + " -> ".join(format_path(p) for p in cycle),
                "Break the cycle: one of these values must be written out.",
                cycle,
            )
        self.in_progress.append(path)
        try:
            value = self._resolve(self.raw(path), path)
        except VariableError as error:
            self.done[path] = None
            if error.cycle and path == error.cycle[0]:
                return None  # a mapping or list that contains a reference to itself
            raise
        finally:
            self.in_progress.pop()
        self.done[path] = value
        return value

    def _resolve(self, value: Any, path: NodePath) -> Any:
        if isinstance(value, dict):
            return {key: self.node((*path, key)) for key in value}
        if isinstance(value, list):
            return [self.node((*path, index)) for index in range(len(value))]
        if isinstance(value, str) and "${" in value:
            try:
                return self.string(value)
            except VariableError as error:
                if not error.secondary:
                    self.problems.error(path, error.message, hint=error.hint)
                self.problems.unresolved.add(path)
                if error.cycle and path in error.cycle and path != error.cycle[0]:
                    self.done[path] = None
                    raise  # every member of the cycle is reported, the first one stops it
                return None
        return value

    def resolved_at(self, path: NodePath) -> Any:
        """The resolved value at `path`, looking inside values that variables inserted."""
        if self.raw(path) is not MISSING:
            return self.node(path)
        cut = len(path) - 1
        while cut > 0 and self.raw(path[:cut]) is MISSING:
            cut -= 1
        if not isinstance(self.raw(path[:cut]), str):
            return MISSING  # a plain mapping or list without that key
        value = self.node(path[:cut])
        for part in path[cut:]:
            value = child(value, part)
        return value

    def string(self, text: str) -> Any:
        values: list[Any] = []

        def substitute(match: re.Match[str]) -> str:
            values.append(self.expression(match.group(1), values))
            return f"\x00{len(values) - 1}\x00"

        previous = None
        while previous != text:
            previous = text
            text = _INNERMOST.sub(substitute, text, count=1)
        whole = _PLACEHOLDER.fullmatch(text)
        if whole:
            return values[int(whole.group(1))]
        if "${" in text:
            raise VariableError(
                "unterminated variable: '${' without its closing '}'",
                "Write variables like ${env:NAME} or ${self:provider.stage}.",
            )
        return self.join(text, values)

    def expression(self, expression: str, values: list[Any]) -> Any:
        self.substitutions += 1
        if self.substitutions > MAX_SUBSTITUTIONS:
            raise self.too_large(f"the manifest has more than {MAX_SUBSTITUTIONS:,} variables")
        primary, fallback = split_top_level_comma(expression)
        primary = self.join(primary, values)
        value = self.lookup(primary)
        if value is not MISSING and value is not None:
            return value
        if fallback is not None:
            return self.fallback(fallback, values)
        source, _, ref = primary.partition(":")
        if source.strip() == "self" and self.failed(parse_self_path(ref.strip())):
            raise VariableError(f"'${{{primary}}}' failed to resolve", secondary=True)
        sourced = self.context.sources and self.context.sources.unresolved_message(primary)
        raise VariableError(*(sourced or unresolved_message(primary)))

    def failed(self, path: NodePath) -> bool:
        """True when `path`, or a value it lies inside, failed to resolve (and was reported)."""
        return any(path[:cut] in self.problems.unresolved for cut in range(len(path) + 1))

    def fallback(self, text: str, values: list[Any]) -> Any:
        whole = _PLACEHOLDER.fullmatch(text)
        if whole:
            return values[int(whole.group(1))]
        text = self.join(text, values)
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        if _NUMBER.match(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text in ("null", "~"):
            return None
        if _REFERENCE.match(text):
            return self.expression(text, values)
        return text

    def lookup(self, reference: str) -> Any:
        if self.context.sources is not None:
            found = self.context.sources.lookup(reference, self)
            if found is not NOT_MINE:
                return found
        source, sep, ref = reference.partition(":")
        source, ref = source.strip(), ref.strip()
        if not sep:
            raise VariableError(
                f"'${{{reference}}}' is not a variable: expected source:reference",
                "Use ${opt:stage}, ${env:NAME}, ${env:NAME, 'default'} or ${self:path.to.key}.",
            )
        if source == "opt":
            return self.context.options.get(ref) if ref else MISSING
        if source == "sls":
            return self.context.defaults.get(ref, MISSING)
        if source == "env":
            return self.context.environ.get(ref, MISSING) if ref else MISSING
        if source == "self":
            return self.resolved_at(parse_self_path(ref))
        raise VariableError(
            f"unknown variable source '{source}' in '${{{reference}}}'",
            "The sources are opt, env, self and sls"
            + (", file(), param, aws, ssm, cf and strToBool()." if self.context.sources else "."),
        )


def resolve_variables(data: Any, context: VariableContext, problems: Problems) -> Any:
    """The manifest with every variable replaced; unresolvable ones are reported and become None."""
    resolver = _Resolver(data, context, problems)
    try:
        resolved = resolver.node(())
        if _expanded_count(resolved, {}, MAX_VALUES) > MAX_VALUES:
            raise ExpansionTooLarge(
                f"the resolved manifest has more than {MAX_VALUES:,} values: "
                "variables insert values that insert each other",
                (),
            )
        return resolved
    except RecursionError:
        problems.error((), "variables nest too deeply to resolve")
    except ExpansionTooLarge as error:
        problems.error(
            error.path,
            error.message,
            hint="Variables that repeat each other multiply the manifest; write the value once.",
        )
    return None


def _expanded_count(value: Any, counts: dict[int, int], limit: int) -> int:
    """How many values `value` holds as a tree (a shared value counted at each place), capped
    just past `limit`; `counts` remembers shared values, so the cost is one visit per object."""
    if not isinstance(value, dict | list):
        return 1
    known = counts.get(id(value))
    if known is not None:
        return known
    total = 1
    for item in value.values() if isinstance(value, dict) else value:
        total += _expanded_count(item, counts, limit)
        if total > limit:
            break
    counts[id(value)] = total
    return total
