"""Manifests written to hurt the loader: each is refused with one clear error, quickly, in
bounded memory, by every command that reads a manifest, and never with a traceback."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import wasmtime

from tests.cli_in_process import run_cli

WASI_COMMAND = """
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""
MEMORY_CAP = 1024**3  # address space for a run that must not expand the manifest


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def wasmdeploy(
    directory: Path, *args: str, capped: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory if capped else None,
        env={"PATH": "/usr/bin:/bin", "HOME": str(directory)},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))
    return tmp_path


def write(project: Path, text: str) -> None:
    (project / "wasmdeploy.yml").write_text(textwrap.dedent(text))


def report_of(project: Path, *args: str) -> dict[str, Any]:
    """`validate --json ARGS`'s report (run in this process: these tests run it often)."""
    code, output = run_cli(["validate", "--json", *args], project, stdout_only=True)
    assert code in (0, 1), output
    report: dict[str, Any] = json.loads(output)
    return report


def errors_of(project: Path, *args: str) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = report_of(project, *args)["errors"]
    return errors


HEAD = "service: svc\nprovider:\n  name: aws\ncustom:\n"
FUNCTIONS = "functions:\n  f:\n    handler: wasm-handler\n"


def alias_chain(levels: int) -> str:
    lines = ["  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def mapping_chain(levels: int) -> str:
    lines = ["  m0: &m0 {a: x, b: y}"]
    lines += [
        f"  m{n}: &m{n} {{a: *m{n - 1}, b: *m{n - 1}, c: *m{n - 1}}}" for n in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


def doubling_variables(levels: int, template: str) -> str:
    lines = ["  v0: ha"]
    lines += [
        f"  v{n}: " + template.format(ref=f"${{self:custom.v{n - 1}}}") for n in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("custom", "expected"),
    [
        (alias_chain(10), "YAML alias"),
        (mapping_chain(25), "YAML alias"),
        (doubling_variables(40, "'{ref}{ref}'"), "characters"),
        (doubling_variables(40, "'{ref}-{ref}-{ref}'"), "characters"),
        (doubling_variables(40, "['{ref}', '{ref}']"), "values"),
        (doubling_variables(40, "{{a: '{ref}', b: ['{ref}']}}"), "values"),
    ],
    ids=["alias-lists", "alias-mappings", "strings", "triple-strings", "lists", "mixed"],
)
def test_a_manifest_that_multiplies_itself_is_refused_quickly_in_bounded_memory(
    project: Path, custom: str, expected: str
) -> None:
    write(project, HEAD + custom + FUNCTIONS)
    result = wasmdeploy(project, "validate", "--json", capped=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [error] = json.loads(result.stdout)["errors"]
    assert expected in str(error["message"]) and "hint" in error
    printed = wasmdeploy(project, "print", capped=True)
    assert printed.returncode == 1 and printed.stderr.startswith("Error: ")
    assert "Traceback" not in printed.stderr


@pytest.mark.parametrize(
    "setting",
    [
        "maxTime: .inf",
        "maxTime: .nan",
        "maxTime: -.inf",
        "maxTime: 1e999",
        "max_time: " + "9" * 400,
        "maxTime: '" + "9" * 400 + "ms'",
        "memoryLimit: " + "9" * 400,
        "memory_limit: '" + "9" * 400 + "MB'",
        "stackLimit: " + "9" * 400,
        "stackLimit: 20GB",
    ],
    ids=lambda setting: setting[:24],
)
def test_impossible_sandbox_numbers_are_errors_for_every_command(
    project: Path, setting: str
) -> None:
    block = "wasm_sandbox" if "_" in setting.split(":")[0] else "sandbox"
    write(project, f"{HEAD}  x: 1\n{FUNCTIONS}    {block}:\n      {setting}\n")
    [error] = errors_of(project)
    assert error["line"] == 10 and str(error["path"]).startswith(f"functions.f.{block}.")
    assert len(str(error["message"])) < 200
    for command in ("print", "plan"):
        code, output = run_cli([command], project)
        assert code == 1 and "Traceback" not in output, output
        assert "wasmdeploy.yml:10:" in output


def test_a_region_is_checked_the_same_from_the_manifest_and_the_command_line(
    project: Path,
) -> None:
    write(project, f"service: svc\nprovider:\n  name: aws\n  region: mars-1\n{FUNCTIONS}")
    [from_manifest] = errors_of(project)
    assert "'mars-1' is not an AWS region name" in str(from_manifest["message"])
    write(project, f"service: svc\nprovider:\n  name: aws\n{FUNCTIONS}")
    for region in ("nowhere", "US-EAST-1", "us_east_1"):
        [from_option] = errors_of(project, "--region", region)
        assert f"--region '{region}' is not an AWS region name" in str(from_option["message"])
        assert run_cli(["plan", "--region", region], project)[0] == 1
    typo = report_of(project, "--region", "eu-wset-1")
    assert typo["valid"] and "eu-west-1" in typo["warnings"][0]["hint"]
    assert report_of(project, "--region", "eu-west-1")["warnings"] == []


@pytest.mark.parametrize(
    "statement",
    [
        "{Effect: Allow, Action: '*', Resource: '*'}",
        "{Effect: Allow, Action: ['s3:GetObject', '*:*'], Resource: ['arn:aws:s3:::b/*', '*']}",
    ],
)
def test_an_iam_statement_that_allows_everything_is_a_warning(
    project: Path, statement: str
) -> None:
    write(
        project,
        f"service: svc\nprovider:\n  name: aws\n  iam:\n    statements:\n"
        f"      - {{Effect: Allow, Action: 's3:GetObject', Resource: '*'}}\n"
        f"      - {statement}\n{FUNCTIONS}",
    )
    report = report_of(project)
    assert report["valid"]
    [warning] = report["warnings"]
    assert warning["path"] == "provider.iam.statements[1]" and warning["line"] == 7
    assert "every action on every resource" in warning["message"]
