"""Which pip requirement installs, on a CI runner, the very wasmdeploy that runs here.

pip records where it installed a distribution from (PEP 610's `direct_url.json`):
- from a git URL: that URL at the exact commit it installed;
- from a local checkout (`pip install -e .`): the checkout's `origin` remote at
  its current commit (a runner cannot see this machine's directories);
- from an archive URL: that URL; from a package index (no record): `==version`.
A local archive, or a checkout without a remote, exists only here: then there
is nothing a runner could install, and the user names it with `--install`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from wasmdeploy.errors import UserError

DISTRIBUTION = "wasmdeploy"
INSTALL_HINT = (
    "pass --install with a pip requirement a runner can install, e.g. "
    '--install "wasmdeploy @ git+https://github.com/OWNER/wasmdeploy@COMMIT"'
)


@dataclass(frozen=True)
class Provenance:
    """Where the running wasmdeploy came from, as pip recorded it."""

    version: str
    direct_url: dict[str, object] | None  # direct_url.json, None when installed from an index


def _direct_url(distribution: metadata.Distribution) -> dict[str, object] | None:
    text = distribution.read_text("direct_url.json")
    return json.loads(text) if text else None


def _provides(distribution: metadata.Distribution, package: Path) -> bool:
    """Whether `distribution` is the one the running `package` was imported from."""
    direct = _direct_url(distribution) or {}
    url = urlparse(str(direct.get("url", "")))
    if "dir_info" in direct and url.scheme == "file":
        return package.is_relative_to(Path(unquote(url.path)).resolve())
    located = Path(str(distribution.locate_file(f"{DISTRIBUTION}/__init__.py")))
    return located.resolve().parent == package


def installed_provenance(name: str = DISTRIBUTION) -> Provenance:
    """The record of the distribution the running wasmdeploy was imported from (a checkout
    may also hold a stale `*.egg-info`, found first when Python runs from its directory)."""
    import wasmdeploy

    package = Path(wasmdeploy.__file__).resolve().parent
    candidates = list(metadata.distributions(name=name))
    if not candidates:
        raise UserError("wasmdeploy's installation record is missing", hint=INSTALL_HINT)
    recorded = [d for d in candidates if _direct_url(d) is not None]
    providing = [d for d in (*recorded, *candidates) if _provides(d, package)]
    chosen = (providing or candidates)[0]
    return Provenance(chosen.version, _direct_url(chosen))


def _git(checkout: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(checkout), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def remote_url(url: str) -> str:
    """A git remote as pip takes it: `git@github.com:o/r.git` -> `https://github.com/o/r.git`,
    a local path -> `file://localhost/...` (pip refuses a URL with an empty host)."""
    if url.startswith("git@") and ":" in url:
        host, _, path = url[len("git@") :].partition(":")
        return f"https://{host}/{path}"
    if "://" not in url:
        return f"file://localhost{Path(url).resolve().as_posix()}"
    if url.startswith("file:///"):
        return f"file://localhost/{url[len('file:///') :]}"
    return url


def checkout_requirement(checkout: Path) -> str:
    """`wasmdeploy @ git+<origin>@<commit>` for a checkout whose commit a runner can fetch."""
    commit = _git(checkout, "rev-parse", "HEAD")
    remote = _git(checkout, "config", "--get", "remote.origin.url")
    top = _git(checkout, "rev-parse", "--show-toplevel")
    if commit is None or remote is None or top is None:
        raise UserError(
            f"this wasmdeploy runs from {checkout}, which has no git remote a runner could "
            "install it from",
            hint=INSTALL_HINT,
        )
    inside = checkout.resolve().relative_to(Path(top).resolve()).as_posix()
    fragment = "" if inside == "." else f"#subdirectory={inside}"
    return f"{DISTRIBUTION} @ git+{remote_url(remote)}@{commit}{fragment}"


def install_requirement(provenance: Provenance) -> str:
    """The pip requirement for exactly this wasmdeploy; UserError when none exists elsewhere."""
    direct = provenance.direct_url
    if direct is None:
        return f"{DISTRIBUTION}=={provenance.version}"
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    subdirectory = direct.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    if isinstance(vcs, dict):
        scheme = vcs.get("vcs", "git")
        return f"{DISTRIBUTION} @ {scheme}+{remote_url(url)}@{vcs['commit_id']}{fragment}"
    parsed = urlparse(url)
    if "dir_info" in direct and parsed.scheme == "file":
        return checkout_requirement(Path(unquote(parsed.path)))
    if parsed.scheme in ("http", "https"):
        return f"{DISTRIBUTION} @ {url}{fragment}"
    raise UserError(
        f"this wasmdeploy was installed from {url}, which exists only on this machine",
        hint=INSTALL_HINT,
    )
