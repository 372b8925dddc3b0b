"""`wasmdeploy build`: run each function's build command and check its module.

Commands run through the shell in the manifest's directory. A command shared
by several functions runs once. After it, the function's module must exist and
be valid WebAssembly. What was built is recorded in `.wasmdeploy/build-state.json`
beside the manifest, so unchanged functions are skipped (see `inputs.RULE`).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from wasmdeploy.build.inputs import file_sha256, inputs_digest
from wasmdeploy.build.wasm_opt import Optimized, optimize_module
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function, Service

Status = Literal["built", "up to date", "no build command"]
STATE_FILE = Path(".wasmdeploy") / "build-state.json"
OUTPUT_TAIL_LINES = 30


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    output: str  # stdout and stderr, interleaved


class CommandRunner(Protocol):
    def __call__(self, command: str, cwd: Path, env: dict[str, str]) -> CommandResult: ...


def run_shell(command: str, cwd: Path, env: dict[str, str]) -> CommandResult:
    completed = subprocess.run(
        command,
        shell=True,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return CommandResult(completed.returncode, completed.stdout.decode("utf-8", "replace"))


@dataclass(frozen=True)
class BuildOutcome:
    function: str
    status: Status
    module: Path
    size: int | None
    seconds: float | None = None
    output: str = ""
    size_before_optimize: int | None = None  # the command's module, before wasm-opt
    optimizer: str | None = None  # which wasm-opt ran


def select_functions(service: Service, names: Sequence[str]) -> list[Function]:
    if not names:
        return list(service.functions)
    known = {f.name for f in service.functions}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(
            f"no function named {', '.join(map(repr, unknown))} in {service.manifest_path.name}",
            hint=f"Functions: {', '.join(sorted(known))}.",
        )
    return [service.function(name) for name in dict.fromkeys(names)]


def validate_module(function: Function) -> int:
    """Check the function's module exists and is valid WebAssembly; return its size."""
    import wasmtime

    from wasmdeploy.build.inspect import wasmtime_reason

    try:
        data = function.module.read_bytes()
    except OSError:
        raise UserError(
            f"function {function.name!r}: the build command {function.build!r} finished but "
            f"{function.module_relpath} does not exist",
            hint="Make the command write the module at the handler's path.",
        ) from None
    try:
        wasmtime.Module.validate(wasmtime.Engine(), data)
    except wasmtime.WasmtimeError as error:
        raise UserError(
            f"function {function.name!r}: {function.module_relpath} is not valid WebAssembly: "
            f"{wasmtime_reason(error)}"
        ) from None
    return len(data)


class BuildState:
    """The digest of each function's inputs and module at its last successful build."""

    def __init__(self, root: Path) -> None:
        self.path = root / STATE_FILE
        try:
            loaded = json.loads(self.path.read_text())
        except (OSError, ValueError):
            loaded = {}
        self.entries: dict[str, dict[str, str]] = loaded if isinstance(loaded, dict) else {}

    def is_current(self, function: Function, inputs: str) -> bool:
        entry = self.entries.get(function.name) or {}
        return (
            entry.get("inputs") == inputs
            and entry.get("module") is not None
            and entry.get("module") == file_sha256(function.module)
        )

    def record(self, function: Function, inputs: str) -> None:
        module = file_sha256(function.module)
        if module is not None:
            self.entries[function.name] = {"inputs": inputs, "module": module}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries, indent=2, sort_keys=True) + "\n")


def build_functions(
    service: Service,
    names: Sequence[str] = (),
    *,
    force: bool = False,
    runner: CommandRunner = run_shell,
    on_start: Callable[[Function], None] | None = None,
) -> list[BuildOutcome]:
    """Run the build command of each selected function whose inputs changed."""
    functions = select_functions(service, names)
    state = BuildState(service.root)
    digests: dict[str, str] = {}
    ran: dict[str, tuple[float, str]] = {}  # command -> (seconds, output), once per command
    outcomes: list[BuildOutcome] = []
    try:
        for function in functions:
            if not function.build:
                size = function.module.stat().st_size if function.module.is_file() else None
                outcomes.append(
                    BuildOutcome(function.name, "no build command", function.module, size)
                )
                continue
            if function.build not in digests:
                digests[function.build] = inputs_digest(function.build, service.root)
            inputs = _with_optimizer_settings(digests[function.build], function)
            if not force and function.build not in ran and state.is_current(function, inputs):
                size = function.module.stat().st_size
                outcomes.append(BuildOutcome(function.name, "up to date", function.module, size))
                continue
            if on_start:
                on_start(function)
            if function.build not in ran:
                ran[function.build] = _run(function, service, runner)
            size = validate_module(function)
            optimized = _optimize(function)
            state.record(function, inputs)
            seconds, output = ran[function.build]
            outcomes.append(
                BuildOutcome(
                    function.name,
                    "built",
                    function.module,
                    optimized.size_after if optimized else size,
                    seconds,
                    output,
                    size_before_optimize=size if optimized else None,
                    optimizer=optimized.tool.source if optimized else None,
                )
            )
    finally:
        state.save()
    return outcomes


def _with_optimizer_settings(inputs: str, function: Function) -> str:
    """A changed `optimize` or `strip` rebuilds the function, like a changed command."""
    if not function.build_optimize and not function.build_strip:
        return inputs
    return f"{inputs}:{function.build_optimize or ''}:{int(function.build_strip)}"


def _optimize(function: Function) -> Optimized | None:
    if not function.build_optimize and not function.build_strip:
        return None
    return optimize_module(
        function.module, level=function.build_optimize, strip=function.build_strip
    )


def _run(function: Function, service: Service, runner: CommandRunner) -> tuple[float, str]:
    assert function.build is not None
    env = {**os.environ, "WASMDEPLOY_FUNCTION": function.name, "WASMDEPLOY_STAGE": service.stage}
    started = time.perf_counter()
    try:
        result = runner(function.build, service.root, env)
    except OSError as error:
        raise UserError(
            f"function {function.name!r}: cannot run {function.build!r}: {error}"
        ) from None
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(result.output.rstrip().splitlines()[-OUTPUT_TAIL_LINES:])
        raise UserError(
            f"function {function.name!r}: the build command {function.build!r} failed "
            f"(exit {result.returncode})" + (f":\n{tail}" if tail else ""),
            hint=f"Run it yourself in {service.root} to see the whole output.",
        )
    return seconds, result.output
