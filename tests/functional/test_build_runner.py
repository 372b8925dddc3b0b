"""`build_functions` with a fake command runner: what runs, when, and what is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from wasmdeploy.build.runner import CommandResult, build_functions
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function, Sandbox, Service

WASM = bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))


class FakeCompiler:
    """Stands in for the shell: records commands and writes the modules they name."""

    def __init__(self, outputs: dict[str, list[str]], data: bytes = WASM, exit_code: int = 0):
        self.outputs = outputs  # command -> modules it writes
        self.data = data
        self.exit_code = exit_code
        self.commands: list[str] = []
        self.environments: list[dict[str, str]] = []

    def __call__(self, command: str, cwd: Path, env: dict[str, str]) -> CommandResult:
        self.commands.append(command)
        self.environments.append(env)
        for relpath in self.outputs.get(command, []):
            (cwd / relpath).parent.mkdir(parents=True, exist_ok=True)
            (cwd / relpath).write_bytes(self.data)
        return CommandResult(self.exit_code, "line 1\nerror: it broke\n")


def function(root: Path, name: str, build: str | None) -> Function:
    return Function(
        name=name,
        deployed_name=f"svc-dev-{name}",
        handler=f"out/{name}.wasm",
        module=root / "out" / f"{name}.wasm",
        module_relpath=f"out/{name}.wasm",
        abi="wasi",
        export=None,
        runtime="provided.al2023",
        architecture="x86_64",
        memory_size=128,
        timeout=6,
        sandbox=Sandbox(),
        build=build,
    )


def service(root: Path, *functions: Function) -> Service:
    return Service("svc", "dev", "us-east-1", root / "wasmdeploy.yml", functions)


def test_a_command_shared_by_functions_runs_once(tmp_path: Path) -> None:
    fake = FakeCompiler({"make": ["out/a.wasm", "out/b.wasm"]})
    svc = service(tmp_path, function(tmp_path, "a", "make"), function(tmp_path, "b", "make"))
    outcomes = build_functions(svc, runner=fake)
    assert fake.commands == ["make"]
    assert [o.status for o in outcomes] == ["built", "built"]
    assert fake.environments[0]["WASMDEPLOY_STAGE"] == "dev"


def test_unchanged_functions_are_skipped_and_sources_trigger_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "main.c").write_text("int main(){}")
    fake = FakeCompiler({"cc": ["out/a.wasm"]})
    svc = service(tmp_path, function(tmp_path, "a", "cc"))
    build_functions(svc, runner=fake)
    assert [o.status for o in build_functions(svc, runner=fake)] == ["up to date"]
    (tmp_path / "notes.md").write_text("docs are not sources")
    assert [o.status for o in build_functions(svc, runner=fake)] == ["up to date"]
    (tmp_path / "main.c").write_text("int main(){return 1;}")
    assert [o.status for o in build_functions(svc, runner=fake)] == ["built"]
    assert fake.commands == ["cc", "cc"]


def test_a_changed_command_rebuilds(tmp_path: Path) -> None:
    fake = FakeCompiler({"cc -O1": ["out/a.wasm"], "cc -O2": ["out/a.wasm"]})
    build_functions(service(tmp_path, function(tmp_path, "a", "cc -O1")), runner=fake)
    build_functions(service(tmp_path, function(tmp_path, "a", "cc -O2")), runner=fake)
    assert fake.commands == ["cc -O1", "cc -O2"]


def test_functions_without_a_command_are_reported_not_run(tmp_path: Path) -> None:
    fake = FakeCompiler({})
    (outcome,) = build_functions(service(tmp_path, function(tmp_path, "a", None)), runner=fake)
    assert outcome.status == "no build command" and fake.commands == []


def test_a_failing_command_raises_with_its_output_tail(tmp_path: Path) -> None:
    fake = FakeCompiler({}, exit_code=2)
    with pytest.raises(UserError, match=r"failed \(exit 2\)[\s\S]*error: it broke"):
        build_functions(service(tmp_path, function(tmp_path, "a", "make")), runner=fake)


def test_a_command_that_does_not_write_the_module_is_an_error(tmp_path: Path) -> None:
    fake = FakeCompiler({"make": []})
    with pytest.raises(UserError, match=r"out/a\.wasm does not exist"):
        build_functions(service(tmp_path, function(tmp_path, "a", "make")), runner=fake)


def test_a_module_that_is_not_webassembly_is_an_error(tmp_path: Path) -> None:
    fake = FakeCompiler({"make": ["out/a.wasm"]}, data=b"\0asm\x01\0\0\0\xff")
    with pytest.raises(UserError, match="not valid WebAssembly"):
        build_functions(service(tmp_path, function(tmp_path, "a", "make")), runner=fake)


def test_outputs_caches_and_hidden_directories_are_not_inputs(tmp_path: Path) -> None:
    (tmp_path / "main.zig").write_text("pub fn main() void {}")
    fake = FakeCompiler({"zig build": ["out/a.wasm"]})
    svc = service(tmp_path, function(tmp_path, "a", "zig build"))
    build_functions(svc, runner=fake)
    for generated in ("zig-out/bin/a.c", ".zig-cache/h/x.zig", "build/gen.c", "node_modules/m.js"):
        (tmp_path / generated).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / generated).write_text("generated")
    assert [o.status for o in build_functions(svc, runner=fake)] == ["up to date"]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "util.zig").write_text("pub fn f() void {}")
    assert [o.status for o in build_functions(svc, runner=fake)] == ["built"]
