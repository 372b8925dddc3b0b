"""The program of `pulumi up` in this directory: the manifest's service, through wasmdeploy.

Every role it declares goes under the service's IAM path, within the permissions
boundary named by WASMDEPLOY_PERMISSIONS_BOUNDARY (as `wasmdeploy up` does).
"""

import os
from pathlib import Path

import pulumi

from wasmdeploy.build.package import package_service
from wasmdeploy.manifest.load import load_service
from wasmdeploy.stacks.program import build_program
from wasmdeploy.stacks.role_guard import guarded, role_guard

config = pulumi.Config("wasmdeploy")
manifest = config.get("manifest") or os.environ.get("WASMDEPLOY_MANIFEST", "wasmdeploy.yml")
service = load_service(Path(manifest).resolve(), stage=config.get("stage") or pulumi.get_stack())
guarded(build_program(service, package_service(service)), role_guard(service, os.environ))()
