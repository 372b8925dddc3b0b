"""`useDotenv`: load `.env` files into the environment `${env:...}` reads, as Serverless does.

`useDotenv: true` (v3) loads `.env.{stage}` from the manifest's directory, else `.env`;
a path or a list of paths (v4) loads those files too, with lower precedence. Variables
already set in the environment win over the files (dotenv's rule), and `${VAR}` inside
a file expands as dotenv-expand does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values


def dotenv_paths(setting: Any, root: Path, stage: str) -> list[Path]:
    """The files to load, most important first."""
    if setting is False or setting is None:
        return []
    local = [root / f".env.{stage}"] if (root / f".env.{stage}").is_file() else [root / ".env"]
    extra = setting if isinstance(setting, list) else [setting] if isinstance(setting, str) else []
    shared: list[Path] = []
    for item in extra:
        path = root / str(item)
        shared.extend([path / f".env.{stage}", path / ".env"] if path.is_dir() else [path])
    return [path for path in [*local, *shared] if path.is_file()]


def dotenv_candidates(setting: Any, root: Path, stage: str) -> list[Path]:
    """The files whose creation or change would change what `setting` loads."""
    if setting is False or setting is None:
        return []
    return [root / f".env.{stage}", root / ".env", *dotenv_paths(setting, root, stage)]


def with_dotenv(environ: Mapping[str, str], setting: Any, root: Path, stage: str) -> dict[str, str]:
    """`environ` plus the values of the files `setting` names that it does not set already."""
    merged = dict(environ)
    for path in dotenv_paths(setting, root, stage):
        for key, value in dotenv_values(path, interpolate=True).items():
            if value is not None:
                merged.setdefault(key, value)
    return merged
