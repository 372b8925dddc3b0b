"""Helpers for the local emulation tests: services built in code, handlers run by awslambdaric.

AWS's own Python runtime client (awslambdaric) serves as the runtime in most of
these tests: it proves the local Runtime API speaks AWS's protocol, and it lets
a test say what the function does in a few lines of Python.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

from wasmdeploy.local.emulator import LocalEmulator
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.manifest.model import (
    EdgeTrigger,
    Function,
    HttpRoute,
    ObjectOutput,
    S3Trigger,
    Sandbox,
    Service,
)

AWSLAMBDARIC = (sys.executable, "-m", "awslambdaric")


def write_handler(directory: Path, source: str, module: str = "app") -> None:
    (directory / f"{module}.py").write_text(textwrap.dedent(source))


def make_function(
    root: Path,
    name: str = "fn",
    *,
    timeout: int = 3,
    routes: Iterable[HttpRoute] = (),
    s3_triggers: Iterable[S3Trigger] = (),
    environment: dict[str, str] | None = None,
    output: ObjectOutput | None = None,
    module: str = "handler.wasm",
    export: str | None = None,
    input_mode: str = "event",
    runtime: str = "provided.al2023",
    edge: EdgeTrigger | None = None,
) -> Function:
    return Function(
        name=name,
        deployed_name=f"svc-dev-{name}",
        handler=module + (f"#{export}" if export else ""),
        module=root / module,
        module_relpath=module,
        abi="exports" if export else "wasi",
        export=export,
        runtime=runtime,
        architecture="x86_64",
        memory_size=256,
        timeout=timeout,
        sandbox=Sandbox(),
        environment=environment or {},
        routes=tuple(routes),
        s3_triggers=tuple(s3_triggers),
        output=output,
        input=input_mode,  # type: ignore[arg-type]
        edge=edge,
    )


def make_service(root: Path, *functions: Function) -> Service:
    return Service(
        name="svc",
        stage="dev",
        region="us-east-1",
        manifest_path=root / "wasmdeploy.yml",
        functions=functions,
    )


def python_factory(
    service: Service, function: Function, handler: str = "app.handler"
) -> SandboxFactory:
    """Sandboxes of `function` that run a Python handler from the service's directory."""
    return SandboxFactory(service, function, bootstrap=(*AWSLAMBDARIC, handler))


class LogCollector:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    def matching(self, prefix: str) -> list[str]:
        return [line for line in self.lines if line.startswith(prefix)]


def python_emulator(service: Service) -> LocalEmulator:
    """`serve` on free ports, each function running `app.handler` under awslambdaric."""
    return LocalEmulator(
        service,
        port=0,
        aws_port=0,
        notice=LogCollector(),
        bootstrap=(*AWSLAMBDARIC, "app.handler"),
    )
