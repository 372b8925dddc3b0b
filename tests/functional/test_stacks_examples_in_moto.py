"""Every shipped example, loaded from its manifest, deploys into moto under the mocks."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from stacks_factories import make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.load import load_service
from wasmdeploy.stacks.mocked_run import run_mocked

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFESTS = sorted(EXAMPLES.glob("*/wasmdeploy.yml"))


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_example_deploys_every_function_into_moto(manifest: Path, tmp_path: Path) -> None:
    service = load_service(manifest, stage="ci")
    artifacts = make_artifacts(service, tmp_path / "out")
    with mock_aws():
        mocks = MotoMocks(service.region)
        run = run_mocked(service, artifacts, mocks)
        for function in service.functions:
            region = "us-east-1" if function.is_edge else service.region
            configuration = boto3.client("lambda", region_name=region).get_function(
                FunctionName=function.deployed_name
            )["Configuration"]
            assert configuration["Runtime"] == function.runtime
            assert configuration["Architectures"] == [function.architecture]
            assert bool(configuration.get("Layers")) is not function.is_edge
    registered = {resource.type for resource in run.resources if resource.custom}
    created = {resource_type for resource_type, _ in mocks.created}
    assert registered - created <= {"pulumi:providers:aws"}
    assert set(run.outputs["functions"]) == {f.name for f in service.functions}
