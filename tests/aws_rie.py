"""AWS's Lambda Runtime Interface Emulator (RIE): Lambda's own Runtime API, to drive a runtime.

The emulator is a Go binary AWS publishes for container images. AWS SAM CLI
ships it inside its wheel on PyPI (`samcli/local/rapid/aws-lambda-rie-<arch>`),
so it is fetched from there with pip (the wheel alone, none of SAM's
dependencies) and kept in a cache. `WASMDEPLOY_TEST_AWS_RIE` names a binary to
use instead.

    python3 -m tests.aws_rie    # fetch it now and print its path
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path

from tests.ports import free_port
from tests.processes import stop

SAM_CLI_VERSION = "1.170.0"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class EmulatorUnavailable(Exception):
    pass


def rie_binary() -> Path:
    """The emulator for this machine's architecture, fetched on first use."""
    override = os.environ.get("WASMDEPLOY_TEST_AWS_RIE")
    if override:
        return Path(override)
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    if arch is None or not sys.platform.startswith("linux"):
        raise EmulatorUnavailable(f"no emulator build for {sys.platform} {platform.machine()}")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    binary = cache / "wasmdeploy-tests" / f"aws-lambda-rie-{arch}-sam{SAM_CLI_VERSION}"
    if not binary.is_file():
        _fetch(arch, binary)
    return binary


def _fetch(arch: str, binary: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="aws-rie-") as tmp:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp,
             f"aws-sam-cli=={SAM_CLI_VERSION}"],
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        wheels = list(Path(tmp).glob("aws_sam_cli-*.whl"))
        if download.returncode != 0 or not wheels:
            raise EmulatorUnavailable(f"pip download aws-sam-cli failed: {download.stderr[-400:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            data = wheel.read(f"samcli/local/rapid/aws-lambda-rie-{arch}")
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    partial.replace(binary)


class EmulatedLambda:
    """One emulator serving one runtime command, both bound to 127.0.0.1 only."""

    def __init__(
        self,
        command: list[str],
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
        *,
        timeout_seconds: int = 30,
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        full_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_LAMBDA", "_HANDLER", "LAMBDA_TASK_ROOT"))
        }
        full_env.update(env)
        full_env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = str(timeout_seconds)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(rie_binary()),
                    "--runtime-interface-emulator-address",
                    f"127.0.0.1:{self.port}",
                    "--runtime-api-address",
                    f"127.0.0.1:{free_port()}",
                    *command,
                ],
                cwd=cwd,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_listening()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def invoke(self, payload: bytes, timeout: float = 60.0) -> tuple[bytes, dict[str, str]]:
        """The invocation's answer body and response headers, as the emulator returns them."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{INVOKE_PATH}", data=payload, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read(), dict(response.headers.items())
        except urllib.error.HTTPError as error:
            return error.read(), dict(error.headers.items())

    def invoke_json(self, payload: bytes) -> object:
        return json.loads(self.invoke(payload)[0])

    def stop(self) -> None:
        stop(self.process)

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited: {self.log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"the emulator did not listen on {self.port}: {self.log}")


if __name__ == "__main__":
    print(rie_binary())
