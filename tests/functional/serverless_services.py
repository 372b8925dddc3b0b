"""A serverless.yml service for the tests: written beside a WASI module, deployed into moto."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import wasmtime
from moto import mock_aws
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun, run_mocked

WASI = '(module (memory (export "memory") 1) (func (export "_start")))'


def write_serverless(root: Path, manifest: str) -> Path:
    """`root/serverless.yml` (dedented) and the `h.wasm` module its handlers name."""
    (root / "h.wasm").write_bytes(wasmtime.wat2wasm(WASI))
    path = root / "serverless.yml"
    path.write_text(textwrap.dedent(manifest))
    return path


@contextmanager
def deployed_in_moto(
    root: Path, manifest: str, before: Callable[[], None] = lambda: None
) -> Iterator[tuple[Service, MockedRun]]:
    """The manifest loaded and its program run under the moto-backed mocks (`before` runs
    inside moto first, to create what the service expects to exist)."""
    service = load_service(write_serverless(root, manifest))
    artifacts = make_artifacts(service, root / "out")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWS's own managed policies
        with mock_aws():
            before()
            yield service, run_mocked(service, artifacts, MotoMocks(service.region))
