"""Continuous delivery: GitHub Actions workflows and the AWS role they assume.

`build_workflow` turns `WorkflowOptions` (and what could be read of the
manifest) into a workflow as data; `dump_workflow` writes it as YAML.
`trust_policy`, `deploy_permissions_policy` and `preview_permissions_policy` build
the IAM documents for
GitHub's OIDC provider; `render_pulumi_role` prints them as a Pulumi program.
"""

from wasmdeploy.ci.deploy_permissions import deploy_permissions_policy, preview_permissions_policy
from wasmdeploy.ci.github_workflow import build_workflow
from wasmdeploy.ci.oidc_policies import (
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_HOST,
    RoleScope,
    trust_policy,
)
from wasmdeploy.ci.oidc_pulumi import render_pulumi_role
from wasmdeploy.ci.service_facts import ServiceFacts, read_service_facts
from wasmdeploy.ci.stage_map import StageMapping, parse_stage_mappings
from wasmdeploy.ci.workflow_options import Reference, WorkflowOptions
from wasmdeploy.ci.yaml_output import dump_workflow

__all__ = [
    "GITHUB_OIDC_AUDIENCE",
    "GITHUB_OIDC_HOST",
    "Reference",
    "RoleScope",
    "ServiceFacts",
    "StageMapping",
    "WorkflowOptions",
    "build_workflow",
    "deploy_permissions_policy",
    "dump_workflow",
    "parse_stage_mappings",
    "preview_permissions_policy",
    "read_service_facts",
    "render_pulumi_role",
    "trust_policy",
]
