"""Create a new service directory from a template.

The service is assembled in a temporary directory beside the target and moved
into place at the end, so a failure never leaves half a service behind. An
existing non-empty directory is never touched.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from wasmdeploy.errors import UserError
from wasmdeploy.templates.sample_png import sample_png

SERVICE_PLACEHOLDER = "__SERVICE__"
RENDERED_FILES = ("wasmdeploy.yml", "README.md")
# The service name prefixes S3 bucket names ("<name>-<stage>-images", at most 63
# characters, lower case) and Lambda function names ("<name>-<stage>-<function>").
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$|^[a-z]$")
GITIGNORE = ".wasmdeploy/\n.zig-cache/\nzig-out/\n__pycache__/\n"


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    try_command: str  # the first command to run in the new service
    extra_files: dict[str, Callable[[], bytes]] = field(default_factory=dict)


TEMPLATES: dict[str, Template] = {
    "http": Template(
        "http",
        "a JSON API on an HTTP API (GET /hello/{name}, POST /echo, 404 otherwise)",
        "wasmdeploy events apigw http --path /hello/ada --route '/hello/{name}'"
        " | wasmdeploy invoke api -e -",
    ),
    "s3-image": Template(
        "s3-image",
        "an S3-triggered function turning uploaded PNGs grayscale and inverted",
        "wasmdeploy invoke processImage --object sample.png --out processed.png",
        extra_files={"sample.png": sample_png},
    ),
    "edge": Template(
        "edge",
        "a Lambda@Edge origin-request function rewriting paths in front of an S3 site",
        "wasmdeploy events cloudfront origin-request --uri /docs/ | wasmdeploy invoke rewrite -e -",
    ),
}


@dataclass(frozen=True)
class CreatedService:
    directory: Path
    template: Template
    files: tuple[str, ...]  # relative paths, sorted


def check_service_name(name: str) -> str:
    if not SERVICE_NAME.match(name) or "--" in name:
        raise UserError(
            f"invalid service name {name!r}",
            hint="use 1-40 lower-case letters, digits and single hyphens, starting with a "
            "letter (it prefixes S3 bucket and Lambda function names).",
        )
    return name


def template_root(template: str) -> Traversable:
    if template not in TEMPLATES:
        raise UserError(
            f"unknown template {template!r}", hint=f"choose one of: {', '.join(TEMPLATES)}."
        )
    return resources.files("wasmdeploy.templates").joinpath(template)


def _template_files(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    files: list[tuple[str, Traversable]] = []
    for entry in root.iterdir():
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                files.extend(_template_files(entry, f"{relative}/"))
        elif not entry.name.endswith((".py", ".pyc")):
            files.append((relative, entry))
    return files


def _check_target(directory: Path) -> None:
    if directory.is_file():
        raise UserError(f"{directory} exists and is a file", hint="choose another --dir.")
    if directory.is_dir() and any(directory.iterdir()):
        raise UserError(
            f"{directory} exists already and is not empty; wasmdeploy init never overwrites",
            hint="choose another NAME or --dir, or remove the directory first.",
        )


def create_service(name: str, template: str, directory: Path) -> CreatedService:
    """Write the template's service, named `name`, into `directory` (new or empty)."""
    check_service_name(name)
    root = template_root(template)
    directory = directory.resolve()
    _check_target(directory)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        return _write_service(name, template, root, directory)
    except OSError as error:
        raise UserError(
            f"cannot create {directory}: {error.strerror or error}",
            hint="choose a --dir you can write to.",
        ) from None


def _write_service(name: str, template: str, root: Traversable, directory: Path) -> CreatedService:
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=directory.parent) as staging_name:
        staging = Path(staging_name) / "service"
        for relative, source in _template_files(root):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative in RENDERED_FILES:
                text = source.read_text(encoding="utf-8").replace(SERVICE_PLACEHOLDER, name)
                target.write_text(text, encoding="utf-8")
            else:
                target.write_bytes(source.read_bytes())
                if relative.endswith(".wasm"):
                    target.chmod(0o644)
            written.append(relative)
        for relative, produce in TEMPLATES[template].extra_files.items():
            (staging / relative).write_bytes(produce())
            written.append(relative)
        (staging / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        written.append(".gitignore")
        _check_target(directory)  # nothing appeared meanwhile
        if directory.is_dir():
            directory.rmdir()  # empty: checked above
        shutil.move(str(staging), str(directory))
    return CreatedService(directory, TEMPLATES[template], tuple(sorted(written)))
