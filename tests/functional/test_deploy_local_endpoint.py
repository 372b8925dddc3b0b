"""WASMDEPLOY_AWS_ENDPOINT points every AWS provider of the program at a local AWS."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from stacks_factories import hello_and_edge_service, make_artifacts

from wasmdeploy.stacks.mocked_run import RecordingMonitor
from wasmdeploy.stacks.plan_mocks import PlanMocks
from wasmdeploy.stacks.program import build_program

ENDPOINT = "http://127.0.0.1:5123"


def provider_inputs(tmp_path: Path) -> list[dict[str, object]]:
    service = hello_and_edge_service(tmp_path / "svc")
    mocks = PlanMocks(service.region)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project=service.name, stack=service.stage, preview=False, monitor=monitor
    )
    pulumi.runtime.test(build_program(service, make_artifacts(service, tmp_path / "out")))()
    return [r.inputs for r in monitor.registered if r.type == "pulumi:providers:aws"]


def endpoints_of(inputs: dict[str, object]) -> dict[str, str]:
    value = inputs["endpoints"]
    decoded: list[dict[str, str]] = json.loads(value) if isinstance(value, str) else value  # type: ignore[assignment]
    [endpoints] = decoded
    return dict(endpoints)


def test_every_provider_talks_to_the_local_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WASMDEPLOY_AWS_ENDPOINT", ENDPOINT)
    providers = provider_inputs(tmp_path)
    assert len(providers) == 2  # the service's region, and us-east-1 for the edge function
    for inputs in providers:
        endpoints = endpoints_of(inputs)
        assert {endpoints[s] for s in ("lambda", "iam", "s3", "sts", "cloudfront")} == {ENDPOINT}
        assert str(inputs["skipCredentialsValidation"]).lower() == "true"
        assert str(inputs["s3UsePathStyle"]).lower() == "true"


def test_without_it_providers_talk_to_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WASMDEPLOY_AWS_ENDPOINT", raising=False)
    for inputs in provider_inputs(tmp_path):
        assert "endpoints" not in inputs
