"""Every role the deployed program declares lands under the service's path and boundary.

The program runs under Pulumi's mocks with the guard installed as the deploy
installs it; the engine's view of each registration is recorded.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from pulumi.runtime.settings import get_root_resource
from stacks_factories import flagship_service, hello_and_edge_service, make_artifacts

from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import RecordingMonitor
from wasmdeploy.stacks.plan_mocks import PlanMocks
from wasmdeploy.stacks.program import build_program
from wasmdeploy.stacks.role_guard import RoleGuard, guarded, role_guard

ACCOUNT = "210987654321"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/wasmdeploy/images/permissions-boundary"


def registered_roles(service: Service, guard: RoleGuard, out: Path) -> list[dict[str, object]]:
    mocks = PlanMocks(service.region, account=ACCOUNT)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project=service.name, stack=service.stage, preview=False, monitor=monitor
    )
    program = guarded(build_program(service, make_artifacts(service, out)), guard)
    root = get_root_resource()
    try:
        pulumi.runtime.test(program)()
    finally:
        if root is not None:  # the mocks keep one stack for the process: drop the guard
            root._transformations = None
    return [r.inputs for r in monitor.registered if r.type == "aws:iam/role:Role"]


@pytest.mark.parametrize("boundary", [BOUNDARY, "wasmdeploy/images/permissions-boundary"])
def test_every_role_gets_the_stage_path_and_the_boundary(tmp_path: Path, boundary: str) -> None:
    service = flagship_service(tmp_path / "svc")
    guard = role_guard(service, {"WASMDEPLOY_PERMISSIONS_BOUNDARY": boundary})
    roles = registered_roles(service, guard, tmp_path / "out")
    assert len(roles) == len(service.functions)
    for inputs in roles:
        assert inputs["path"] == f"/wasmdeploy/{service.name}/{service.stage}/"
        assert inputs["permissionsBoundary"] == BOUNDARY


def test_without_a_boundary_roles_keep_the_path_and_get_none(tmp_path: Path) -> None:
    service = hello_and_edge_service(tmp_path / "svc")
    roles = registered_roles(service, role_guard(service, {}), tmp_path / "out")
    assert roles
    for inputs in roles:
        assert inputs["path"] == f"/wasmdeploy/{service.name}/{service.stage}/"
        assert "permissionsBoundary" not in inputs
