"""`invoke --remote`: call the deployed function through Lambda's Invoke API (boto3 only).

The response's log tail (`LogType=Tail`: the last 4 KB of the invocation's log,
base64) is decoded so the CLI can print it like a local invoke's logs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import EDGE_REGION, Function, Service

CREDENTIALS_HINT = (
    "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`."
)


@dataclass(frozen=True)
class RemoteInvokeResult:
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed, as Lambda reports it
    log_tail: str
    status_code: int = 200
    executed_version: str | None = None


def function_region(service: Service, function: Function) -> str:
    """Edge functions live in us-east-1 whatever the service's region."""
    return EDGE_REGION if function.is_edge else service.region


def find_function(service: Service, function_name: str) -> Function:
    try:
        return service.function(function_name)
    except KeyError:
        known = ", ".join(f.name for f in service.functions) or "none"
        raise UserError(
            f"No function {function_name!r} in {service.manifest_path.name} (functions: {known})."
        ) from None


def lambda_client(region: str) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region)


def decode_log_tail(encoded: str | None) -> str:
    if not encoded:
        return ""
    return base64.b64decode(encoded).decode("utf-8", errors="replace")


def invoke_remote(
    service: Service, function_name: str, payload: bytes, *, client: Any | None = None
) -> RemoteInvokeResult:
    """Invoke `{service}-{stage}-{function}` synchronously and return its answer and log tail."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    function = find_function(service, function_name)
    region = function_region(service, function)
    lambda_ = client or lambda_client(region)
    try:
        response = lambda_.invoke(
            FunctionName=function.deployed_name,
            InvocationType="RequestResponse",
            LogType="Tail",
            Payload=payload,
        )
    except NoCredentialsError as error:
        raise UserError(
            "No AWS credentials found for invoking the deployed function.",
            hint=CREDENTIALS_HINT,
        ) from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            raise UserError(
                f"{function.deployed_name} is not deployed in {region}.",
                hint=f"Deploy it with `wasmdeploy up --stage {service.stage}`.",
            ) from error
        raise UserError(
            f"Lambda Invoke of {function.deployed_name} in {region} failed: {error}"
        ) from error
    except BotoCoreError as error:
        raise UserError(
            f"Lambda Invoke of {function.deployed_name} in {region} failed: {error}"
        ) from error
    return RemoteInvokeResult(
        payload=response["Payload"].read(),
        function_error=response.get("FunctionError"),
        log_tail=decode_log_tail(response.get("LogResult")),
        status_code=int(response.get("StatusCode", 200)),
        executed_version=response.get("ExecutedVersion"),
    )
