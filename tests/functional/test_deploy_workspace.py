"""The stack's workspace: the environment `preflight` checked is the one the CLI runs with,
in `.wasmdeploy/pulumi/` beside the manifest, on every run."""

from __future__ import annotations

import os
from pathlib import Path

from fake_pulumi import install_fake_pulumi
from stacks_factories import make_function, make_service

from wasmdeploy.stacks.automation import open_stack, preflight


def test_an_injected_environment_reaches_the_cli_in_the_projects_work_dir(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path / "runner")
    root = tmp_path / "svc"
    root.mkdir()
    service = make_service(root, [make_function(root, "f")])
    env = {
        "PATH": f"{fake.directory}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "PULUMI_CONFIG_PASSPHRASE": "injected",
        "AWS_PROFILE": "injected-profile",
    }
    assert "AWS_PROFILE" not in os.environ or os.environ["AWS_PROFILE"] != "injected-profile"
    checked = preflight(service, env=env)
    assert checked.executable == fake.executable
    for _ in range(2):  # the same workspace on every run
        open_stack(service, lambda: None, checked).outputs()
    calls = fake.calls()
    assert len(calls) > 4 and all(call.env["AWS_PROFILE"] == "injected-profile" for call in calls)
    work_dirs = {call.cwd for call in calls if call.command != ["version"]}
    assert work_dirs == {str(root / ".wasmdeploy" / "pulumi")}
    assert ["stack", "init", "dev", "--secrets-provider", "passphrase"] in fake.commands()
    assert fake.commands().count(["stack", "init", "dev", "--secrets-provider", "passphrase"]) == 1
    assert (
        (root / ".wasmdeploy" / "pulumi" / "Pulumi.dev.yaml")
        .read_text()
        .startswith("encryptionsalt:")
    )
