"""What the workflow generator reads about the service, all of it optional.

The manifest gives the service's name, region, backend and functions; the
directory beside it tells whether the service has tests. If the manifest cannot
be read (missing, invalid, or a module not built yet), the generator still
works: `problem` says why, and the defaults apply.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wasmdeploy.errors import UserError

if TYPE_CHECKING:
    from wasmdeploy.manifest.model import Service

ServiceLoader = Callable[[Path], "Service"]

TEST_DIRECTORIES = ("tests", "test")
REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-test.txt",
    "test-requirements.txt",
    "dev-requirements.txt",
)


@dataclass(frozen=True)
class ServiceFacts:
    name: str | None = None
    region: str | None = None
    backend: str | None = None
    functions: tuple[str, ...] = ()  # every function, in manifest order
    edge_functions: tuple[str, ...] = ()
    problem: str | None = None  # why the manifest could not be read

    @property
    def smoke_candidates(self) -> tuple[str, ...]:
        """Functions a smoke test can invoke directly: the regional (non-edge) ones."""
        return tuple(name for name in self.functions if name not in self.edge_functions)


def find_manifest(directory: Path) -> Path | None:
    """The manifest `wasmdeploy` itself would pick in `directory`, or None."""
    from wasmdeploy.manifest.load import MANIFEST_NAMES  # imported here: loading is optional

    for name in MANIFEST_NAMES:
        if (directory / name).is_file():
            return directory / name
    return None


def load_with_wasmdeploy(path: Path) -> Service:
    from wasmdeploy.manifest.load import load_service

    return load_service(path)


def read_service_facts(
    manifest: Path | None, loader: ServiceLoader = load_with_wasmdeploy
) -> ServiceFacts:
    """The manifest's facts, or empty facts with the reason they could not be read."""
    if manifest is None:
        return ServiceFacts(problem="no wasmdeploy.yml (or serverless.yml) found")
    if not manifest.is_file():
        return ServiceFacts(problem=f"{manifest} does not exist")
    try:
        service = loader(manifest)
    except UserError as error:
        first_line = error.message.splitlines()[0] if error.message else type(error).__name__
        return ServiceFacts(problem=f"{manifest.name} could not be loaded: {first_line}")
    except (ImportError, OSError, ValueError) as error:
        return ServiceFacts(problem=f"{manifest.name} could not be loaded: {error}")
    return ServiceFacts(
        name=service.name,
        region=service.region,
        backend=service.backend,
        functions=tuple(function.name for function in service.functions),
        edge_functions=tuple(f.name for f in service.functions if f.is_edge),
    )


def _has_python_tests(directory: Path) -> bool:
    patterns = ("test_*.py", "*_test.py")
    return any(next(directory.rglob(pattern), None) is not None for pattern in patterns)


def _pyproject_configures_pytest(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "pytest" in data.get("tool", {})


def _ini_has_section(path: Path, section: str) -> bool:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return False
    return parser.has_section(section)


def has_tests(service_dir: Path) -> bool:
    """A tests/ (or test/) directory with Python tests, or a pytest configuration."""
    if any(
        (service_dir / name).is_dir() and _has_python_tests(service_dir / name)
        for name in TEST_DIRECTORIES
    ):
        return True
    if (service_dir / "pytest.ini").is_file() or (service_dir / "conftest.py").is_file():
        return True
    if (service_dir / "pyproject.toml").is_file() and _pyproject_configures_pytest(
        service_dir / "pyproject.toml"
    ):
        return True
    if (service_dir / "tox.ini").is_file() and _ini_has_section(service_dir / "tox.ini", "pytest"):
        return True
    setup_cfg = service_dir / "setup.cfg"
    return setup_cfg.is_file() and _ini_has_section(setup_cfg, "tool:pytest")


def requirement_files(service_dir: Path) -> tuple[str, ...]:
    """The requirement files beside the manifest, installed before the tests run."""
    return tuple(name for name in REQUIREMENT_FILES if (service_dir / name).is_file())
