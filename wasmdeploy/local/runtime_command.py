"""Which command starts a runtime process: the layer's `bootstrap`, or the user's."""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from pathlib import Path

from wasmdeploy.errors import UserError


def default_runtime_command() -> tuple[str, ...]:
    """`bootstrap` as Lambda runs it: `runtime-layer/bootstrap` in a source checkout, the
    copy inside the installed runtime package otherwise.

    Without either, run what `bootstrap` runs: the runtime package's main.
    """
    spec = importlib.util.find_spec("wasmdeploy_runtime")
    if spec is not None and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        for bootstrap in (package.parent / "bootstrap", package / "bootstrap"):
            if bootstrap.is_file() and os.access(bootstrap, os.X_OK):
                return (str(bootstrap),)
    return (sys.executable, "-m", "wasmdeploy_runtime")


MANAGED_HANDLER = "wasmdeploy_runtime.managed.handler"


def managed_python_command() -> tuple[str, ...] | None:
    """What Lambda's managed Python runtimes run: AWS's runtime interface client (awslambdaric)
    on the runtime's handler. None when awslambdaric is not installed."""
    if importlib.util.find_spec("awslambdaric") is None:
        return None
    return (sys.executable, "-m", "awslambdaric", MANAGED_HANDLER)


def parse_bootstrap(command: str) -> tuple[str, ...]:
    """`--bootstrap "python -m awslambdaric app.handler"`, split as a shell would."""
    try:
        words = tuple(shlex.split(command))
    except ValueError as error:
        raise UserError(f"--bootstrap {command!r} is not a valid command: {error}") from error
    if not words:
        raise UserError('--bootstrap needs a command, e.g. "python -m awslambdaric app.handler"')
    return words
