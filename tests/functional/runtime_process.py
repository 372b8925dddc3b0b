"""Running the real `runtime-layer/bootstrap` as a child process against a Runtime API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import stop

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO_ROOT / "runtime-layer" / "bootstrap"


class BootstrapProcess:
    """The bootstrap serving `task_root`; its stdout and stderr are kept in files."""

    def __init__(
        self,
        api_address: str,
        task_root: Path,
        log_dir: Path,
        *,
        handler: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_LAMBDA", "_HANDLER", "LAMBDA_TASK_ROOT"))
        }
        env.update(
            {
                "AWS_LAMBDA_RUNTIME_API": api_address,
                "LAMBDA_TASK_ROOT": str(task_root),
                "AWS_LAMBDA_FUNCTION_NAME": "testFunction",
                "WASMDEPLOY_PYTHON": sys.executable,
            }
        )
        if handler is not None:
            env["_HANDLER"] = handler
        env.update(extra_env or {})
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = log_dir / "stdout.log"
        self.stderr_path = log_dir / "stderr.log"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [str(BOOTSTRAP)], env=env, stdout=out, stderr=err, cwd=task_root
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        stop(self.process)
