"""allowedImports patterns."""

from __future__ import annotations

import pytest
from wasmdeploy_runtime.imports import ImportPolicy


@pytest.mark.parametrize(
    ("patterns", "module", "name", "allowed"),
    [
        (("wasi_snapshot_preview1.*",), "wasi_snapshot_preview1", "fd_write", True),
        (("wasi_snapshot_preview1.*",), "env", "abort", False),
        (("wasi_snapshot_preview1.fd_*",), "wasi_snapshot_preview1", "fd_read", True),
        (("wasi_snapshot_preview1.fd_*",), "wasi_snapshot_preview1", "sock_accept", False),
        (("env.abort",), "env", "abort", True),
        (("env.abort",), "env", "abortx", False),
        (("*",), "anything", "at_all", True),
        ((), "env", "abort", False),
        (("ENV.abort",), "env", "abort", False),
    ],
)
def test_pattern_matching_is_glob_on_module_dot_name(
    patterns: tuple[str, ...], module: str, name: str, allowed: bool
) -> None:
    assert ImportPolicy(patterns).allows(module, name) is allowed
