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

from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.ci.grants import StateLocation
from wasmdeploy.ci.oidc_policies import RoleScope, trust_policy
from wasmdeploy.ci.oidc_pulumi import ACCOUNT_PLACEHOLDER, render_pulumi_role
from wasmdeploy.ci.role_documents import RoleSpec

pulumi = pytest.importorskip("pulumi")
pytest.importorskip("pulumi_aws")

ACCOUNT = "210987654321"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SCOPE = RoleScope("acme/images", branches=("main",), environments=("prod",))
PREVIEWS = RoleScope("acme/images", pull_requests=True)
DEPLOY = DeployScope(service="images", stages=("prod",), regions=("eu-west-1",), buckets=("up",))


def role_spec(account: str, *, trust: RoleScope = SCOPE, read_only: bool = False) -> RoleSpec:
    return RoleSpec(
        trust=trust,
        deploy=DEPLOY,
        account_id=account,
        state=StateLocation("acme-state"),
        role_name="previewer" if read_only else "deployer",
        read_only=read_only,
    )


def render(*, read_only: bool = False, existing_provider: bool = False) -> str:
    trust = PREVIEWS if read_only else SCOPE
    spec = role_spec(ACCOUNT_PLACEHOLDER, trust=trust, read_only=read_only)
    return render_pulumi_role(spec, existing_provider=existing_provider)


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
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "id": ACCOUNT}
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


def test_program_creates_the_provider_role_policy_and_boundary_with_the_same_documents() -> None:
    mocks = run_program(render())
    provider = mocks.resources["aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]
    role = mocks.resources["aws:iam/role:Role"]
    assert role["name"] == "deployer"
    assert json.loads(role["assumeRolePolicy"]) == trust_policy(SCOPE, PROVIDER_ARN)
    policy = mocks.resources["aws:iam/rolePolicy:RolePolicy"]
    expected = role_spec(ACCOUNT)
    assert json.loads(policy["policy"]) == expected.permissions()
    assert policy["role"] == "deployer-id"
    assert policy["name"] == "wasmdeploy-deploy"
    boundary = mocks.resources["aws:iam/policy:Policy"]
    assert json.loads(boundary["policy"]) == expected.boundary()
    assert (boundary["path"], boundary["name"]) == ("/wasmdeploy/images/", "permissions-boundary")
    assert ACCOUNT_PLACEHOLDER not in boundary["policy"] + policy["policy"]


def test_existing_provider_is_looked_up_not_created() -> None:
    mocks = run_program(render(existing_provider=True))
    assert "aws:iam/openIdConnectProvider:OpenIdConnectProvider" not in mocks.resources
    assert "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider" in [
        token for token, _ in mocks.calls
    ]
    role = mocks.resources["aws:iam/role:Role"]
    assert json.loads(role["assumeRolePolicy"]) == trust_policy(SCOPE, PROVIDER_ARN)


def test_read_only_program_attaches_the_preview_policy_and_creates_no_boundary() -> None:
    resources = run_program(render(read_only=True)).resources
    policy = resources["aws:iam/rolePolicy:RolePolicy"]
    expected = role_spec(ACCOUNT, trust=PREVIEWS, read_only=True).permissions()
    assert json.loads(policy["policy"]) == expected
    assert "aws:iam/policy:Policy" not in resources


def test_program_text_names_the_subjects_and_is_valid_python() -> None:
    source = render()
    compile(source, "__main__.py", "exec")
    for subject in SCOPE.subjects:
        assert subject in source


@pytest.mark.parametrize("existing_provider", [False, True])
def test_program_is_lint_clean_and_formatted(existing_provider: bool) -> None:
    pytest.importorskip("ruff")
    source = render(existing_provider=existing_provider)
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
