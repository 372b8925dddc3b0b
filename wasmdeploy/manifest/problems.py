"""Problems found in a manifest, where they are, and the error that carries them.

Every stage of loading (YAML, variables, schema, checks) reports into one
`Problems` collector instead of raising, so a single run shows every mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from wasmdeploy.errors import UserError

Severity = Literal["error", "warning"]
PathPart = str | int
NodePath = tuple[PathPart, ...]


def format_path(path: NodePath) -> str:
    """('functions', 'resize', 'events', 0, 's3') -> 'functions.resize.events[0].s3'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(root)"


@dataclass(frozen=True)
class Problem:
    """One error or warning, pointing at a node of the manifest (1-based line and column)."""

    path: str
    message: str
    file: str
    line: int
    column: int
    hint: str | None = None
    severity: Severity = "error"

    def render(self) -> str:
        """`FILE:LINE:COL: path: message`, then the hint on its own indented line."""
        label = "warning: " if self.severity == "warning" else ""
        text = f"{self.file}:{self.line}:{self.column}: {label}{self.path}: {self.message}"
        return f"{text}\n    {self.hint}" if self.hint else text

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }
        if self.hint:
            data["hint"] = self.hint
        return data


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


class Locations:
    """Where each node of the parsed YAML sits: value marks and key marks by node path."""

    def __init__(self) -> None:
        self.values: dict[NodePath, Mark] = {}
        self.keys: dict[NodePath, Mark] = {}

    def of(self, path: NodePath, *, key: bool = False) -> Mark:
        """The mark of `path` (of its key if asked), else of the nearest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Mark(1, 1))


@dataclass
class Problems:
    """Collects errors and warnings for one manifest file."""

    file: str
    locations: Locations = field(default_factory=Locations)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unresolved: set[NodePath] = field(default_factory=set)  # values a variable failed to fill

    def _make(
        self, path: NodePath, message: str, hint: str | None, severity: Severity, key: bool
    ) -> Problem:
        mark = self.locations.of(path, key=key)
        return Problem(
            format_path(path), message, self.file, mark.line, mark.column, hint, severity
        )

    def error(
        self, path: NodePath, message: str, *, hint: str | None = None, key: bool = False
    ) -> None:
        problem = self._make(path, message, hint, "error", key)
        if problem not in self.errors:
            self.errors.append(problem)

    def warning(
        self, path: NodePath, message: str, *, hint: str | None = None, key: bool = False
    ) -> None:
        problem = self._make(path, message, hint, "warning", key)
        if problem not in self.warnings:
            self.warnings.append(problem)

    def sorted_errors(self) -> list[Problem]:
        return sorted(self.errors, key=lambda p: (p.line, p.column, p.path))

    def sorted_warnings(self) -> list[Problem]:
        return sorted(self.warnings, key=lambda p: (p.line, p.column, p.path))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ManifestInvalid(self.sorted_errors(), self.sorted_warnings())


class ManifestInvalid(UserError):
    """The manifest has errors; `problems` holds every one, `warnings` the warnings."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = problems
        self.warnings = warnings or []
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(problem.render() for problem in problems)
        file = problems[0].file if problems else "manifest"
        super().__init__(
            f"{file} has {count} {noun}:\n{lines}",
            hint="Fix the lines above, then run `wasmdeploy validate` again.",
        )


def relative_file(path: Path) -> str:
    """The manifest's name as the user would type it: relative to the cwd when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
