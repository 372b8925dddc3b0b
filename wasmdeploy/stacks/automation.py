"""The deploy path: Pulumi's Automation API with an inline program.

Project = the service's name, stack = the stage. State lives in a backend: by
default a local directory beside the manifest (`.wasmdeploy/state`, no account
needed); teams use `s3://bucket`. The stack's secrets are encrypted with a
passphrase from the environment. The Automation API drives the `pulumi` CLI,
so every operation first checks that the CLI is installed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Service

INSTALL_COMMAND = "curl -fsSL https://get.pulumi.com | sh"
INSTALL_HINT = (
    f"Install it with `{INSTALL_COMMAND}` (it goes to ~/.pulumi/bin), or in GitHub Actions "
    "add the `pulumi/actions` step. `wasmdeploy plan` shows the resources without it."
)
PASSPHRASE_VARIABLES = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
PASSPHRASE_HINT = (
    "Set PULUMI_CONFIG_PASSPHRASE to the passphrase that encrypts this stack's secrets "
    "(keep it in your CI secrets), or PULUMI_CONFIG_PASSPHRASE_FILE to a file holding it. "
    "For a throwaway local stack an empty one works: export PULUMI_CONFIG_PASSPHRASE=''"
)

Program = Callable[[], None]
EventHandler = Callable[[Any], None]


def find_pulumi_cli(path: str | None = None, home: Path | None = None) -> Path:
    """The `pulumi` executable on PATH, else where its installer puts it (~/.pulumi/bin)."""
    found = shutil.which("pulumi", path=path)
    if found:
        return Path(found)
    installed = (home or Path.home()) / ".pulumi" / "bin" / "pulumi"
    if installed.is_file() and os.access(installed, os.X_OK):
        return installed
    raise UserError(
        "The pulumi CLI is not installed (the Automation API runs it).", hint=INSTALL_HINT
    )


def pulumi_command(executable: Path) -> auto.PulumiCommand:
    """The Automation API takes the install root and runs `<root>/bin/pulumi`."""
    return auto.PulumiCommand(root=str(executable.parent.parent))


def default_backend(service: Service) -> str:
    return (service.root / ".wasmdeploy" / "state").as_uri()


def resolve_backend(service: Service, option: str | None, env: Mapping[str, str]) -> str:
    """--backend > the manifest's backend > PULUMI_BACKEND_URL > the local default."""
    return option or service.backend or env.get("PULUMI_BACKEND_URL") or default_backend(service)


def uses_passphrase(backend: str) -> bool:
    """Self-managed backends (file://, s3://, ...) encrypt secrets with a passphrase;
    Pulumi Cloud (https://) manages its own keys."""
    return not backend.startswith(("https://", "http://"))


def check_passphrase(backend: str, env: Mapping[str, str]) -> None:
    if uses_passphrase(backend) and not any(name in env for name in PASSPHRASE_VARIABLES):
        raise UserError(
            f"PULUMI_CONFIG_PASSPHRASE is not set (the {backend.split(':')[0]} backend needs it).",
            hint=PASSPHRASE_HINT,
        )


def prepare_backend(backend: str) -> None:
    """A file:// backend's directory must exist before the CLI logs in to it."""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@dataclass
class StackSession:
    """One service's stack, opened through the Automation API."""

    service: Service
    stack: auto.Stack
    backend: str

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
        except auto.ConcurrentUpdateError as error:
            raise UserError(
                f"Another update of stack {self.service.stage} is running.",
                hint="Wait for it, or if it died run `pulumi cancel` against this backend.",
            ) from error
        except auto.CommandError as error:
            raise UserError(
                f"pulumi {operation} failed for {self.service.name}/{self.service.stage}:\n"
                f"{command_error_text(error)}",
                hint="Fix the cause above and run the command again.",
            ) from error


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
    executable = find_pulumi_cli(environment.get("PATH"))
    backend = resolve_backend(service, backend_option, environment)
    check_passphrase(backend, environment)
    return Preflight(executable, backend, environment)


def open_stack(
    service: Service,
    program: Program,
    checked: Preflight,
    *,
    create: bool = True,
) -> StackSession:
    """Create (or with `create=False`, select) the stage's stack in the checked backend."""
    backend = checked.backend
    prepare_backend(backend)
    command = pulumi_command(checked.executable)
    settings = auto.ProjectSettings(
        name=service.name,
        runtime="python",
        description=f"wasmdeploy service {service.name}",
        backend=auto.ProjectBackend(url=backend),
    )
    options = auto.LocalWorkspaceOptions(
        project_settings=settings,
        secrets_provider="passphrase" if uses_passphrase(backend) else None,
        env_vars={"PULUMI_BACKEND_URL": backend},
        pulumi_command=command,
    )
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
    return StackSession(service, stack, backend)
