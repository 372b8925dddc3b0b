"""AWS partitions and the ARNs of what a service's stack owns in IAM (no pulumi).

One source of truth for both the stack (`policies`, `role_guard`) and the CI
role (`wasmdeploy.ci`): the partitions there are, the IAM path every role of a
service is created under, and the name of the permissions boundary those roles
carry when the deploy runs under a least-privilege role. Which partition a region
is in is `manifest.arns.partition_for_region`, which `${aws:partition}` reads too.
"""

from __future__ import annotations

import re

from wasmdeploy.errors import UserError

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# Lambda@Edge and CloudFront's regional edge caches exist in the commercial partition only.
EDGE_PARTITION = "aws"
ROLE_PATH_ROOT = "wasmdeploy"
BOUNDARY_POLICY_NAME = "permissions-boundary"
ARN = re.compile(r"^arn:(?P<partition>aws(?:-cn|-us-gov)?):")


def partition_of_arn(arn: str) -> str:
    """The partition an ARN names (`arn:aws-cn:...` -> aws-cn); `aws` when it is not an ARN."""
    match = ARN.match(arn)
    return match["partition"] if match else "aws"


def check_partition(partition: str) -> str:
    if partition not in PARTITIONS:
        raise UserError(f"unknown AWS partition {partition!r}", hint=f"one of {PARTITIONS}")
    return partition


def service_path(service: str) -> str:
    return f"/{ROLE_PATH_ROOT}/{service}/"


def role_path(service: str, stage: str) -> str:
    """The IAM path of every role a stage's stack creates: `/wasmdeploy/<service>/<stage>/`.

    A deploy role may then manage `role/wasmdeploy/<service>/<stage>/*` and nothing else."""
    return f"{service_path(service)}{stage}/"


def boundary_policy_path(service: str) -> str:
    """The permissions boundary's policy: `/wasmdeploy/<service>/permissions-boundary`."""
    return f"{service_path(service)}{BOUNDARY_POLICY_NAME}"


def boundary_policy_arn(service: str, account_id: str, partition: str) -> str:
    return f"arn:{partition}:iam::{account_id}:policy{boundary_policy_path(service)}"
