"""How a function's sandboxes are set up: its staged task root, command and environment."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wasmdeploy.build.config import task_root_handler
from wasmdeploy.build.task_root import stage_task_root
from wasmdeploy.local.lambda_environment import (
    SandboxSettings,
    function_arn,
    lambda_environment,
)
from wasmdeploy.local.runtime_command import (
    MANAGED_HANDLER,
    default_runtime_command,
    managed_python_command,
)
from wasmdeploy.manifest.model import Function, Service


@dataclass(frozen=True)
class ModuleStamp:
    """What identifies a module's version on disk: a rebuilt module changes it."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> ModuleStamp | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(stat.st_mtime_ns, stat.st_size)


class SandboxFactory:
    """Stages a function's task root and describes the processes that run it.

    With a custom `bootstrap` command (debugging another runtime), the task
    root is the manifest's directory, where that runtime's own files live;
    otherwise it is a fresh copy of what the function's zip would hold.
    """

    def __init__(
        self,
        service: Service,
        function: Function,
        *,
        bootstrap: tuple[str, ...] | None = None,
        aws_endpoint: str | None = None,
        real_aws: bool = False,
        precompile: bool = True,
    ) -> None:
        self.service = service
        self.function = function
        self.bootstrap = bootstrap
        self.aws_endpoint = aws_endpoint
        self.real_aws = real_aws
        self.precompile = precompile
        self._staged: list[Path] = []

    def module_stamp(self) -> ModuleStamp | None:
        return ModuleStamp.of(self.function.module)

    def settings(self) -> SandboxSettings:
        """Stage the module as it is now, and the settings of sandboxes that run it."""
        if self.bootstrap is not None:
            task_root = self.service.root
        else:
            task_root = Path(tempfile.mkdtemp(prefix=f"wasmdeploy-{self.function.name}-"))
            self._staged.append(task_root)
            stage_task_root(self.function, task_root, precompile=self.precompile)
        command, handler = self._command()
        environment = lambda_environment(
            self.service,
            self.function,
            task_root=task_root,
            handler=handler,
            aws_endpoint=self.aws_endpoint,
            real_aws=self.real_aws,
        )
        return SandboxSettings(
            command=command,
            environment=environment,
            task_root=task_root,
            function_name=self.function.deployed_name,
            function_arn=function_arn(self.service, self.function),
            memory_size=self.function.memory_size,
            timeout=float(self.function.timeout),
        )

    def _command(self) -> tuple[tuple[str, ...], str]:
        """The runtime command and `_HANDLER`: the custom runtime's bootstrap, or for
        python3.x functions (and Lambda@Edge) the managed runtime's client and handler."""
        if self.bootstrap is not None:
            return self.bootstrap, task_root_handler(self.function)
        if self.function.runtime.startswith("python"):
            managed = managed_python_command()
            if managed is not None:
                return managed, MANAGED_HANDLER
        return default_runtime_command(), task_root_handler(self.function)

    def cleanup(self) -> None:
        for path in self._staged:
            shutil.rmtree(path, ignore_errors=True)
        self._staged.clear()
