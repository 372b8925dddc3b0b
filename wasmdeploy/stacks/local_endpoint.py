"""Deploying to a local AWS (moto's server, LocalStack): every provider on one endpoint.

`WASMDEPLOY_AWS_ENDPOINT=http://127.0.0.1:5000` points the program's AWS
providers at that endpoint for every service the stack uses, with the checks
only real AWS answers turned off (credential validation, the EC2 metadata
API) and path-style S3 addressing. Unset, the providers talk to AWS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pulumi_aws as aws

ENDPOINT_VARIABLE = "WASMDEPLOY_AWS_ENDPOINT"
# The services a wasmdeploy stack declares resources in or looks up.
SERVICES = (
    "apigateway",
    "apigatewayv2",
    "cloudformation",
    "cloudfront",
    "cloudwatch",
    "cloudwatchlogs",
    "dynamodb",
    "events",
    "iam",
    "kinesis",
    "lambda_",
    "s3",
    "scheduler",
    "sns",
    "sqs",
    "sts",
)


def provider_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Extra `aws.Provider` arguments: none, or those of the local endpoint."""
    url = (os.environ if environ is None else environ).get(ENDPOINT_VARIABLE, "").strip()
    if not url:
        return {}
    return {
        "endpoints": [aws.ProviderEndpointArgs(**dict.fromkeys(SERVICES, url))],
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "s3_use_path_style": True,
    }
