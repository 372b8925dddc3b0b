"""Where a stack's state lives: the backend URL, resolved the way a user means it.

--backend > the manifest's `backend` > PULUMI_BACKEND_URL > `.wasmdeploy/state`
beside the manifest. A `file://` URL is a path: percent-escapes are decoded
(`my%20project` is `my project`), `~` is the home directory, and a relative
path is relative to the manifest's directory. The CLI is given
`file://<absolute path>`, written as Pulumi writes it (no escapes).
Other URLs (`s3://`, `azblob://`, `gs://`, Pulumi Cloud's `https://`) pass unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Service

FILE_SCHEME = "file://"
PASSPHRASE_VARIABLES = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
PASSPHRASE_HINT = (
    "Set PULUMI_CONFIG_PASSPHRASE to the passphrase that encrypts this stack's secrets "
    "(keep it in your CI secrets), or PULUMI_CONFIG_PASSPHRASE_FILE to a file holding it. "
    "For a throwaway local stack an empty one works: export PULUMI_CONFIG_PASSPHRASE=''"
)


def default_backend(service: Service) -> str:
    return f"{FILE_SCHEME}{(service.root / '.wasmdeploy' / 'state').as_posix()}"


def local_state_path(url: str, base: Path, home: Path | None = None) -> Path:
    """The directory a `file://` URL names: decoded, `~` expanded, relative to `base`."""
    text = unquote(url[len(FILE_SCHEME) :].split("?", 1)[0])
    if text.startswith("localhost/"):
        text = text[len("localhost") :]
    if text == "~" or text.startswith("~/"):
        return (home or Path.home()) / text[2:]
    if not text:
        raise UserError(f"the backend {url!r} names no directory", hint="e.g. file://./state")
    path = Path(text)
    return path if path.is_absolute() else (base / path).resolve()


def normalize_backend(url: str, base: Path, home: Path | None = None) -> str:
    if url.startswith(FILE_SCHEME):
        return f"{FILE_SCHEME}{local_state_path(url, base, home).as_posix()}"
    if "://" not in url:
        raise UserError(
            f"the backend {url!r} is not a URL",
            hint="e.g. s3://my-team-pulumi-state, or file://./state for a local directory",
        )
    return url


def resolve_backend(
    service: Service, option: str | None, env: Mapping[str, str], home: Path | None = None
) -> str:
    """--backend > the manifest's backend > PULUMI_BACKEND_URL > the local default."""
    chosen = option or service.backend or env.get("PULUMI_BACKEND_URL")
    return normalize_backend(chosen, service.root, home) if chosen else default_backend(service)


def uses_passphrase(backend: str) -> bool:
    """Self-managed backends (file://, s3://, ...) encrypt secrets with a passphrase;
    Pulumi Cloud (https://) manages its own keys."""
    return not backend.startswith(("https://", "http://"))


def check_passphrase(backend: str, env: Mapping[str, str]) -> None:
    if uses_passphrase(backend) and not any(name in env for name in PASSPHRASE_VARIABLES):
        raise UserError(
            f"PULUMI_CONFIG_PASSPHRASE is not set (the {backend.split(':')[0]} backend needs it).",
            hint=PASSPHRASE_HINT,
        )


def prepare_backend(backend: str) -> None:
    """A file:// backend's directory must exist before the CLI logs in to it."""
    if backend.startswith(FILE_SCHEME):
        path = Path(backend[len(FILE_SCHEME) :])
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"cannot create the state directory {path}: {error.strerror or error}"
            ) from None
