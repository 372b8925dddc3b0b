"""boto3 and its dependencies for the custom-runtime layer, fetched with pip and cached.

`provided.al2023` has no boto3, and the runtime's S3 object binding needs it. The
versions are the installed ones (the ones the runtime is tested with); the wheels are
pure Python, resolved for the bundled interpreter's version. botocore's `data/`
describes every AWS service: only the top-level files (endpoints, partitions,
retry and default configuration) and the services the runtime's client and its
credential providers load are kept.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from wasmdeploy.build.bytecode import Version, version_text
from wasmdeploy.build.wheels import WHEEL_PLATFORMS, extract_wheel, wheel_cache_dir
from wasmdeploy.errors import UserError

# botocore is pinned too: boto3 accepts a range of it, and the runtime is tested with this one.
PINNED_DISTRIBUTIONS = ("boto3", "botocore")
SDK_DATA_DIRS = ("botocore/data/", "boto3/data/")
# s3 and dynamodb (key-value stores) for the clients; sts, sso and sso-oidc for credentials
# from a web identity or a profile.
KEPT_SERVICES = frozenset({"s3", "dynamodb", "sts", "sso", "sso-oidc"})


def pinned_versions() -> dict[str, str]:
    """The installed boto3 and botocore versions, which the layer carries."""
    try:
        return {name: metadata.version(name) for name in PINNED_DISTRIBUTIONS}
    except metadata.PackageNotFoundError as missing:
        raise UserError(
            f"{missing.name} is not installed here; the custom-runtime layer carries the "
            "installed boto3 and botocore",
            hint="Install wasmdeploy with its dependencies (`pip install wasmdeploy`).",
        ) from None


def boto3_wheel_dir(python_version: Version, versions: dict[str, str]) -> Path:
    """Where the wheels of one boto3 version (and its dependencies) are cached."""
    return wheel_cache_dir() / f"boto3-{versions['boto3']}-py{version_text(python_version)}"


def cached_boto3_wheels(directory: Path, versions: dict[str, str]) -> list[Path] | None:
    """The directory's wheels when the pinned versions are among them."""
    wheels = sorted(directory.glob("*.whl"))
    names = {w.name for w in wheels}
    for name, version in versions.items():
        if not any(n.startswith(f"{name}-{version}-") for n in names):
            return None
    return wheels


def boto3_wheels(architecture: str, python_version: Version) -> list[Path]:
    """boto3's wheel and its dependencies' wheels, downloading them once."""
    if architecture not in WHEEL_PLATFORMS:
        raise UserError(f"unknown architecture {architecture!r}; use x86_64 or arm64")
    versions = pinned_versions()
    directory = boto3_wheel_dir(python_version, versions)
    found = cached_boto3_wheels(directory, versions)
    if found:
        return found
    # Downloaded beside the cache and moved in whole: a failed download leaves no partial set.
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    command = download_command(architecture, python_version, versions, partial)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or cached_boto3_wheels(partial, versions) is None:
        shutil.rmtree(partial, ignore_errors=True)
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        shown = " ".join([*command[1:-2], "--dest", str(directory)])
        raise UserError(
            f"could not download the boto3 {versions['boto3']} wheels (with their dependencies) "
            f"for the {architecture} custom-runtime layer from PyPI:\n{tail}",
            hint=f"Fill {directory} on a machine with network access (`python {shown}`), "
            "or have pip read a local wheel directory: PIP_NO_INDEX=1 PIP_FIND_LINKS=<dir>.",
        )
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    found = cached_boto3_wheels(directory, versions)
    assert found is not None
    return found


def download_command(
    architecture: str, python_version: Version, versions: dict[str, str], destination: Path
) -> list[str]:
    pins = [f"{name}=={version}" for name, version in versions.items()]
    return [
        sys.executable, "-m", "pip", "download", *pins,
        "--only-binary=:all:", "--disable-pip-version-check",
        "--platform", WHEEL_PLATFORMS[architecture],
        "--python-version", version_text(python_version),
        "--dest", str(destination),
    ]  # fmt: skip


def is_kept_sdk_file(name: str) -> bool:
    """False for the service descriptions of `data/` the runtime never loads."""
    for prefix in SDK_DATA_DIRS:
        if name.startswith(prefix):
            service, _, rest = name[len(prefix) :].partition("/")
            return not rest or service in KEPT_SERVICES
    return True


def extract_aws_sdk(wheels: Sequence[Path], destination: Path) -> None:
    for wheel in wheels:
        extract_wheel(wheel, destination, keep=is_kept_sdk_file)
