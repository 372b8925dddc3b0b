"""Locally, a function gets the local AWS and throwaway credentials; the host's only with --aws."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stacks_factories import make_function, make_service
from wasmdeploy.local.invoke import may_call_aws
from wasmdeploy.local.lambda_environment import lambda_environment

HOST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "host-session",
}


@pytest.fixture
def host_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in HOST_CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def environment(root: Path, **options: object) -> dict[str, str]:
    function = make_function(root, "fn")
    service = make_service(root, [function])
    return lambda_environment(service, function, task_root=root, handler="h", **options)  # type: ignore[arg-type]


@pytest.mark.usefixtures("host_credentials")
@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:4566", None])
def test_the_host_credentials_never_reach_a_local_function(
    tmp_path: Path, endpoint: str | None
) -> None:
    env = environment(tmp_path, aws_endpoint=endpoint)
    assert not set(HOST_CREDENTIALS.values()) & set(env.values())
    assert env["AWS_ACCESS_KEY_ID"] == "wasmdeploy-local"


@pytest.mark.usefixtures("host_credentials")
def test_the_local_aws_endpoint_covers_every_service(tmp_path: Path) -> None:
    env = environment(tmp_path, aws_endpoint="http://127.0.0.1:4566")
    assert env["AWS_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:4566"


@pytest.mark.usefixtures("host_credentials")
def test_with_aws_the_host_credentials_pass_through_and_no_endpoint_is_set(
    tmp_path: Path,
) -> None:
    env = environment(tmp_path, real_aws=True)
    assert {name: env[name] for name in HOST_CREDENTIALS} == HOST_CREDENTIALS
    assert "AWS_ENDPOINT_URL" not in env and "AWS_ENDPOINT_URL_S3" not in env


@pytest.mark.parametrize(
    ("overrides", "bootstrap", "expected"),
    [
        ({}, None, False),  # a module on the layer's runtime, no object I/O: no AWS calls
        ({"input": "object"}, None, True),
        ({"runtime": "python3.12"}, None, True),  # its own code may use any SDK
        ({}, ("python", "-m", "awslambdaric", "app.handler"), True),
    ],
)
def test_invoke_starts_a_local_aws_for_functions_that_may_call_aws(
    tmp_path: Path, overrides: dict[str, object], bootstrap: tuple[str, ...] | None, expected: bool
) -> None:
    assert may_call_aws(make_function(tmp_path, "fn", **overrides), bootstrap) is expected
