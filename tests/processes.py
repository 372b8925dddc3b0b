"""Stopping a child process a test started: ask, give it time, then kill."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop(
    process: subprocess.Popen[bytes],
    sig: int = signal.SIGTERM,
    *,
    group: bool = False,
    grace: float = 10.0,
) -> None:
    """Send `sig` (to the whole process group with `group`, even when its leader is gone),
    wait `grace` seconds, then SIGKILL."""
    if group:
        _signal_group(process, sig)
    elif process.poll() is None:
        process.send_signal(sig)
    else:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        if group:
            _signal_group(process, signal.SIGKILL)
        else:
            process.kill()
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has already gone
        os.killpg(process.pid, sig)
