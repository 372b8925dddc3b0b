"""The program of `pulumi up` in this directory: the manifest's service, through wasmdeploy."""

import os
from pathlib import Path

import pulumi

from wasmdeploy.build.package import package_service
from wasmdeploy.manifest.load import load_service
from wasmdeploy.stacks.program import build_program

config = pulumi.Config("wasmdeploy")
manifest = config.get("manifest") or os.environ.get("WASMDEPLOY_MANIFEST", "wasmdeploy.yml")
service = load_service(Path(manifest).resolve(), stage=config.get("stage") or pulumi.get_stack())
build_program(service, package_service(service))()
