"""`wasmdeploy validate` and `wasmdeploy print` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import wasmtime
import yaml
from origin_manifest import ORIGIN_MANIFEST

from tests.cli_in_process import run_cli
from wasmdeploy.manifest.load import load_service

WASI_COMMAND = """
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    (tmp_path / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))
    (tmp_path / "wasmdeploy.yml").write_text(ORIGIN_MANIFEST)
    return tmp_path


def test_origin_manifest_is_valid_with_exactly_the_al2_warning(origin: Path) -> None:
    code, output = run_cli(["validate", "--json"], origin)
    report = json.loads(output)
    assert code == 0
    assert report["valid"] is True and report["errors"] == []
    [warning] = report["warnings"]
    assert warning["path"] == "provider.runtime" and warning["line"] == 4
    assert "provided.al2023" in warning["message"] and "2026-06-30" in warning["message"]


def test_text_output_names_file_line_column_and_path(origin: Path) -> None:
    (origin / "wasmdeploy.yml").write_text(
        ORIGIN_MANIFEST.replace("image-processing-bucket", "My_Bucket")
    )
    code, output = run_cli(["validate"], origin)
    assert code == 1
    assert (
        "wasmdeploy.yml:10:19: functions.processImage.events[0].s3.bucket: "
        "'My_Bucket' is not a valid S3 bucket name (" in output
    )
    assert "For example: my-bucket" in output
    assert "Traceback" not in output


def test_json_errors_carry_path_line_column_and_message(origin: Path) -> None:
    (origin / "wasmdeploy.yml").write_text(ORIGIN_MANIFEST.replace("handler:", "handlr:"))
    code, output = run_cli(["validate", "--json"], origin)
    report = json.loads(output)
    assert code == 1 and report["valid"] is False
    [error] = report["errors"]
    assert {k: error[k] for k in ("path", "line", "column")} == {
        "path": "functions.processImage.handlr",
        "line": 7,
        "column": 5,
    }
    assert error["message"] == "unknown key 'handlr'"


def test_file_option_and_missing_manifest_is_a_usage_error(origin: Path) -> None:
    (origin / "wasmdeploy.yml").rename(origin / "other.yml")
    assert run_cli(["validate", "-f", "other.yml"], origin)[0] == 0
    code, output = run_cli(["validate"], origin)
    assert code == 2 and output.startswith("Error: no wasmdeploy.yml or serverless.yml")
    for command in (["validate", "-f", "missing.yml"], ["print"], ["plan"], ["package"]):
        code, output = run_cli(command, origin)
        assert code == 2 and output.startswith("Error: "), (command, output)


def test_usage_errors_exit_2(origin: Path) -> None:
    assert run_cli(["validate", "--no-such-option"], origin)[0] == 2


def test_stage_option_reaches_the_variables(origin: Path) -> None:
    manifest = ORIGIN_MANIFEST.replace("image-processing-bucket", "images-${opt:stage}").replace(
        "  runtime: provided.al2\n", ""
    )
    (origin / "wasmdeploy.yml").write_text(manifest)
    assert run_cli(["validate"], origin)[0] == 1
    code, output = run_cli(["validate", "--stage", "prod"], origin)
    assert code == 0, output
    assert "stage prod" in output


def test_print_shows_the_resolved_manifest_that_loads_back_the_same(origin: Path) -> None:
    code, output = run_cli(["print", "--stage", "prod"], origin, stdout_only=True)
    assert code == 0
    assert "warning" not in output
    assert "warning: provider.runtime" in run_cli(["print"], origin)[1]
    printed = yaml.safe_load(output)
    assert printed["provider"]["stage"] == "prod"
    function = printed["functions"]["processImage"]
    assert function["runtime"] == "provided.al2023"
    assert function["sandbox"]["memoryLimit"] == "128MB"
    (origin / "printed.yml").write_text(output)
    again = load_service(origin / "printed.yml")
    original = load_service(origin / "wasmdeploy.yml", stage="prod")
    assert again.functions[0].sandbox == original.functions[0].sandbox
    assert again.functions[0].s3_triggers == original.functions[0].s3_triggers


def test_print_of_an_invalid_manifest_is_a_clean_error(origin: Path) -> None:
    (origin / "wasmdeploy.yml").write_text("service: x\nfunctions: {f: {handler: nope}}\n")
    code, output = run_cli(["print"], origin)
    assert code == 1
    assert output.startswith("Error: wasmdeploy.yml has 1 problem:")
    assert "wasmdeploy.yml:2:26: functions.f.handler: module nope.wasm not found" in output


def test_validate_and_help_do_not_import_pulumi(origin: Path) -> None:
    probe = textwrap.dedent(
        """
        import sys
        from wasmdeploy.cli.main import main
        try:
            main(sys.argv[1:])
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws'))
        print('IMPORTED', heavy)
        """
    )
    for args in (["--help"], ["validate"], ["print"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=origin,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "IMPORTED []" in result.stdout, (args, result.stdout, result.stderr)
