"""The whole deploy with the real Pulumi CLI, against moto's server: opt in with
`WASMDEPLOY_TEST_PULUMI=/path/to/pulumi`.

State goes to a `file://` backend in a temporary directory; every AWS call goes
to moto's server (`WASMDEPLOY_AWS_ENDPOINT`). The CLI needs the pulumi-aws
plugin of the installed SDK (`pulumi plugin install resource aws <version>`,
or network access on first use). Lambda functions are created in moto, not run
(moto runs them only with Docker), so the test deploys, reads the outputs and
AWS back, refreshes and destroys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from deploy_services import echo_manifest, stand_in_wheels, write_echo_service

PULUMI = os.environ.get("WASMDEPLOY_TEST_PULUMI", "")
pytestmark = pytest.mark.skipif(
    not PULUMI,
    reason="set WASMDEPLOY_TEST_PULUMI=/path/to/pulumi to deploy with the real Pulumi CLI "
    "against moto's server",
)
MANIFEST = echo_manifest(
    "localdeploy", events="    events:\n      - s3:\n          bucket: localdeploy-uploads\n"
)


@pytest.mark.slow
def test_up_outputs_refresh_and_destroy_with_the_real_cli(
    tmp_path: Path, moto_endpoint: str
) -> None:
    service = write_echo_service(tmp_path / "service", MANIFEST)
    stand_in_wheels(tmp_path / "cache")
    cli = Path(PULUMI).resolve()
    env = {
        **os.environ,
        "PATH": f"{cli.parent}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_CONFIG_PASSPHRASE": "local",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "WASMDEPLOY_AWS_ENDPOINT": moto_endpoint,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "WASMDEPLOY_CACHE_DIR": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    backend = f"file://{tmp_path / 'state'}"

    def wasmdeploy(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "wasmdeploy", *args, "--backend", backend],
            cwd=service,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    wasmdeploy("up", "--yes")
    outputs = json.loads(wasmdeploy("outputs", "--json").stdout)
    arn = outputs["functions"]["echo"]["arn"]
    aws_lambda = boto3.client("lambda", region_name="eu-west-1", endpoint_url=moto_endpoint)
    deployed = aws_lambda.get_function(FunctionName="localdeploy-dev-echo")["Configuration"]
    assert deployed["FunctionArn"] == arn
    role = boto3.client("iam", endpoint_url=moto_endpoint).get_role(
        RoleName=deployed["Role"].rsplit("/", 1)[1]
    )
    assert role["Role"]["Path"] == "/wasmdeploy/localdeploy/dev/"
    assert outputs["buckets"] == ["localdeploy-uploads"]

    wasmdeploy("refresh", "--yes")
    wasmdeploy("destroy", "--yes")
    names = [f["FunctionName"] for f in aws_lambda.list_functions()["Functions"]]
    assert "localdeploy-dev-echo" not in names
