"""`--format pulumi` prints a program that, run by Pulumi, creates exactly the JSON role.

The program runs under Pulumi's mocks (no engine, no AWS); the mocks record
every resource's inputs and answer the provider lookup.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from wasmdeploy.ci.deploy_permissions import deploy_permissions_policy, preview_permissions_policy
from wasmdeploy.ci.oidc_policies import RoleScope, trust_policy
from wasmdeploy.ci.oidc_pulumi import render_pulumi_role

pulumi = pytest.importorskip("pulumi")
pytest.importorskip("pulumi_aws")

PROVIDER_ARN = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
SCOPE = RoleScope("acme/images", branches=("main",), environments=("prod",), pull_requests=True)


class RecordingMocks(pulumi.runtime.Mocks):  # type: ignore[misc]
    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        self.resources[args.typ] = dict(args.inputs)
        outputs = dict(args.inputs)
        if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            outputs["arn"] = PROVIDER_ARN
        if args.typ == "aws:iam/role:Role":
            outputs["arn"] = f"arn:aws:iam::210987654321:role/{args.inputs['name']}"
        return f"{args.name}-id", outputs

    def call(self, args: Any) -> dict[str, Any]:
        self.calls.append((args.token, dict(args.args)))
        return {"arn": PROVIDER_ARN, "url": args.args.get("url"), "id": PROVIDER_ARN}


def run_program(source: str) -> RecordingMocks:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="oidc", stack="test", preview=False)
    namespace: dict[str, Any] = {"__name__": "__main__"}

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> Any:
        exec(compile(source, "__main__.py", "exec"), namespace)
        return namespace["role"].arn

    program()
    return mocks


def test_program_creates_the_provider_role_and_policy_with_the_same_documents() -> None:
    source = render_pulumi_role(SCOPE, state_bucket="acme-state", role_name="deployer")
    mocks = run_program(source)
    provider = mocks.resources["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]
    role = mocks.resources["aws:iam/role:Role"]
    assert role["name"] == "deployer"
    assert json.loads(role["assumeRolePolicy"]) == trust_policy(SCOPE, PROVIDER_ARN)
    policy = mocks.resources["aws:iam/rolePolicy:RolePolicy"]
    assert json.loads(policy["policy"]) == deploy_permissions_policy("acme-state")
    assert policy["role"] == "deployer-id"
    assert policy["name"] == "wasmdeploy-deploy"


def test_existing_provider_is_looked_up_not_created() -> None:
    source = render_pulumi_role(
        SCOPE, state_bucket="acme-state", role_name="deployer", existing_provider=True
    )
    mocks = run_program(source)
    assert "aws:iam/openIdConnectProvider:OpenIdConnectProvider" not in mocks.resources
    assert [token for token, _ in mocks.calls] == [
        "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
    ]
    role = mocks.resources["aws:iam/role:Role"]
    assert json.loads(role["assumeRolePolicy"]) == trust_policy(SCOPE, PROVIDER_ARN)


def test_read_only_program_attaches_the_preview_policy() -> None:
    source = render_pulumi_role(
        SCOPE, state_bucket="acme-state", role_name="previewer", read_only=True
    )
    policy = run_program(source).resources["aws:iam/rolePolicy:RolePolicy"]
    assert json.loads(policy["policy"]) == preview_permissions_policy("acme-state")


def test_program_text_names_the_subjects_and_is_valid_python() -> None:
    source = render_pulumi_role(SCOPE, state_bucket="acme-state", role_name="deployer")
    compile(source, "__main__.py", "exec")
    for subject in SCOPE.subjects:
        assert subject in source


@pytest.mark.parametrize("existing_provider", [False, True])
def test_program_is_lint_clean_and_formatted(existing_provider: bool) -> None:
    pytest.importorskip("ruff")
    source = render_pulumi_role(
        SCOPE, state_bucket="acme-state", role_name="deployer", existing_provider=existing_provider
    )
    ruff = [sys.executable, "-m", "ruff"]
    fmt = subprocess.run(
        [*ruff, "format", "--diff", "--stdin-filename", "__main__.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout
    lint = subprocess.run(
        [*ruff, "check", "--select", "E,F,W,I", "--stdin-filename", "__main__.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
