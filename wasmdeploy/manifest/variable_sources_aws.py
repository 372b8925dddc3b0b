"""The deploy-time variable sources, read from AWS with boto3: account id, SSM, stack outputs.

Used when deploying (`wasmdeploy up`), with the credentials the deploy uses; each
answer is remembered for the run. A failed call is one clear error naming the variable.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from wasmdeploy.manifest.variables import VariableError


class Boto3Lookup:
    """`AwsLookup` over boto3 (imported on first use)."""

    def _client(self, service: str, region: str | None = None) -> Any:
        import boto3

        return boto3.client(service, region_name=region)

    @cache  # noqa: B019 - one lookup object per run
    def account_id(self) -> str:
        try:
            return str(self._client("sts").get_caller_identity()["Account"])
        except Exception as error:  # botocore's errors: no credentials, no network...
            raise VariableError(
                f"${{aws:accountId}} needs AWS credentials: {error}",
                "Configure credentials (AWS_PROFILE, or the CI role) and run again.",
            ) from None

    @cache  # noqa: B019
    def ssm_parameter(self, name: str, region: str) -> str | None:
        client = self._client("ssm", region)
        try:
            found = client.get_parameter(Name=name, WithDecryption=True)
        except client.exceptions.ParameterNotFound:
            return None
        except Exception as error:
            raise VariableError(f"${{ssm:{name}}} could not be read: {error}") from None
        return str(found["Parameter"]["Value"])

    @cache  # noqa: B019
    def stack_output(self, stack: str, output: str, region: str) -> str | None:
        client = self._client("cloudformation", region)
        try:
            [found] = client.describe_stacks(StackName=stack)["Stacks"]
        except Exception as error:
            raise VariableError(f"${{cf:{stack}.{output}}} could not be read: {error}") from None
        for entry in found.get("Outputs", []):
            if entry.get("OutputKey") == output:
                return str(entry.get("OutputValue"))
        return None
