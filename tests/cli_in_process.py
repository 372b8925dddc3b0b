"""Run the `wasmdeploy` CLI in this process, as the console script does: fast enough for
tests that run it many times, with the same exit codes and output as a subprocess."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from wasmdeploy.cli.main import main


def run_cli(args: list[str], cwd: Path, *, stdout_only: bool = False) -> tuple[int, str]:
    """(exit code, stdout + stderr) of `wasmdeploy ARGS` run in `cwd`."""
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with CliRunner().isolation() as streams:
            try:
                main(args)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            output = streams[0].getvalue().decode()
            output += "" if stdout_only else streams[1].getvalue().decode()
    finally:
        os.chdir(previous)
    return code, output
