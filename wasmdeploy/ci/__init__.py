"""Continuous delivery: GitHub Actions workflows and the AWS roles they assume.

`build_workflow` turns `WorkflowOptions` (and what could be read of the
manifest) into a workflow as data; `dump_workflow` writes it as YAML.
`read_deploy_scope` reads the names a service's stack uses; from it,
`deploy_permissions_policy`, `preview_permissions_policy` and `boundary_policy`
build the IAM documents of the roles GitHub's OIDC provider may assume
(`trust_policy`), and `render_pulumi_role` prints them as a Pulumi program.
"""

from wasmdeploy.ci.deploy_permissions import deploy_permissions_policy, preview_permissions_policy
from wasmdeploy.ci.deploy_scope import DeployScope, read_deploy_scope
from wasmdeploy.ci.github_workflow import build_workflow
from wasmdeploy.ci.oidc_policies import (
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_HOST,
    RoleScope,
    trust_policy,
)
from wasmdeploy.ci.oidc_pulumi import render_pulumi_role
from wasmdeploy.ci.permissions_boundary import boundary_policy
from wasmdeploy.ci.service_facts import ServiceFacts, read_service_facts
from wasmdeploy.ci.stage_map import StageMapping, parse_stage_mappings
from wasmdeploy.ci.workflow_options import Reference, WorkflowOptions
from wasmdeploy.ci.yaml_output import dump_workflow

__all__ = [
    "GITHUB_OIDC_AUDIENCE",
    "GITHUB_OIDC_HOST",
    "DeployScope",
    "Reference",
    "RoleScope",
    "ServiceFacts",
    "StageMapping",
    "WorkflowOptions",
    "boundary_policy",
    "build_workflow",
    "deploy_permissions_policy",
    "dump_workflow",
    "parse_stage_mappings",
    "preview_permissions_policy",
    "read_deploy_scope",
    "read_service_facts",
    "render_pulumi_role",
    "trust_policy",
]
