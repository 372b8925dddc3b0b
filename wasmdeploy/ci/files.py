"""The user's working tree: its root, its GitHub remote, and generated files in it."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from wasmdeploy.errors import UserError

DEFAULT_WORKFLOW = Path(".github") / "workflows" / "wasmdeploy.yml"


def find_repository_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git` (a directory or a file)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def relative_posix(path: Path, root: Path, what: str) -> str:
    """`path` relative to `root`, with '/' separators ("." for the root itself)."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise UserError(
            f"the {what} {path} is outside the repository {root}",
            hint="run the command inside the repository that holds the service.",
        ) from None
    return relative.as_posix() or "."


def write_new_file(path: Path, text: str, *, force: bool) -> None:
    """Write `text` to `path`; an existing file is replaced only with `force`."""
    if path.is_dir():
        raise UserError(f"{path} is a directory", hint="give a file name with -o.")
    if path.exists() and not force:
        raise UserError(
            f"{path} exists already",
            hint="pass --force to overwrite it, or -o to write somewhere else.",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from None


GITHUB_URL = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def repository_from_url(url: str) -> str | None:
    """`git@github.com:owner/repo.git` (or an https URL) -> `owner/repo`; None if not GitHub."""
    match = GITHUB_URL.match(url.strip())
    return f"{match['owner']}/{match['repo']}" if match else None


def github_repository(root: Path, remote: str = "origin") -> str | None:
    """OWNER/REPO of the remote in the repository at `root`, when it is on GitHub."""
    config_path = root / ".git" / "config"
    if not config_path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(config_path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    section = f'remote "{remote}"'
    if not parser.has_option(section, "url"):
        return None
    return repository_from_url(parser.get(section, "url"))
