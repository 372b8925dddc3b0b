"""The deploy commands end to end, against a recording `pulumi` where pulumi/actions puts it.

The fake CLI (tests/fake_pulumi) answers as the real one does and records
every call: the tests assert the exact arguments, the environment (backend,
passphrase, boundary), the work directory, the stack per stage and the region
config, and how the CLI's events, JSON and exit codes reach the user. The
service lives in a directory with a space in its name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_services import echo_manifest, stand_in_wheels, write_echo_service
from fake_pulumi import FakePulumi, install_fake_pulumi

MANIFEST = echo_manifest("images")
RESOURCES = [
    {"type": "aws:lambda/function:Function", "name": "echo-function"},
    {"type": "aws:iam/role:Role", "name": "echo-role"},
]
OUTPUTS = {
    "functions": {
        "echo": {
            "name": "images-dev-echo",
            "arn": "arn:aws:lambda:eu-west-1:123456789012:function:images-dev-echo",
        }
    },
    "buckets": [],
}
PASSPHRASE = "correct horse"


@dataclass
class Project:
    service: Path
    fake: FakePulumi
    env: dict[str, str]

    @property
    def work_dir(self) -> Path:
        return self.service / ".wasmdeploy" / "pulumi"

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "wasmdeploy", *args],
            cwd=self.service,
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def without_pulumi(path: str) -> list[str]:
    return [p for p in path.split(os.pathsep) if p and not (Path(p) / "pulumi").exists()]


def make_project(tmp_path: Path, version: str = "3.210.0") -> Project:
    service = write_echo_service(tmp_path / "my project" / "images", MANIFEST)
    stand_in_wheels(tmp_path / "cache")
    fake = install_fake_pulumi(tmp_path / "runner", version)
    fake.set_scenario(
        version=f"v{version}", preview={"resources": RESOURCES}, up={"resources": RESOURCES}
    )
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "WASMDEPLOY_"))}
    env.update(
        PATH=os.pathsep.join([str(fake.directory), *without_pulumi(os.environ["PATH"])]),
        HOME=str(tmp_path / "home"),
        TMPDIR=str(tmp_path / "tmp"),
        WASMDEPLOY_CACHE_DIR=str(tmp_path / "cache"),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        NO_COLOR="1",
        COLUMNS="200",
    )
    return Project(service, fake, env)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


def set_outputs(project: Project, **scenario: object) -> None:
    base: dict[str, object] = {
        "version": "v3.210.0",
        "preview": {"resources": RESOURCES},
        "up": {"resources": RESOURCES},
        "outputs": OUTPUTS,
    }
    project.fake.set_scenario(**{**base, **scenario})


def test_preview_opens_the_stage_stack_in_the_projects_workspace(project: Project) -> None:
    result = project.run("preview", "--stage", "dev")
    assert result.returncode == 0, result.stderr
    assert "Preview: 2 to create." in result.stdout
    commands = project.fake.commands()
    assert commands[0] == ["version"]
    assert commands[1:4] == [
        ["stack", "select", "--stack", "dev"],
        ["stack", "init", "dev", "--secrets-provider", "passphrase"],
        ["config", "set", "aws:region", "--plaintext", "--stack", "dev", "--", "eu-west-1"],
    ]
    [preview] = project.fake.operations("preview")
    assert preview.command[:3] == ["preview", "--color", "never"]
    assert preview.command[-2:] == ["--stack", "dev"]
    assert "--exec-kind" in preview.command and "auto.inline" in preview.command
    assert any(arg.startswith("--client=127.0.0.1:") for arg in preview.command)
    backend = f"file://{project.service}/.wasmdeploy/state"
    for call in project.fake.calls()[1:]:
        assert call.cwd == str(project.work_dir)
        assert call.env["PULUMI_BACKEND_URL"] == backend
        assert call.env["PULUMI_CONFIG_PASSPHRASE"] == PASSPHRASE
    assert "name: images" in preview.files["Pulumi.yaml"]
    assert f"url: {backend}" in preview.files["Pulumi.yaml"]
    assert "aws:region" in preview.files["Pulumi.dev.yaml"]
    assert (project.service / ".wasmdeploy" / "state").is_dir()
    assert not list(project.service.parent.parent.rglob("*%20*"))
    assert (project.work_dir / ".gitignore").read_text().endswith("*\n")
    assert not list((project.service.parents[1] / "tmp").glob("automation-*"))


def test_up_yes_deploys_and_prints_the_stack_outputs(project: Project) -> None:
    set_outputs(project)
    result = project.run("up", "--stage", "dev", "--yes")
    assert result.returncode == 0, result.stderr
    assert project.fake.operations("preview") == []
    [up] = project.fake.operations("up")
    assert up.command[:4] == ["up", "--yes", "--skip-preview", "--color"]
    assert up.command[-2:] == ["--stack", "dev"]
    assert "arn:aws:lambda:eu-west-1:123456789012:function:images-dev-echo" in result.stdout
    assert ["stack", "output", "--json", "--stack", "dev"] in project.fake.commands()

    project.fake.forget_calls()
    shown = project.run("outputs", "--stage", "dev", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == OUTPUTS
    assert [c[:2] for c in project.fake.commands()[1:]] == [
        ["stack", "select"],
        ["config", "set"],
        ["stack", "output"],
        ["stack", "output"],
    ]


def test_up_without_yes_and_without_a_terminal_previews_and_does_not_deploy(
    project: Project,
) -> None:
    result = project.run("up", "--stage", "dev")
    assert result.returncode == 1
    assert "Deploy 2 to create to images/dev (eu-west-1)?" in result.stderr
    assert "nothing was deployed" in result.stderr
    assert "--yes" in result.stderr
    assert len(project.fake.operations("preview")) == 1
    assert project.fake.operations("up") == []
    assert "Traceback" not in result.stderr


def test_a_failed_up_shows_the_clis_error_and_exits_1(project: Project) -> None:
    denied = "error: creating Lambda Function (images-dev-echo): AccessDeniedException"
    set_outputs(project, up={"resources": RESOURCES, "exit": 255, "stderr": denied})
    result = project.run("up", "--stage", "dev", "--yes")
    assert result.returncode == 1
    assert "\nError: pulumi up failed for images/dev:\n" in result.stderr
    assert result.stderr.rstrip().endswith(
        f"{denied}\n  Fix the cause above and run the command again."
    )
    assert "Traceback" not in result.stderr


def test_each_stage_is_its_own_stack_in_its_region(project: Project) -> None:
    set_outputs(project)
    result = project.run("up", "--stage", "prod", "--region", "us-west-2", "--yes")
    assert result.returncode == 0, result.stderr
    assert ["config", "set", "aws:region", "--plaintext", "--stack", "prod", "--", "us-west-2"] in (
        project.fake.commands()
    )
    [up] = project.fake.operations("up")
    assert up.command[-2:] == ["--stack", "prod"]
    [stacks] = [projects["images"] for projects in project.fake.state().values()]
    assert list(stacks) == ["prod"]


def test_destroy_and_refresh_act_on_the_deployed_stack_only(project: Project) -> None:
    missing = project.run("destroy", "--stage", "dev", "--yes")
    assert missing.returncode == 1
    assert "Stage 'dev' of images has no stack in file://" in missing.stderr
    assert ["stack", "init", "dev", "--secrets-provider", "passphrase"] not in (
        project.fake.commands()
    )
    set_outputs(project)
    assert project.run("up", "--stage", "dev", "--yes").returncode == 0
    refreshed = project.run("refresh", "--stage", "dev", "--yes")
    assert refreshed.returncode == 0, refreshed.stderr
    [refresh] = project.fake.operations("refresh")
    assert {"--yes", "--skip-preview"} <= set(refresh.command)
    destroyed = project.run("destroy", "--stage", "dev", "--yes")
    assert destroyed.returncode == 0, destroyed.stderr
    [destroy] = project.fake.operations("destroy")
    assert destroy.command[:3] == ["destroy", "--skip-preview", "--yes"]
    assert "Destroyed:" in destroyed.stdout


def test_the_boundary_and_an_s3_backend_reach_the_cli(project: Project) -> None:
    result = project.run(
        "preview",
        "--backend",
        "s3://team-state/images?region=eu-west-1",
        WASMDEPLOY_PERMISSIONS_BOUNDARY="wasmdeploy/images/permissions-boundary",
    )
    assert result.returncode == 0, result.stderr
    [preview] = project.fake.operations("preview")
    assert preview.env["PULUMI_BACKEND_URL"] == "s3://team-state/images?region=eu-west-1"
    assert preview.env["WASMDEPLOY_PERMISSIONS_BOUNDARY"] == (
        "wasmdeploy/images/permissions-boundary"
    )


def test_a_cli_before_grpc_events_is_driven_through_an_event_log_file(tmp_path: Path) -> None:
    older = make_project(tmp_path, version="3.200.0")
    result = older.run("preview")
    assert result.returncode == 0, result.stderr
    assert "Preview: 2 to create." in result.stdout
    [preview] = older.fake.operations("preview")
    log = preview.command[preview.command.index("--event-log") + 1]
    assert not log.startswith("tcp://") and log.endswith("eventlog.txt")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("#!/bin/sh\necho 'panic: This is a bug' >&2\nexit 3\n", "did not print a version"),
        ("#!/bin/sh\necho v2.25.0\n", "is version 2.25.0; wasmdeploy needs 3.x"),
        ("not a program\n", "Could not run the pulumi CLI at"),
    ],
    ids=["crashes", "too-old", "not-executable-format"],
)
def test_a_broken_cli_is_one_clear_error(project: Project, script: str, message: str) -> None:
    project.fake.executable.write_text(script)
    result = project.run("outputs")
    assert result.returncode == 1
    assert message in result.stderr
    assert str(project.fake.executable) in result.stderr
    assert "Traceback" not in result.stderr and "This is a bug" not in result.stdout
