"""The environment Lambda gives a runtime process, built for a local sandbox."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wasmdeploy.local.kv_local import kv_environment
from wasmdeploy.manifest.model import Function, Service

LOCAL_ACCOUNT_ID = "123456789012"
# Host variables a runtime needs to start at all (Lambda has its own PATH).
_PASSED_THROUGH = ("PATH", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")
_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "wasmdeploy-local",
    "AWS_SECRET_ACCESS_KEY": "wasmdeploy-local",
    "AWS_SESSION_TOKEN": "wasmdeploy-local",
}


@dataclass(frozen=True)
class SandboxSettings:
    """What a runtime process is started with: its command, environment and directory."""

    command: tuple[str, ...]
    environment: dict[str, str]
    task_root: Path
    function_name: str  # the deployed name
    function_arn: str
    memory_size: int  # MB
    timeout: float  # seconds
    version: str = "$LATEST"


def function_arn(service: Service, function: Function) -> str:
    return f"arn:aws:lambda:{service.region}:{LOCAL_ACCOUNT_ID}:function:{function.deployed_name}"


def lambda_environment(
    service: Service,
    function: Function,
    *,
    task_root: Path,
    handler: str,
    aws_endpoint: str | None = None,
    real_aws: bool = False,
) -> dict[str, str]:
    """Lambda's variables, then the function's own; the runtime API address is added per process.

    The function's AWS calls go to the local AWS (`aws_endpoint`) with
    throwaway credentials, and without one they have no account to reach;
    only with `real_aws` (`--aws`) do the host's credentials pass through, as
    the role's would in Lambda.
    """
    environment = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    if real_aws:
        environment.update({name: os.environ[name] for name in _CREDENTIALS if name in os.environ})
    else:
        environment.update(_LOCAL_CREDENTIALS)
        if aws_endpoint:
            environment["AWS_ENDPOINT_URL"] = aws_endpoint
            environment["AWS_ENDPOINT_URL_S3"] = aws_endpoint
    name = function.deployed_name
    environment.update(
        {
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(task_root),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": service.region,
            "AWS_DEFAULT_REGION": service.region,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name(),
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PYTHONUNBUFFERED": "1",
            # The runtime runs on the interpreter wasmdeploy runs on (same wasmtime).
            "WASMDEPLOY_PYTHON": sys.executable,
        }
    )
    if function.runtime.startswith("python"):
        # Lambda sets this for managed runtimes only, not for OS-only (provided.*) ones.
        environment["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{function.runtime}"
    if not function.is_edge:  # Lambda@Edge has no environment variables (wasmdeploy.json has them)
        environment.update(function.environment)
    environment.update(kv_environment(service, function))  # where its key-value stores are
    return environment


def log_stream_name() -> str:
    """A name shaped like Lambda's: 2026/11/23/[$LATEST]<32 hex digits>."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{secrets.token_hex(16)}"
