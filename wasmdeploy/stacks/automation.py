"""The deploy path: Pulumi's Automation API with an inline program.

Project = the service's name, stack = the stage. State lives in a backend
(`backends`): by default a local directory beside the manifest
(`.wasmdeploy/state`, no account needed); teams use `s3://bucket`. The stack's
secrets are encrypted with a passphrase from the environment. The Automation
API drives the `pulumi` CLI (`pulumi_cli`), so every operation first checks
that the CLI is installed. The workspace is `.wasmdeploy/pulumi/` beside the
manifest (ignored by git): the same project and stack settings on every run.
The environment checked by `preflight` is the one the CLI runs with.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.backends import (
    check_passphrase,
    prepare_backend,
    resolve_backend,
    uses_passphrase,
)
from wasmdeploy.stacks.pulumi_cli import PulumiCli, cli_failure, find_pulumi_cli
from wasmdeploy.stacks.role_guard import BOUNDARY_VARIABLE, RoleGuard, guarded, role_guard

Program = Callable[[], None]
EventHandler = Callable[[Any], None]
WORK_DIRECTORY = Path(".wasmdeploy") / "pulumi"


@dataclass
class StackSession:
    """One service's stack, opened through the Automation API."""

    service: Service
    stack: auto.Stack
    backend: str
    executable: Path = Path("pulumi")
    guard: RoleGuard | None = None  # where the program's roles go (path, boundary)

    def preview(self, on_event: EventHandler) -> auto.PreviewResult:
        return self._run("preview", lambda: self.stack.preview(on_event=on_event, color="never"))

    def up(self, on_event: EventHandler) -> auto.UpResult:
        return self._run("up", lambda: self.stack.up(on_event=on_event, color="never"))

    def destroy(self, on_event: EventHandler) -> auto.DestroyResult:
        return self._run("destroy", lambda: self.stack.destroy(on_event=on_event, color="never"))

    def refresh(self, on_event: EventHandler) -> auto.RefreshResult:
        return self._run("refresh", lambda: self.stack.refresh(on_event=on_event, color="never"))

    def outputs(self) -> dict[str, Any]:
        values = self._run("stack output", self.stack.outputs)
        return {key: output.value for key, output in values.items()}

    def _run(self, operation: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except OSError as error:
            raise cli_failure(self.executable, error) from error
        except auto.ConcurrentUpdateError as error:
            raise UserError(
                f"Another update of stack {self.service.stage} is running.",
                hint="Wait for it, or if it died run `pulumi cancel` against this backend.",
            ) from error
        except auto.CommandError as error:
            text = command_error_text(error)
            raise UserError(
                f"pulumi {operation} failed for {self.service.name}/{self.service.stage}:\n{text}",
                hint=self._failure_hint(text),
            ) from error
        except RuntimeError as error:  # the Automation API's own, for an incomplete event log
            raise UserError(
                f"pulumi {operation} for {self.service.name}/{self.service.stage} ended "
                f"without reporting its result ({error}).",
                hint="Run it again; if it persists, run `pulumi` yourself in "
                f"{WORK_DIRECTORY} to see its output.",
            ) from error

    def _failure_hint(self, text: str) -> str:
        missing_boundary = self.guard is not None and self.guard.boundary is None
        if missing_boundary and "CreateRole" in text and "AccessDenied" in text:
            return (
                "A least-privilege deploy role creates roles only within the service's "
                f"permissions boundary: set {BOUNDARY_VARIABLE} (the generated workflow "
                "does), e.g. wasmdeploy/<service>/permissions-boundary."
            )
        return "Fix the cause above and run the command again."


def command_error_text(error: auto.CommandError, lines: int = 25) -> str:
    """The end of what the CLI printed, stderr first: that is where the cause is.

    The Automation API's message is "code: N / stdout: ... / stderr: ..."."""
    text = str(error)
    head, _, stderr = text.rpartition("\n stderr: ")
    _, _, stdout = head.rpartition("\n stdout: ")
    chosen = (stderr if head else "").strip() or (stdout if head else "").strip() or text.strip()
    return "\n".join(chosen.splitlines()[-lines:])


@dataclass(frozen=True)
class Preflight:
    """What every stack operation needs, checked before any slow work."""

    executable: Path
    backend: str
    environment: dict[str, str]


def preflight(
    service: Service, backend_option: str | None = None, env: Mapping[str, str] | None = None
) -> Preflight:
    """The CLI is installed, the backend is known, the passphrase is set."""
    environment = dict(os.environ if env is None else env)
    home = Path(environment["HOME"]) if environment.get("HOME") else None
    executable = find_pulumi_cli(environment.get("PATH"), home)
    backend = resolve_backend(service, backend_option, environment, home)
    check_passphrase(backend, environment)
    return Preflight(executable, backend, environment)


def prepare_work_dir(service: Service) -> Path:
    """`.wasmdeploy/pulumi/` beside the manifest, which ignores itself in git."""
    directory = service.root / WORK_DIRECTORY
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Pulumi's workspace for wasmdeploy: not for git.\n*\n")
    except OSError as error:
        raise UserError(f"cannot create {directory}: {error.strerror or error}") from None
    return directory


def workspace_options(service: Service, checked: Preflight) -> auto.LocalWorkspaceOptions:
    backend = checked.backend
    settings = auto.ProjectSettings(
        name=service.name,
        runtime="python",
        description=f"wasmdeploy service {service.name}",
        backend=auto.ProjectBackend(url=backend),
    )
    return auto.LocalWorkspaceOptions(
        work_dir=str(prepare_work_dir(service)),
        project_settings=settings,
        secrets_provider="passphrase" if uses_passphrase(backend) else None,
        env_vars={**checked.environment, "PULUMI_BACKEND_URL": backend},
        pulumi_command=PulumiCli(checked.executable, checked.environment),
    )


def open_stack(
    service: Service,
    program: Program,
    checked: Preflight,
    *,
    create: bool = True,
) -> StackSession:
    """Create (or with `create=False`, select) the stage's stack in the checked backend.

    Every role the program declares is put under the service's path and boundary."""
    backend = checked.backend
    prepare_backend(backend)
    options = workspace_options(service, checked)
    guard = role_guard(service, checked.environment)
    program = guarded(program, guard)
    try:
        if create:
            stack = auto.create_or_select_stack(
                service.stage, project_name=service.name, program=program, opts=options
            )
        else:
            stack = auto.select_stack(
                service.stage, project_name=service.name, program=program, opts=options
            )
        stack.set_config("aws:region", auto.ConfigValue(service.region))
    except OSError as error:
        raise cli_failure(checked.executable, error) from error
    except auto.StackNotFoundError as error:
        raise UserError(
            f"Stage {service.stage!r} of {service.name} has no stack in {backend}.",
            hint="Deploy it first with `wasmdeploy up`, or pass the right --stage / --backend.",
        ) from error
    except auto.CommandError as error:
        raise UserError(
            f"Could not open stack {service.name}/{service.stage} in {backend}:\n"
            f"{command_error_text(error)}",
            hint="Check the backend URL and credentials (s3:// backends need AWS access).",
        ) from error
    return StackSession(service, stack, backend, checked.executable, guard)
