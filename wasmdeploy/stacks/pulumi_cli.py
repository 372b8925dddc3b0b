"""Finding and running the `pulumi` CLI, which the Automation API drives.

Found the way Pulumi's own `PulumiCommand` finds it, `pulumi` on PATH (where
pulumi/actions and Pulumi's release tarballs put it, e.g. the tool cache's
`.../pulumi/<version>/x64/pulumi`), then where Pulumi's installers put it
without touching PATH: `~/.pulumi/bin` and `~/.pulumi/versions/<version>/bin`.
Every way running it can fail (missing, not executable, wrong format, hung,
too old) is one clear message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pulumi import automation as auto
from semver import VersionInfo

from wasmdeploy.errors import UserError

INSTALL_COMMAND = "curl -fsSL https://get.pulumi.com | sh"
INSTALL_HINT = (
    f"Install it with `{INSTALL_COMMAND}` (it goes to ~/.pulumi/bin), or in GitHub Actions "
    "add the `pulumi/actions` step. `wasmdeploy plan` shows the resources without it."
)
MINIMUM_VERSION = VersionInfo.parse("3.1.0")  # the Automation API's own minimum
VERSION_TIMEOUT = 60.0


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _version_key(directory: Path) -> tuple[int, ...]:
    try:
        parsed = VersionInfo.parse(directory.name.lstrip("v"))
    except ValueError:
        return (-1,)
    return (parsed.major, parsed.minor, parsed.patch)


def find_pulumi_cli(path: str | None, home: Path | None = None) -> Path:
    """`pulumi` on `path` (the PATH to search), else under `~/.pulumi`; UserError if none."""
    found = shutil.which("pulumi", path=path)
    if found:
        return Path(found)
    pulumi_home = (home or Path.home()) / ".pulumi"
    candidates = [pulumi_home / "bin" / "pulumi"]
    versions = pulumi_home / "versions"
    if versions.is_dir():
        newest_first = sorted(versions.iterdir(), key=_version_key, reverse=True)
        candidates += [directory / "bin" / "pulumi" for directory in newest_first]
    for candidate in candidates:
        if _executable(candidate):
            return candidate
    raise UserError(
        "The pulumi CLI is not installed (the Automation API runs it).", hint=INSTALL_HINT
    )


def cli_failure(executable: Path, error: OSError) -> UserError:
    return UserError(
        f"Could not run the pulumi CLI at {executable}: {error.strerror or error}.",
        hint=f"Reinstall it, or put a working `pulumi` first on PATH. {INSTALL_HINT}",
    )


def read_version(executable: Path, env: Mapping[str, str]) -> VersionInfo:
    """`pulumi version`, checked against what the Automation API supports."""
    try:
        result = subprocess.run(
            [str(executable), "version"],
            env={**env, "PULUMI_SKIP_UPDATE_CHECK": "true"},
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            check=False,
        )
    except OSError as error:
        raise cli_failure(executable, error) from error
    except subprocess.TimeoutExpired as error:
        raise UserError(
            f"`{executable} version` did not answer in {VERSION_TIMEOUT:.0f} seconds.",
            hint=INSTALL_HINT,
        ) from error
    text = result.stdout.strip()
    try:
        version = VersionInfo.parse(text.removeprefix("v"))
    except ValueError:
        detail = (result.stderr.strip() or text or f"exit status {result.returncode}")[-300:]
        raise UserError(
            f"`{executable} version` did not print a version: {detail}", hint=INSTALL_HINT
        ) from None
    if version.major != MINIMUM_VERSION.major or version.compare(MINIMUM_VERSION) < 0:
        raise UserError(
            f"The pulumi CLI at {executable} is version {version}; wasmdeploy needs "
            f"{MINIMUM_VERSION.major}.x from {MINIMUM_VERSION} on.",
            hint=INSTALL_HINT,
        )
    return version


class PulumiCli(auto.PulumiCommand):
    """`PulumiCommand` for one exact executable, its version read once with our environment."""

    def __init__(self, executable: Path, env: Mapping[str, str]) -> None:
        # PulumiCommand.__init__ would run `pulumi version` itself, outside any error handling.
        self.command = str(executable)
        self.version = read_version(executable, env)
